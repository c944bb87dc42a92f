// Start-up options of the desktop app read from the command line and the environment.
import { Id } from '../../shared/domain/model';
import { readHostSyncArgs, type HostSyncRequest } from '../sync/start';

export const DEFAULT_OPERATOR = 'city-dispatcher';

export interface DesktopOptions {
  /** The demo operator signed in on this workstation (against the server when it syncs). */
  operatorId: string;
  /** Overrides Electron's userData folder, so two workstations (city and a county) can run side by side. */
  dataDir: string | null;
  /** The central server to sync with (`--server`, as `npm run start:web` takes it); null runs standalone. */
  sync: HostSyncRequest | null;
}

/**
 * Reads `--name value` or `--name=value`; the last occurrence wins, as with most command lines. A switch with no
 * value (at the end, or followed by another switch) reads as '', which the callers refuse by name.
 */
function switchValue(argv: readonly string[], name: string): string | undefined {
  let value: string | undefined;
  argv.forEach((arg, index) => {
    if (arg === `--${name}`) {
      const next = argv[index + 1];
      value = next === undefined || next.startsWith('--') ? '' : next;
    } else if (arg.startsWith(`--${name}=`)) value = arg.slice(name.length + 3);
  });
  return value;
}

export function readDesktopOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): DesktopOptions {
  const operatorId = switchValue(argv, 'operator') ?? env.DESK_OPERATOR ?? DEFAULT_OPERATOR;
  if (operatorId === '') throw new Error('--operator needs an operator id');
  if (!Id.safeParse(operatorId).success)
    throw new Error(`"${operatorId}" is not an operator id (letters, digits and _ . : - only)`);
  const dataDir = switchValue(argv, 'data-dir') ?? env.DESK_DATA_DIR ?? null;
  if (dataDir === '') throw new Error('--data-dir needs a folder');
  // The same flags, variables (DESK_SYNC_PASSWORD, DESK_SYNC_SECRET) and checks as the browser mode's.
  const sync = readHostSyncArgs(
    {
      server: switchValue(argv, 'server'),
      password: switchValue(argv, 'password'),
      workstation: switchValue(argv, 'workstation'),
      secret: switchValue(argv, 'secret'),
    },
    env,
  );
  return { operatorId, dataDir, sync };
}

// Start-up options of the desktop app read from the command line and the environment.
import { Id } from '../../shared/domain/model';

export const DEFAULT_OPERATOR = 'city-dispatcher';

export interface DesktopOptions {
  /** The demo operator signed in on this workstation until sync brings real sign-in. */
  operatorId: string;
  /** Overrides Electron's userData folder, so two workstations (city and a county) can run side by side. */
  dataDir: string | null;
}

/** Reads `--name value` or `--name=value`; the last occurrence wins, as with most command lines. */
function switchValue(argv: readonly string[], name: string): string | null {
  let value: string | null = null;
  argv.forEach((arg, index) => {
    if (arg === `--${name}`) value = argv[index + 1] ?? '';
    else if (arg.startsWith(`--${name}=`)) value = arg.slice(name.length + 3);
  });
  return value;
}

export function readDesktopOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): DesktopOptions {
  const operatorId = switchValue(argv, 'operator') ?? env.DESK_OPERATOR ?? DEFAULT_OPERATOR;
  if (!Id.safeParse(operatorId).success)
    throw new Error(`"${operatorId}" is not an operator id (letters, digits and _ . : - only)`);
  const dataDir = switchValue(argv, 'data-dir') ?? env.DESK_DATA_DIR ?? null;
  if (dataDir === '') throw new Error('--data-dir needs a folder');
  return { operatorId, dataDir };
}

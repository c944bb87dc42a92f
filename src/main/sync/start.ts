// Starts syncing an open workstation with a central server: HTTP transport, sign-in (online, or offline against
// the stored verifier), then the drain / pull / live loop. Hosts (web, Electron, CLI) call this after openWorkstation.
import { CITY_ID, Id, type Actor } from '../../shared/domain/model';
import type { Workstation } from '../host';
import { SyncClient, type BackoffOptions } from './client';
import { setSyncMeta } from './status';
import { HttpTransport, type SyncTransport } from './transport';

export interface StartSyncOptions {
  url: string;
  operatorId: string;
  password: string;
  /** The secret the workstation got at enrolment (`npm run server -- workstation enroll`). */
  workstationSecret: string;
  /** The jurisdiction the workstation is enrolled in (CITY_ID for the city hall). */
  jurisdictionId: string;
  /** Defaults to the workstation's own id. */
  workstationId?: string;
  /** Retry waits (default 0.5 s doubling up to 30 s); tests shorten them so a returning link is used at once. */
  backoff?: BackoffOptions;
  /** Defaults to HTTP on `url`; tests wrap it to watch what the server answered. */
  transport?: SyncTransport;
}

export async function startSync(
  workstation: Workstation,
  options: StartSyncOptions,
): Promise<{ client: SyncClient; online: boolean }> {
  const client = new SyncClient({
    db: workstation.db,
    desk: workstation.desk,
    transport: options.transport ?? new HttpTransport(options.url),
    workstationId: options.workstationId ?? workstation.workstationId,
    workstationSecret: options.workstationSecret,
    jurisdictionId: options.jurisdictionId,
    backoff: options.backoff,
  });
  setSyncMeta(workstation.db, 'server_url', options.url);
  let online: boolean;
  try {
    ({ online } = await client.signIn(options.operatorId, options.password));
  } catch (error) {
    // Nobody may work on this store through sync: give the Desk back as it was.
    await client.stop();
    throw error;
  }
  client.start();
  return { client, online };
}

/** Flags a host may give; what is left out falls back to the demo accounts (README, "Demo accounts"; demo stores only). */
export interface HostSyncFlags {
  password?: string;
  workstationId?: string;
  secret?: string;
}

/**
 * Sync options for a console signed in as `operator`: a city operator uses the demo city workstation (ws-city),
 * a county operator that county's (ws-<county id>), each with its demo secret, unless the flags say otherwise.
 */
export function hostSyncOptions(
  url: string,
  operator: { operatorId: string; jurisdictionId: string },
  flags: HostSyncFlags,
): StartSyncOptions & { workstationId: string } {
  const workstationId =
    flags.workstationId ??
    (operator.jurisdictionId === CITY_ID ? 'ws-city' : `ws-${operator.jurisdictionId}`);
  return {
    url,
    operatorId: operator.operatorId,
    password: flags.password ?? `demo-${operator.operatorId}`,
    workstationId,
    workstationSecret: flags.secret ?? `demo-secret-${workstationId}`,
    jurisdictionId: operator.jurisdictionId,
  };
}

/** A host's sync flags as its command line gave them (`--server`, `--password`, `--workstation`, `--secret`). */
export interface HostSyncArgs {
  server?: string;
  password?: string;
  workstation?: string;
  secret?: string;
}

/**
 * Where a host reads the operator's password and the workstation's secret when `--password` / `--secret` are not
 * given: a process's command line is readable by every user of the machine (ps, /proc), its environment only by
 * its own user and root. A flag still wins over its variable, as `--operator` does over DESK_OPERATOR.
 */
export const SYNC_PASSWORD_ENV = 'DESK_SYNC_PASSWORD';
export const SYNC_SECRET_ENV = 'DESK_SYNC_SECRET';

/** A host's environment (process.env, or what a test gives). */
export type HostEnv = Readonly<Record<string, string | undefined>>;

/** The sync a host was asked for: which server, and the flags hostSyncOptions fills in from. */
export interface HostSyncRequest {
  url: string;
  flags: HostSyncFlags;
}

/** A variable the host reads a secret from; set but empty is a mistake (a failed `$(cat file)`), not "unset". */
function secretFromEnv(env: HostEnv, name: string, flag: string): string | undefined {
  const value = env[name];
  if (value === '') throw new Error(`${name} is set but empty: give it the value of ${flag}, or unset it`);
  return value;
}

/**
 * Checks a host's sync flags once, for the web host and the desktop app alike; each error names its flag or
 * variable. The password and secret come from the flag, else from DESK_SYNC_PASSWORD / DESK_SYNC_SECRET, else the
 * demo defaults. Null when no server was given: the workstation runs standalone, and the variables are not read
 * (they may stay set in the environment for the next synced start).
 */
export function readHostSyncArgs(args: HostSyncArgs, env: HostEnv): HostSyncRequest | null {
  for (const name of ['server', 'password', 'workstation', 'secret'] as const)
    if (args[name] === '') throw new Error(`--${name} needs a value`);
  if (args.server === undefined) {
    // A flag that would be silently ignored is a mistake (a mistyped --server, a forgotten one).
    const stray = (['password', 'workstation', 'secret'] as const).find((name) => args[name] !== undefined);
    if (stray) throw new Error(`--${stray} is only used with --server <url>`);
    return null;
  }
  let url: URL;
  try {
    url = new URL(args.server);
  } catch {
    throw new Error(`--server ${args.server} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`--server ${args.server} is not an http:// or https:// URL`);
  if (args.workstation !== undefined && !Id.safeParse(args.workstation).success)
    throw new Error(
      `--workstation "${args.workstation}" is not a workstation id (letters, digits and _ . : - only)`,
    );
  return {
    url: args.server,
    flags: {
      password: args.password ?? secretFromEnv(env, SYNC_PASSWORD_ENV, '--password'),
      workstationId: args.workstation,
      secret: args.secret ?? secretFromEnv(env, SYNC_SECRET_ENV, '--secret'),
    },
  };
}

/** A host's running sync: the client, and the operator as commands name them (with the enrolled workstation's id). */
export interface HostSync {
  client: SyncClient;
  online: boolean;
  actor: Actor;
  url: string;
  workstationId: string;
}

/**
 * Signs the host's operator in and starts syncing: what `start:web --server` and the desktop app's `--server` do.
 * The commands of the returned actor carry the enrolled workstation's id, not the store's own. On failure nothing
 * syncs any more; the caller still holds (and closes) the workstation.
 */
export async function startHostSync(
  workstation: Workstation,
  operatorId: string,
  request: HostSyncRequest,
): Promise<HostSync> {
  const options = hostSyncOptions(request.url, workstation.actor(operatorId), request.flags);
  const { client, online } = await startSync(workstation, options);
  try {
    return {
      client,
      online,
      actor: client.actorFor(operatorId),
      url: request.url,
      workstationId: options.workstationId,
    };
  } catch (error) {
    await client.stop();
    throw error;
  }
}

/** The line a host prints once sync has started. */
export function describeHostSync(sync: HostSync): string {
  return `sync: ${sync.online ? 'online' : 'offline (signed in against the local verifier)'} with ${sync.url} as workstation ${sync.workstationId}`;
}

// Starts syncing an open workstation with a central server: HTTP transport, sign-in (online, or offline against
// the stored verifier), then the drain / pull / live loop. Hosts (web, Electron, CLI) call this after openWorkstation.
import { CITY_ID } from '../../shared/domain/model';
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

/** Flags a host may give; what is left out falls back to the demo accounts of docs/server.md (demo stores only). */
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

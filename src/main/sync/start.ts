// Starts syncing an open workstation with a central server: HTTP transport, sign-in (online, or offline against
// the stored verifier), then the drain / pull / live loop. Hosts (web, Electron, CLI) call this after openWorkstation.
import type { Workstation } from '../host';
import { SyncClient } from './client';
import { setSyncMeta } from './status';
import { HttpTransport } from './transport';

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
}

export async function startSync(
  workstation: Workstation,
  options: StartSyncOptions,
): Promise<{ client: SyncClient; online: boolean }> {
  const client = new SyncClient({
    db: workstation.db,
    desk: workstation.desk,
    transport: new HttpTransport(options.url),
    workstationId: options.workstationId ?? workstation.workstationId,
    workstationSecret: options.workstationSecret,
    jurisdictionId: options.jurisdictionId,
  });
  setSyncMeta(workstation.db, 'server_url', options.url);
  const { online } = await client.signIn(options.operatorId, options.password);
  client.start();
  return { client, online };
}

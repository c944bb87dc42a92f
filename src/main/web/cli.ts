// `npm run start:web`: opens a workstation store, builds the console if needed and serves it on 127.0.0.1.
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { toErrorInfo } from '../../shared/errors';
import { openWorkstation, SUPERVISION_INTERVAL_MS, type Workstation } from '../host';
import { describeHostSync, readHostSyncArgs, startHostSync, type HostSync } from '../sync/start';
import { buildRenderer, rendererIsStale } from './build';
import { startWebHost } from './host';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const USAGE = `usage: npm run start:web -- [--data <dir>] [--port <n>] [--operator <id>] [--server <url>] [--no-build]
  --data         store folder (default .data/web)
  --port         port on 127.0.0.1 (default 5170; 0 picks a free one)
  --operator     demo operator this console signs in as (default city-dispatcher; op-610926 = Pingli substation)
  --server       central server to sync with (sign-in falls back to the offline verifier when it is unreachable)
  --password     the operator's password (default demo-<operator>, demo server only)
  --workstation  the enrolled workstation id (default ws-city, or ws-<county> for a county operator)
  --secret       the workstation's enrolment secret (default demo-secret-<workstation>, demo server only)
  Prefer DESK_SYNC_PASSWORD and DESK_SYNC_SECRET in the environment to --password and --secret: other users
  of the machine can read a command line in the process list. A flag given wins over its variable.
  --build     rebuild the console even if it looks fresh
  --no-build  serve dist/renderer as it is`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string' },
      port: { type: 'string' },
      operator: { type: 'string' },
      server: { type: 'string' },
      password: { type: 'string' },
      workstation: { type: 'string' },
      secret: { type: 'string' },
      build: { type: 'boolean' },
      'no-build': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port ?? '5170');
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port ${values.port} is not a port`);
  const syncRequest = readHostSyncArgs(values, process.env);

  if (!values['no-build'] && (values.build || rendererIsStale())) {
    console.log('building the console (vite)…');
    await buildRenderer();
  }

  const dataDir = resolve(values.data ?? join(REPO_ROOT, '.data', 'web'));
  const operatorId = values.operator ?? 'city-dispatcher';
  let synced: { workstation: Workstation; sync: HostSync } | null = null;
  if (syncRequest) {
    // The host opens the store itself so the sync client and the console share one connection and one Desk.
    const workstation = openWorkstation({ dataDir });
    try {
      const sync = await startHostSync(workstation, operatorId, syncRequest);
      synced = { workstation, sync };
      console.log(describeHostSync(sync));
    } catch (error) {
      workstation.close();
      throw error;
    }
  }
  const host = await startWebHost(
    synced
      ? {
          port,
          desk: synced.workstation.desk,
          actor: synced.sync.actor,
          supervisionMs: SUPERVISION_INTERVAL_MS,
        }
      : { dataDir, port, operatorId },
  );
  console.log(`store: ${join(dataDir, 'desk.sqlite')} (demo region seeded on first start)`);
  console.log(
    `operator: ${host.actor.operatorId} (${host.actor.role}, jurisdiction ${host.actor.jurisdictionId})`,
  );
  console.log(`Command Desk console: ${host.url}`);

  const stop = (): void => {
    void (async () => {
      await synced?.sync.client.stop();
      await host.close();
      synced?.workstation.close();
      process.exit(0);
    })();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`start:web: ${toErrorInfo(error).message}`);
  console.error(USAGE);
  process.exit(1);
});

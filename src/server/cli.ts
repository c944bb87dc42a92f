// `npm run server -- ...`: start the central server, or run an admin command (user add, workstation enroll, seed).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Role } from '../shared/domain/model';
import { toErrorInfo } from '../shared/errors';
import { seedDemo } from './admin';
import { startServer } from './app';
import { SyncHub, type Logger } from './hub';

/** One JSON object per line on stdout: time, level, msg, fields. */
const log: Logger = (level, msg, fields = {}) => {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields })}\n`);
};

const USAGE = `usage:
  npm run server -- --data <dir> --port <port> [--host 127.0.0.1]
  npm run server -- user add --data <dir> --id <id> --name <name> --role <role> --jurisdiction <id> [--org <id>] (--password-stdin | --password <p>)
  npm run server -- workstation enroll --data <dir> --jurisdiction <id> [--ttl-hours <h>]
  npm run server -- seed --data <dir> [--demo-workstations]`;

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

function required(value: string | undefined, flag: string): string {
  if (!value) fail(`missing --${flag}`);
  return value;
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      data: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      id: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      jurisdiction: { type: 'string' },
      org: { type: 'string' },
      password: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      'ttl-hours': { type: 'string' },
      'demo-workstations': { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const dataDir = required(values.data, 'data');
  const [verb, sub] = positionals;

  if (!verb) {
    const port = Number(required(values.port, 'port'));
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      fail(`--port ${values.port} is not a port number`);
    const server = await startServer({ dataDir, port, host: values.host, log });
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log('info', 'stopping', { signal });
      server.close().then(
        () => process.exit(0),
        (error: unknown) => {
          log('error', 'stop failed', { error: toErrorInfo(error).message });
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    return;
  }

  const hub = SyncHub.open(dataDir, { log });
  try {
    if (verb === 'user' && sub === 'add') {
      const password = values['password-stdin']
        ? readFileSync(0, 'utf8').replace(/\r?\n$/, '')
        : required(values.password, 'password or --password-stdin');
      const role = Role.safeParse(values.role);
      if (!role.success) fail(`--role must be one of ${Role.options.join(', ')}`);
      hub.addAccount({
        id: required(values.id, 'id'),
        name: required(values.name, 'name'),
        role: role.data,
        jurisdictionId: required(values.jurisdiction, 'jurisdiction'),
        orgId: values.org ?? null,
        password,
      });
      log('info', 'operator saved', { id: values.id, role: role.data, jurisdictionId: values.jurisdiction });
    } else if (verb === 'workstation' && sub === 'enroll') {
      const hours = Number(values['ttl-hours'] ?? 168);
      const { token, expiresAt } = hub.createEnrollToken(
        required(values.jurisdiction, 'jurisdiction'),
        hours * 3_600_000,
      );
      log('info', 'enrolment token created', { jurisdictionId: values.jurisdiction, expiresAt });
      process.stdout.write(`${token}\n`);
    } else if (verb === 'seed') {
      const result = seedDemo(hub, { workstations: values['demo-workstations'] ?? false, tokens: true });
      log('info', 'demo accounts ready (password demo-<id>, demo only)', { accounts: result.accounts });
      for (const token of result.enrollTokens)
        log('info', 'enrolment token', { jurisdictionId: token.jurisdictionId, token: token.token });
      for (const ws of result.workstations)
        log('info', 'demo workstation enrolled (demo only)', { workstationId: ws.id, secret: ws.secret });
    } else {
      fail(`unknown command ${positionals.join(' ')}`);
    }
  } finally {
    hub.close();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  log('error', 'failed', { error: toErrorInfo(error).message });
  process.exit(1);
});

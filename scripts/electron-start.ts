// `npm start`: builds the console and the Electron bundles, builds better-sqlite3 for Electron in
// dist/electron-native (the repo's own copy stays built for Node, so `npm test` keeps working), and launches.
// Arguments after `--` go to the app: `npm start -- --operator op-610926 --data-dir /tmp/pingli`.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  buildDesktop,
  copyWithDependencies,
  electronVersion,
  packageDir,
  readJson,
  ROOT,
  run,
  stop,
} from './electron-build';

const NATIVE_DIR = join(ROOT, 'dist', 'electron-native');
const BINDING = join(NATIVE_DIR, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
const STAMP = join(NATIVE_DIR, 'built-for.json');

const NO_BINARY =
  "Electron's binary is not installed here: run `npm install electron` with its install script allowed " +
  '(npm install-scripts approve electron) on a machine that can download it.\n' +
  'The browser mode needs no Electron: `npm run start:web`.';

/** The Electron executable, or a clear refusal: the npm package installs its binary only from its install script. */
function electronBinary(): string {
  let dir: string;
  try {
    dir = dirname(createRequire(join(ROOT, 'package.json')).resolve('electron/package.json'));
  } catch {
    return stop(NO_BINARY);
  }
  const pathFile = join(dir, 'path.txt');
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const name = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  const binary = override ? join(override, name || 'electron') : name ? join(dir, 'dist', name) : '';
  if (!binary || !existsSync(binary)) return stop(NO_BINARY);
  return binary;
}

interface Stamp {
  electron: string;
  betterSqlite3: string;
  platform: string;
  arch: string;
}

/** Rebuilds only when Electron, better-sqlite3 or the machine changed since the last start. */
function buildNativeForElectron(): void {
  const sqliteDir = packageDir('better-sqlite3');
  const wanted: Stamp = {
    electron: electronVersion(),
    betterSqlite3: readJson<{ version: string }>(join(sqliteDir, 'package.json')).version,
    platform: process.platform,
    arch: process.arch,
  };
  if (existsSync(BINDING) && existsSync(STAMP) && readFileSync(STAMP, 'utf8') === JSON.stringify(wanted))
    return;

  console.log(
    `building better-sqlite3 ${wanted.betterSqlite3} for Electron ${wanted.electron} in dist/electron-native`,
  );
  rmSync(NATIVE_DIR, { recursive: true, force: true });
  mkdirSync(NATIVE_DIR, { recursive: true });
  const build = join(sqliteDir, 'build');
  copyWithDependencies('better-sqlite3', NATIVE_DIR, (path) => path === build);
  writeFileSync(
    join(NATIVE_DIR, 'package.json'),
    JSON.stringify({
      name: 'command-desk-electron-native',
      private: true,
      dependencies: { 'better-sqlite3': wanted.betterSqlite3 },
    }),
  );
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  if (major < 22 || (major === 22 && minor < 12))
    console.warn(
      `note: @electron/rebuild 4 asks for Node 22.12 or later; this is Node ${process.versions.node}`,
    );
  const bin = join(
    ROOT,
    'node_modules',
    '.bin',
    process.platform === 'win32' ? 'electron-rebuild.cmd' : 'electron-rebuild',
  );
  run(bin, ['--version', wanted.electron, '--module-dir', NATIVE_DIR, '--only', 'better-sqlite3', '--force']);
  if (!existsSync(BINDING))
    stop(`@electron/rebuild finished but ${BINDING} is missing: better-sqlite3 was not built for Electron`);
  writeFileSync(STAMP, JSON.stringify(wanted));
}

const binary = electronBinary();
buildDesktop();
buildNativeForElectron();

const child = spawn(binary, ['.', ...process.argv.slice(2)], { cwd: ROOT, stdio: 'inherit' });
child.on('error', (error) => stop(`Electron could not start: ${error.message}`));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));

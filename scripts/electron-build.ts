// Builds everything the desktop app loads: the console (dist/renderer) and the Electron bundles (dist/electron).
// Shared helpers for the start and staging scripts live here too.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const requireHere = createRequire(join(ROOT, 'package.json'));

/** Stops the script with a message an operator or packager can act on, not a stack trace. */
export function stop(message: string): never {
  console.error(`\n${message}\n`);
  process.exit(1);
}

export function run(command: string, args: readonly string[], cwd = ROOT): void {
  const result = spawnSync(command, args, { cwd, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.error) stop(`${command} ${args.join(' ')} could not start: ${result.error.message}`);
  if (result.status !== 0) stop(`${command} ${args.join(' ')} failed (exit code ${result.status ?? 'none'})`);
}

export function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

interface PackageJson {
  name: string;
  version: string;
  description?: string;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
}

export function rootPackage(): PackageJson {
  return readJson<PackageJson>(join(ROOT, 'package.json'));
}

export function packageDir(name: string, from = ROOT): string {
  return dirname(createRequire(join(from, 'package.json')).resolve(`${name}/package.json`));
}

export function electronVersion(): string {
  return readJson<PackageJson>(requireHere.resolve('electron/package.json')).version;
}

/**
 * Copies a package and everything it depends on at run time into `target`/node_modules, keeping npm's layout,
 * so a native module can be rebuilt there for Electron while the repo's copy stays built for Node.
 * `skip` leaves out paths (the package's own build output, which is rebuilt anyway).
 */
export function copyWithDependencies(
  name: string,
  target: string,
  skip: (path: string) => boolean,
): string[] {
  const modules = join(ROOT, 'node_modules');
  const copied: string[] = [];
  const visit = (dep: string, from: string) => {
    const dir = packageDir(dep, from);
    const inside = relative(modules, dir);
    if (inside.startsWith('..') || copied.includes(inside)) return;
    copied.push(inside);
    cpSync(dir, join(target, 'node_modules', inside), {
      recursive: true,
      filter: (source) => !skip(source) && !relative(dir, source).split(sep).includes('node_modules'),
    });
    const pkg = readJson<PackageJson>(join(dir, 'package.json'));
    for (const child of Object.keys(pkg.dependencies ?? {})) visit(child, dir);
  };
  visit(name, ROOT);
  return copied;
}

export function buildDesktop(): void {
  // The console's own build script belongs to the renderer; fall back to plain Vite if it is not defined yet.
  if (rootPackage().scripts?.['build:web']) run('npm', ['run', 'build:web']);
  else run('npx', ['vite', 'build']);
  run('npm', ['run', 'build:electron']);
  for (const file of [
    'dist/renderer/index.html',
    'dist/electron/main.cjs',
    'dist/electron/preload.cjs',
    'dist/electron/pull-worker.cjs',
  ])
    if (!existsSync(join(ROOT, file))) stop(`the build finished but ${file} is missing`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) buildDesktop();

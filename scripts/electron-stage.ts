// Stages the desktop app for electron-builder in release/app: the built bundles, the resources, a package.json
// of its own and a copy of better-sqlite3 with its dependencies. electron-builder rebuilds that copy for
// Electron (npmRebuild), so packaging never touches the repo's node_modules and `npm test` keeps working.
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildDesktop,
  copyWithDependencies,
  packageDir,
  readJson,
  ROOT,
  rootPackage,
} from './electron-build';

export const STAGE = join(ROOT, 'release', 'app');

export function stageApp(): void {
  buildDesktop();
  rmSync(STAGE, { recursive: true, force: true });
  mkdirSync(STAGE, { recursive: true });
  for (const folder of ['dist/electron', 'dist/renderer', 'resources'])
    cpSync(join(ROOT, folder), join(STAGE, folder), { recursive: true });

  const sqliteDir = packageDir('better-sqlite3');
  const sqliteVersion = readJson<{ version: string }>(join(sqliteDir, 'package.json')).version;
  const build = join(sqliteDir, 'build');
  const copied = copyWithDependencies('better-sqlite3', STAGE, (path) => path === build);

  const pkg = rootPackage();
  writeFileSync(
    join(STAGE, 'package.json'),
    JSON.stringify(
      {
        name: pkg.name,
        productName: 'Command Desk 情指勤舆督一体化工作台',
        version: pkg.version,
        description: pkg.description,
        author: { name: 'Command Desk', email: 'command-desk@localhost' },
        license: 'UNLICENSED',
        private: true,
        main: 'dist/electron/main.cjs',
        // Everything else is bundled into dist/electron/main.cjs; only the native module ships as a package.
        dependencies: { 'better-sqlite3': sqliteVersion },
      },
      null,
      2,
    ),
  );
  console.log(`staged the desktop app in ${STAGE} (${copied.length} packages under node_modules)`);
}

stageApp();

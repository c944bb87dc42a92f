// Bundles the Electron main process, the preload and the pull reader's worker into dist/electron as CommonJS.
// Three passes, because a sandboxed preload can require nothing but 'electron' and a worker thread starts from
// one file: each must be self-contained, sharing no chunk.
//   vite build -c vite.electron.config.ts                     → dist/electron/main.cjs
//   vite build -c vite.electron.config.ts --mode preload      → dist/electron/preload.cjs
//   vite build -c vite.electron.config.ts --mode pull-worker  → dist/electron/pull-worker.cjs
// The main bundle's pull reader (src/main/sync/pull-reader.ts) starts pull-worker.cjs from beside main.cjs;
// without it, pull answers are read on the main thread.
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/** Loaded at run time, never bundled: Electron itself and the native SQLite binding. */
const EXTERNAL = [
  'electron',
  'better-sqlite3',
  ...builtinModules,
  ...builtinModules.map((name) => `node:${name}`),
];

/** Each pass's source, by the name of the file it writes. */
const ENTRIES = {
  main: join(root, 'src', 'main', 'electron', 'main.ts'),
  preload: join(root, 'src', 'main', 'electron', 'preload.ts'),
  'pull-worker': join(root, 'src', 'main', 'sync', 'pull-worker.ts'),
};

export default defineConfig(({ mode }) => {
  const entry = mode === 'preload' || mode === 'pull-worker' ? mode : 'main';
  return {
    root,
    publicDir: false,
    logLevel: 'warn',
    build: {
      ssr: ENTRIES[entry],
      outDir: join(root, 'dist', 'electron'),
      // The main pass starts from a clean folder; the other passes add to it.
      emptyOutDir: entry === 'main',
      target: 'node22',
      minify: false,
      sourcemap: false,
      rollupOptions: {
        external: EXTERNAL,
        output: { format: 'cjs', entryFileNames: `${entry}.cjs`, codeSplitting: false },
      },
    },
    ssr: { noExternal: true, external: ['electron', 'better-sqlite3'], target: 'node' },
  };
});

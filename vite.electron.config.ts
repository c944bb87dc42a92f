// Bundles the Electron main process and the preload into dist/electron as CommonJS. Two passes, because a
// sandboxed preload can require nothing but 'electron': it must be one self-contained file, sharing no chunk.
//   vite build -c vite.electron.config.ts                 → dist/electron/main.cjs
//   vite build -c vite.electron.config.ts --mode preload  → dist/electron/preload.cjs
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

export default defineConfig(({ mode }) => {
  const entry = mode === 'preload' ? 'preload' : 'main';
  return {
    root,
    publicDir: false,
    logLevel: 'warn',
    build: {
      ssr: join(root, 'src', 'main', 'electron', `${entry}.ts`),
      outDir: join(root, 'dist', 'electron'),
      // The main pass starts from a clean folder; the preload pass adds to it.
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

// Builds the operator console (src/renderer) into dist/renderer, with the offline basemap under map/.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const mapDir = join(root, 'resources', 'map');

/** Ships resources/map/*.geojson inside the build so the desktop shell needs no second folder. */
function basemap(): Plugin {
  return {
    name: 'command-desk-basemap',
    generateBundle() {
      for (const name of readdirSync(mapDir).filter((file) => file.endsWith('.geojson'))) {
        this.emitFile({ type: 'asset', fileName: `map/${name}`, source: readFileSync(join(mapDir, name)) });
      }
    },
  };
}

export default defineConfig({
  root: join(root, 'src', 'renderer'),
  base: './',
  publicDir: false,
  plugins: [react(), basemap()],
  build: {
    outDir: join(root, 'dist', 'renderer'),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 2000,
    sourcemap: false,
  },
  server: { host: '127.0.0.1' },
});

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

/**
 * The map's chunk is imported dynamically (src/renderer/app/lazy-map.tsx), so by default the browser would only
 * ask for it once the main chunk has run; preloaded from the page, it is fetched and compiled alongside it.
 */
function preloadMapChunk(): Plugin {
  return {
    name: 'command-desk-preload-map',
    transformIndexHtml: {
      order: 'post',
      handler(_html, context) {
        const chunk = Object.values(context.bundle ?? {}).find(
          (output) => output.type === 'chunk' && output.facadeModuleId?.endsWith('panels/MapPanel.tsx'),
        );
        if (!chunk) return [];
        const css = chunk.type === 'chunk' ? [...(chunk.viteMetadata?.importedCss ?? [])] : [];
        return [
          {
            tag: 'link',
            attrs: { rel: 'modulepreload', crossorigin: true, href: `./${chunk.fileName}` },
            injectTo: 'head',
          },
          ...css.map((file) => ({
            tag: 'link',
            attrs: { rel: 'stylesheet', crossorigin: true, href: `./${file}` },
            injectTo: 'head' as const,
          })),
        ];
      },
    },
  };
}

export default defineConfig({
  root: join(root, 'src', 'renderer'),
  base: './',
  publicDir: false,
  plugins: [react(), basemap(), preloadMapChunk()],
  build: {
    outDir: join(root, 'dist', 'renderer'),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 2000,
    sourcemap: false,
  },
  server: { host: '127.0.0.1' },
});

/**
 * @file Bundling for every runtime: main (Electron shell + CLI + headless host + inference worker),
 * preload (CommonJS, as sandboxed preloads must be) and the renderer (React).
 *
 * [Note: One build, three front doors] `out/main/index.js` is Electron's entry, `out/main/cli.js` the
 * `shoebox` CLI and headless host (plain Node), `out/main/worker.js` the inference worker (utilityProcess
 * in Electron, child_process.fork elsewhere). Dependencies stay external (native addons cannot be
 * bundled); our own code is bundled.
 */
import { resolve } from 'node:path';
import { defineConfig, externalizeDepsPlugin } from 'electron-vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  main: {
    plugins: [externalizeDepsPlugin()],
    build: {
      outDir: 'out/main',
      sourcemap: true,
      rollupOptions: {
        input: {
          index: resolve('main/index.ts'),
          cli: resolve('main/cli/index.ts'),
          worker: resolve('native/worker.ts'),
          // The bundle build's worker thread (main/models/build/build-in-worker.ts finds it beside the entry).
          'build-worker': resolve('main/models/build/build-worker.ts'),
        },
        output: { format: 'es', entryFileNames: '[name].js' },
        // Rolldown's "[PLUGIN_TIMINGS]" note (plugins took a large share of the build) is advice for
        // plugin authors; `npm start` builds on a newcomer's first run and it read as a problem there.
        // https://rolldown.rs/reference/InputOptions.checks#plugintimings
        checks: { pluginTimings: false },
      },
    },
  },
  preload: {
    plugins: [externalizeDepsPlugin()],
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve('preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'renderer',
    plugins: [react()],
    build: {
      outDir: resolve('out/renderer'),
      // electron-vite leaves bundles unminified; the renderer's is parsed at every launch, before the first
      // paint (issue 14). Chunks loaded on demand: renderer/src/on-demand.tsx.
      minify: true,
      // The Map page's country outlines are one ~760 kB chunk of data (renderer/src/features/map/basemap.ts),
      // loaded only when the map opens; the default 500 kB limit would warn about it on every build.
      chunkSizeWarningLimit: 800,
      rollupOptions: { input: { index: resolve('renderer/index.html') } },
    },
  },
});

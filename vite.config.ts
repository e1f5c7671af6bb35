// Vite build of the web workspace (src/web → dist/web), served by src/http/routes/web.ts.
//   npm run build:web                       build, then print the first-load size (scripts/web-size.mjs)
//   npx vite --config vite.config.ts        development server on :5173, /api proxied to `comity serve` on :8080
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('./src/web/', import.meta.url));
const outDir = fileURLToPath(new URL('./dist/web/', import.meta.url));

/** Libraries that only the heavy pages (statistics, treaty explorer) may load, through React.lazy. */
const HEAVY = /[\\/]node_modules[\\/](recharts|victory-vendor|d3-[a-z-]+|topojson-client|world-atlas)[\\/]/;

/**
 * Fails the build when a heavy library ends up in the first load (the entry chunk and every chunk
 * it imports statically): import such a page with React.lazy(() => import('./pages/…')).
 */
function keepHeavyLibrariesLazy(): Plugin {
  return {
    name: 'comity:keep-heavy-libraries-lazy',
    apply: 'build',
    generateBundle(_options, bundle) {
      const chunks = new Map<string, { imports: string[]; moduleIds: string[] }>();
      const entries: string[] = [];
      for (const output of Object.values(bundle)) {
        if (output.type !== 'chunk') continue;
        chunks.set(output.fileName, { imports: output.imports, moduleIds: output.moduleIds });
        if (output.isEntry) entries.push(output.fileName);
      }
      const firstLoad = new Set<string>();
      const visit = (name: string): void => {
        if (firstLoad.has(name)) return;
        firstLoad.add(name);
        for (const imported of chunks.get(name)?.imports ?? []) visit(imported);
      };
      entries.forEach(visit);
      const offenders = [...firstLoad].flatMap((name) => (chunks.get(name)?.moduleIds ?? []).filter((id) => HEAVY.test(id)).map((id) => `${name}: ${id}`));
      if (offenders.length > 0) {
        this.error(`heavy libraries in the first load (use React.lazy for the page that needs them):\n  ${offenders.slice(0, 20).join('\n  ')}`);
      }
    },
  };
}

export default defineConfig({
  root,
  base: '/',
  publicDir: false,
  plugins: [react(), keepHeavyLibrariesLazy()],
  build: {
    outDir,
    emptyOutDir: true,
    // dist/web/.vite/manifest.json: scripts/web-size.mjs measures the first load from it.
    manifest: true,
    target: 'es2022',
    sourcemap: false,
    // The CSP allows data: images only; fonts and scripts are always files.
    assetsInlineLimit: (file) => (/\.(png|svg|gif|jpe?g|webp)$/.test(file) ? undefined : false),
    chunkSizeWarningLimit: 600,
    rolldownOptions: {
      output: {
        // React and i18next in one long-cached "vendor" chunk; heavy page libraries stay in their lazy chunks.
        codeSplitting: {
          groups: [{ name: 'vendor', test: /[\\/]node_modules[\\/](react|react-dom|scheduler|i18next|react-i18next|use-sync-external-store|html-parse-stringify|void-elements)[\\/]/ }],
        },
      },
    },
  },
  server: {
    port: 5173,
    strictPort: true,
    proxy: { '/api': 'http://127.0.0.1:8080', '/errors': 'http://127.0.0.1:8080' },
  },
});

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import bpmnlint from 'rollup-plugin-bpmnlint';

// Swagger UI for the API's own /api/v1/docs, from the swagger-ui-dist package of the committed
// lock: its script and stylesheet are copied into dist/swagger-ui/, which the Flask service
// serves at /swagger-ui/ (api/swagger.py). Government intranets reach no CDN, so nothing the
// product serves may load from elsewhere.
const SWAGGER_UI_FILES = ['swagger-ui-bundle.js', 'swagger-ui.css', 'LICENSE', 'NOTICE'];

function swaggerUi() {
  const root = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  return {
    name: 'govit-swagger-ui',
    apply: 'build',
    generateBundle() {
      for (const file of SWAGGER_UI_FILES) {
        let source = readFileSync(join(root, file));
        if (/\.(js|css)$/.test(file)) {
          // the source maps are not shipped: drop the comment that would make devtools ask for one
          source = source.toString('utf8').replace(/(\/\/|\/\*)# sourceMappingURL=[^\s*]+( ?\*\/)?\s*$/, '');
        }
        this.emitFile({ type: 'asset', fileName: `swagger-ui/${file}`, source });
      }
    },
  };
}

// The modeler's lint configuration (src/admin/lint/.bpmnlintrc, also used by the test of the bundled
// diagrams) is compiled at build time into a module that bundles the rules it names.
// Built into web/dist, which the Flask service serves at / (api/web.py). In development
// `npm run dev` proxies /api to a service started with `make run`.
export default defineConfig({
  plugins: [react(), swaggerUi(), bpmnlint({ include: /\.bpmnlintrc$/ })],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 4000,
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:5000', '/healthz': 'http://127.0.0.1:5000' },
  },
});

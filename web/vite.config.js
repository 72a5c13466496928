import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Built into web/dist, which the Flask service serves at / (api/web.py). In development
// `npm run dev` proxies /api to a service started with `make run`.
export default defineConfig({
  plugins: [react()],
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

import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';
import { appShell } from './plugins/appShell.ts';

// The dev server forwards the API (HTTP and WebSocket) and the file routes, so the page, its cookie and
// its socket share one origin.
const serverUrl = process.env.PARLEY_SERVER_URL ?? 'http://localhost:3000';

export default defineConfig({
  plugins: [svelte(), appShell()],
  server: {
    port: 5173,
    strictPort: true,
    proxy: { '/trpc': { target: serverUrl, ws: true }, '/uploads': serverUrl, '/files': serverUrl },
  },
  build: { target: 'es2022' },
});

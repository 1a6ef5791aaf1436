import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig, loadEnv } from 'vite';

export default defineConfig(({ mode }) => {
  // OUTPOST_DEV_SERVER: where `vite dev` forwards the API, Yjs and socket.io traffic.
  // Default: the realtime server on its default port.
  const env = loadEnv(mode, '.', 'OUTPOST_');
  const target = env.OUTPOST_DEV_SERVER ?? 'http://127.0.0.1:3000';
  return {
    plugins: [sveltekit()],
    server: {
      proxy: {
        '/api': { target },
        '/yjs': { target, ws: true },
        '/socket.io': { target, ws: true },
      },
    },
  };
});

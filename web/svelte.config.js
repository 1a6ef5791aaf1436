import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  compilerOptions: {
    // Svelte 5 runes everywhere; no legacy reactive statements.
    runes: true,
  },
  kit: {
    // `web/build/handler.js` is what the realtime server mounts.
    adapter: adapter({ out: 'build', precompress: false }),
    paths: {
      // Absolute asset paths, so one cached app shell works at every URL when offline.
      relative: false,
    },
    serviceWorker: { register: true },
  },
};

export default config;

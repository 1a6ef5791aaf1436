/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
import { build, files, prerendered, version } from '$service-worker';

/**
 * Makes Outpost open without a network: the build and the static files are cached at install,
 * and a page navigation that cannot reach the server gets the cached app shell (the app is
 * client-rendered, so one shell serves every URL). Data is not cached here: it lives in Yjs
 * documents kept in IndexedDB. API, Yjs and socket.io traffic always goes to the network.
 */
const sw = self as unknown as ServiceWorkerGlobalScope;

const CACHE = `outpost-${version}`;
const SHELL = '/__outpost_shell';
const ASSETS = [...build, ...files, ...prerendered];
/** Paths that must never be answered from the cache. */
const NETWORK_ONLY = ['/api/', '/yjs/', '/socket.io/'];

sw.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll(ASSETS);
      // Any page of a client-rendered SvelteKit app is the same shell; keep one.
      const shell = await fetch('/login', { credentials: 'same-origin', cache: 'no-store' });
      if (shell.ok) await cache.put(SHELL, shell);
      await sw.skipWaiting();
    })(),
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key !== CACHE) await caches.delete(key);
      }
      await sw.clients.claim();
    })(),
  );
});

sw.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== sw.location.origin) return;
  if (NETWORK_ONLY.some((prefix) => url.pathname.startsWith(prefix))) return;

  if (request.mode === 'navigate') {
    event.respondWith(navigate(request));
    return;
  }
  if (ASSETS.includes(url.pathname)) {
    event.respondWith(cacheFirst(request));
  }
});

/** Network first for pages (fresh shell when online), the cached shell when offline. */
async function navigate(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && response.headers.get('content-type')?.includes('text/html')) {
      await cache.put(SHELL, response.clone());
    }
    return response;
  } catch (error) {
    const shell = await cache.match(SHELL);
    if (shell) return shell;
    throw error;
  }
}

async function cacheFirst(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

import { startI18n } from '$lib/i18n/index.ts';
import type { LayoutLoad } from './$types';

// A client-rendered shell: the server only sends the app frame, so the service worker can
// serve it for any URL when there is no network, and all data comes from Yjs documents.
export const ssr = false;
export const prerender = false;
export const trailingSlash = 'never';

export const load: LayoutLoad = () => {
  startI18n();
  return {};
};

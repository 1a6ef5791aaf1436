import { redirect } from '@sveltejs/kit';
import { fetchSession } from '$lib/session.ts';
import type { LayoutLoad } from './$types';

/** Every page in this group needs a signed-in user (cached for offline use). */
export const load: LayoutLoad = async ({ fetch }) => {
  const session = await fetchSession(fetch);
  if (session.kind === 'signed-out') redirect(307, '/login');
  return { user: session.user, offline: session.offline };
};

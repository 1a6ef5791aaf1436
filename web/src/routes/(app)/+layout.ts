import { redirect } from '@sveltejs/kit';
import { fetchSession } from '$lib/session.ts';
import { handInStoredDocuments } from '$lib/sync/hand-in.ts';
import { totalUnsaved } from '$lib/sync/local-store.ts';
import type { LayoutLoad } from './$types';

/**
 * Every page in this group needs a signed-in user (cached for offline use). A session the
 * server no longer accepts (disabled, signed out everywhere) first hands in what this device
 * has not saved, so the work reaches a supervisor instead of staying on the phone.
 */
export const load: LayoutLoad = async ({ fetch }) => {
  const session = await fetchSession(fetch);
  if (session.kind === 'signed-out') {
    const handedIn = totalUnsaved() > 0 ? await handInStoredDocuments() : null;
    redirect(307, handedIn === 'held' ? '/login?handedIn=1' : '/login');
  }
  return { user: session.user, offline: session.offline };
};

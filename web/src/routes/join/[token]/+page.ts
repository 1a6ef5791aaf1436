import { request, type InviteInfo } from '$lib/api.ts';
import type { PageLoad } from './$types';

/** Who the invitation or reset link is for; null when it is no longer valid. */
export const load: PageLoad = async ({ fetch, params }) => {
  const result = await request<InviteInfo>(`/api/invites/${encodeURIComponent(params.token)}`, {
    fetch,
  });
  return {
    token: params.token,
    invite: result.ok ? result.data : null,
    offline: !result.ok && result.status === 0,
  };
};

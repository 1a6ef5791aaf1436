import { request, type PersonRecord } from '$lib/api.ts';
import type { PageLoad } from './$types';

/** The accounts of the workspace; `invalidate('app:people')` loads them again after a change. */
export const load: PageLoad = async ({ fetch, depends }) => {
  depends('app:people');
  const result = await request<{ users: PersonRecord[] }>('/api/users', { fetch });
  return result.ok
    ? { users: result.data.users, failure: null }
    : { users: [] as PersonRecord[], failure: result };
};

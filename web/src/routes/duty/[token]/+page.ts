import { error } from '@sveltejs/kit';
import type { PageLoad } from './$types';

export const load: PageLoad = ({ params }) => {
  if (!/^[A-Za-z0-9_.-]{1,200}$/.test(params.token)) error(404, 'unknown duty table');
  return { token: params.token };
};

import { isValidSegment } from '@outpost/model';
import { error } from '@sveltejs/kit';
import type { PageLoad } from './$types';

export const load: PageLoad = ({ params }) => {
  if (!isValidSegment(params.grid)) error(404, 'unknown grid');
  return { grid: params.grid };
};

import { isValidSegment } from '@outpost/model';
import { error } from '@sveltejs/kit';
import type { PageLoad } from './$types';

export const load: PageLoad = ({ params }) => {
  if (!isValidSegment(params.boardId)) error(404, 'unknown board');
  return { boardId: params.boardId };
};

import { parseDocName } from '@outpost/model';
import { request, type HeldChange, type TaskList } from '$lib/api.ts';
import type { PageLoad } from './$types';

/**
 * The holding queue, and the titles of the tasks it mentions (read from each board concerned
 * over REST, so reviewing does not open every board). `invalidate('app:held')` reloads it.
 */
export const load: PageLoad = async ({ fetch, depends }) => {
  depends('app:held');
  const result = await request<{ held: HeldChange[] }>('/api/held', { fetch });
  if (!result.ok) return { held: [] as HeldChange[], titles: {}, failure: result };
  const boards = new Set(
    result.data.held
      .map((h) => parseDocName(h.document))
      .filter((ref) => ref?.kind === 'board' && ref.id)
      .map((ref) => ref!.id!),
  );
  const titles: Record<string, string> = {};
  await Promise.all(
    [...boards].map(async (boardId) => {
      const tasks = await request<TaskList>(
        `/api/boards/${encodeURIComponent(boardId)}/tasks?archived=1`,
        { fetch },
      );
      if (tasks.ok) for (const task of tasks.data.tasks) titles[task.id] = task.title;
    }),
  );
  return { held: result.data.held, titles, failure: null };
};

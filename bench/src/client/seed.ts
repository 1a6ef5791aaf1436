/** Documents the bench writes, built with the model package so they respect Outpost's schema. */
import * as Y from 'yjs';
import { TASK_STATUSES, TaskBoard, type TaskStatus } from '@outpost/model';

/** Actor id on every bench edit (any valid id works: the schema checks the shape only). */
/**
 * Who the bench's edits are signed by: the demo administrator (fixed id in demo mode), whose
 * token the harness uses, so Outpost's attribution check accepts them.
 */
export const ACTOR = 'demo-admin';

export interface SeedBoard {
  /** The whole board as one update. */
  update: Uint8Array;
  /** The same board as the updates that created it, `SEED_CHUNK` tasks each. */
  chunks: Uint8Array[];
  /** Task ids in creation order. */
  ids: string[];
  titles: string[];
  buildMs: number;
}

const boards = new Map<number, SeedBoard>();
const backlogs = new Map<number, SeedBoard>();

/** Tasks per update when a board is built (and sent) as many updates. */
export const SEED_CHUNK = 100;

/** Title of the i-th seeded task (the browser scenario looks cards up by it). */
export function seedTitle(i: number): string {
  return `Bench task ${String(i).padStart(5, '0')}`;
}

/**
 * A board of `tasks` tasks spread over the four columns, as many people would have built it:
 * every `SEED_CHUNK` tasks come from another device (Yjs client). Built chunk by chunk, because
 * `TaskBoard.create` scans the whole board for each task (quadratic on one big document).
 * Cached per size.
 */
export function seedBoard(tasks: number): SeedBoard {
  const cached = boards.get(tasks);
  if (cached) return cached;
  const started = performance.now();
  const chunks: Uint8Array[] = [];
  const ids: string[] = [];
  const titles: string[] = [];
  for (let from = 0; from < tasks; from += SEED_CHUNK) {
    const doc = new Y.Doc();
    if (from === 0) doc.getMap('meta').set('name', `Bench board (${tasks} tasks)`);
    createTasks(doc, from, Math.min(tasks, from + SEED_CHUNK), tasks, ids, titles);
    chunks.push(Y.encodeStateAsUpdate(doc));
    doc.destroy();
  }
  const seed = { update: Y.mergeUpdates(chunks), chunks, ids, titles, buildMs: 0 };
  seed.buildMs = performance.now() - started;
  boards.set(tasks, seed);
  return seed;
}

/**
 * `tasks` tasks created on one device (one Yjs client), as one update: what a phone that was
 * offline sends when it reconnects. Cached per size.
 */
export function backlogUpdate(tasks: number): SeedBoard {
  const cached = backlogs.get(tasks);
  if (cached) return cached;
  const started = performance.now();
  const doc = new Y.Doc();
  const ids: string[] = [];
  const titles: string[] = [];
  doc.transact(() => createTasks(doc, 0, tasks, tasks, ids, titles));
  const update = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  const seed = { update, chunks: [update], ids, titles, buildMs: performance.now() - started };
  backlogs.set(tasks, seed);
  return seed;
}

function createTasks(
  doc: Y.Doc,
  from: number,
  to: number,
  total: number,
  ids: string[],
  titles: string[],
): void {
  const board = new TaskBoard(doc);
  const now = Date.now();
  doc.transact(() => {
    for (let i = from; i < to; i++) {
      const title = seedTitle(i);
      ids.push(
        board.create(
          {
            title,
            description: `Seeded by the benchmark: task ${i} of ${total}.`,
            status: TASK_STATUSES[i % TASK_STATUSES.length]!,
            priority: i % 7 === 0 ? 'high' : 'normal',
            tags: i % 5 === 0 ? ['bench'] : [],
          },
          ACTOR,
          now,
        ),
      );
      titles.push(title);
    }
  });
}

let singleTask: Uint8Array | null = null;

/** One small task creation as an update (sent to many documents in the many-documents scenario). */
export function singleTaskUpdate(): Uint8Array {
  if (!singleTask) {
    const doc = new Y.Doc();
    new TaskBoard(doc).create({ title: 'Check the generator at gate 2' }, ACTOR);
    singleTask = Y.encodeStateAsUpdate(doc);
    doc.destroy();
  }
  return singleTask;
}

/** The next status in a fixed cycle (an edit always changes the status). */
export function nextStatus(current: TaskStatus): TaskStatus {
  return TASK_STATUSES[(TASK_STATUSES.indexOf(current) + 1) % TASK_STATUSES.length]!;
}

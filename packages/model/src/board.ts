import * as Y from 'yjs';
import type {
  ChecklistItem,
  HistoryEntry,
  Task,
  TaskComment,
  TaskInput,
  TaskPatch,
  TaskStatus,
} from './types.ts';
import { LIMITS, PRIORITIES, TASK_KINDS, TASK_STATUSES } from './types.ts';
import { isLatLng } from './schema.ts';
import { newId } from './ids.ts';

/**
 * Typed access to a task board document (`board:<workspace>:<board>`).
 *
 * Every task is a Y.Map of its own inside the root map `tasks`, with one key per field, so two
 * people editing different fields of the same card (or one moving it while another edits the
 * title) both keep their change. Sets (assignees, tags) are Y.Maps of `id -> true` so that
 * concurrent additions merge; comments and history are append-only Y.Arrays.
 */
export class TaskBoard {
  readonly tasks: Y.Map<Y.Map<unknown>>;
  readonly meta: Y.Map<unknown>;

  constructor(readonly doc: Y.Doc) {
    this.tasks = doc.getMap('tasks');
    this.meta = doc.getMap('meta');
  }

  get name(): string {
    const name = this.meta.get('name');
    return typeof name === 'string' ? name : '';
  }

  /** All tasks as plain snapshots, including archived ones. */
  list(): Task[] {
    const result: Task[] = [];
    this.tasks.forEach((ymap) => {
      const task = readTask(ymap);
      if (task) result.push(task);
    });
    return result;
  }

  get(id: string): Task | null {
    const ymap = this.tasks.get(id);
    return ymap ? readTask(ymap) : null;
  }

  create(input: TaskInput, actor: string, now = Date.now()): string {
    const title = requireTitle(input.title);
    const id = newId();
    const status = input.status ?? 'todo';
    this.doc.transact(() => {
      const ymap = new Y.Map<unknown>();
      this.tasks.set(id, ymap);
      ymap.set('id', id);
      ymap.set('title', title);
      ymap.set('description', clip(input.description ?? '', LIMITS.descriptionLength));
      ymap.set('status', status);
      ymap.set('order', this.endOrder(status));
      ymap.set('kind', input.kind ?? 'other');
      ymap.set('priority', input.priority ?? 'normal');
      ymap.set('grid', input.grid ?? null);
      ymap.set('location', checkLocation(input.location ?? null));
      ymap.set('due', input.due ?? null);
      ymap.set('archived', false);
      ymap.set('assignees', idSet(input.assignees ?? []));
      ymap.set('tags', idSet((input.tags ?? []).map(cleanTag).filter(Boolean)));
      ymap.set('checklist', new Y.Array());
      ymap.set('comments', new Y.Array());
      ymap.set('history', Y.Array.from([history('created', actor, now)]));
      ymap.set('createdBy', actor);
      ymap.set('createdAt', now);
      ymap.set('updatedBy', actor);
      ymap.set('updatedAt', now);
    });
    return id;
  }

  /** Sets the given fields only; fields not named keep whatever others wrote concurrently. */
  update(id: string, patch: TaskPatch, actor: string, now = Date.now()): void {
    const ymap = this.require(id);
    const fields: string[] = [];
    this.doc.transact(() => {
      for (const [key, raw] of Object.entries(patch)) {
        if (raw === undefined) continue;
        const next = normalizeField(key, raw);
        if (!sameValue(ymap.get(key), next)) {
          ymap.set(key, next);
          fields.push(key);
        }
      }
      if (fields.length === 0) return;
      touch(ymap, actor, now, 'edited', fields);
    });
  }

  /**
   * Moves a card to a column, before the card `beforeId` (or to the end when null). Only
   * `status` and `order` change, so an edit made meanwhile by someone else survives.
   */
  move(
    id: string,
    status: TaskStatus,
    beforeId: string | null,
    actor: string,
    now = Date.now(),
  ): void {
    const ymap = this.require(id);
    if (!TASK_STATUSES.includes(status)) throw new Error(`unknown status: ${status}`);
    const column = this.list()
      .filter((t) => t.status === status && !t.archived && t.id !== id)
      .sort(byOrder);
    let order: number;
    const index = beforeId === null ? -1 : column.findIndex((t) => t.id === beforeId);
    if (index === -1) {
      order = column.length ? column[column.length - 1]!.order + 1 : 1;
    } else {
      const prev = index > 0 ? column[index - 1]!.order : column[index]!.order - 2;
      order = (prev + column[index]!.order) / 2;
    }
    this.doc.transact(() => {
      ymap.set('status', status);
      ymap.set('order', order);
      touch(ymap, actor, now, 'moved', ['status']);
    });
  }

  setAssignees(id: string, userIds: string[], actor: string, now = Date.now()): void {
    replaceSet(this, id, 'assignees', userIds.slice(0, LIMITS.assignees), actor, now, 'assigned');
  }

  setTags(id: string, tags: string[], actor: string, now = Date.now()): void {
    const clean = tags.map(cleanTag).filter(Boolean).slice(0, LIMITS.tags);
    replaceSet(this, id, 'tags', clean, actor, now, 'edited');
  }

  addComment(id: string, text: string, actor: string, now = Date.now()): string {
    const ymap = this.require(id);
    const body = text.trim();
    if (!body) throw new Error('a comment needs text');
    const comment: TaskComment = {
      id: newId(),
      author: actor,
      text: clip(body, LIMITS.commentLength),
      at: now,
    };
    this.doc.transact(() => {
      (ymap.get('comments') as Y.Array<TaskComment>).push([comment]);
      touch(ymap, actor, now, 'commented');
    });
    return comment.id;
  }

  addChecklistItem(id: string, text: string, actor: string, now = Date.now()): string {
    const ymap = this.require(id);
    const list = ymap.get('checklist') as Y.Array<Y.Map<unknown>>;
    if (list.length >= LIMITS.checklistItems) throw new Error('checklist is full');
    const itemId = newId();
    this.doc.transact(() => {
      const item = new Y.Map<unknown>();
      list.push([item]);
      item.set('id', itemId);
      item.set('text', clip(text.trim() || '-', LIMITS.checklistTextLength));
      item.set('done', false);
      touch(ymap, actor, now, 'edited', ['checklist']);
    });
    return itemId;
  }

  setChecklistDone(
    id: string,
    itemId: string,
    done: boolean,
    actor: string,
    now = Date.now(),
  ): void {
    const ymap = this.require(id);
    const list = ymap.get('checklist') as Y.Array<Y.Map<unknown>>;
    const item = list.toArray().find((m) => m.get('id') === itemId);
    if (!item) throw new Error(`no checklist item ${itemId}`);
    this.doc.transact(() => {
      item.set('done', done);
      touch(ymap, actor, now, 'edited', ['checklist']);
    });
  }

  /** Archiving hides a card but keeps it and its history; nothing is ever deleted. */
  setArchived(id: string, archived: boolean, actor: string, now = Date.now()): void {
    const ymap = this.require(id);
    this.doc.transact(() => {
      ymap.set('archived', archived);
      touch(ymap, actor, now, archived ? 'archived' : 'restored');
    });
  }

  /** Calls `listener` after every change to the board, local or remote. */
  observe(listener: (transaction: Y.Transaction) => void): () => void {
    const handler = (_events: unknown, transaction: Y.Transaction) => listener(transaction);
    this.tasks.observeDeep(handler);
    return () => this.tasks.unobserveDeep(handler);
  }

  private require(id: string): Y.Map<unknown> {
    const ymap = this.tasks.get(id);
    if (!ymap) throw new Error(`no task ${id}`);
    return ymap;
  }

  private endOrder(status: TaskStatus): number {
    let max = 0;
    this.tasks.forEach((ymap) => {
      const order = ymap.get('order');
      if (ymap.get('status') === status && typeof order === 'number' && order > max) max = order;
    });
    return max + 1;
  }
}

export function byOrder(a: Task, b: Task): number {
  return a.order - b.order || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Reads one task map into a plain snapshot; returns null when required fields are missing. */
export function readTask(ymap: Y.Map<unknown>): Task | null {
  const id = ymap.get('id');
  const title = ymap.get('title');
  if (typeof id !== 'string' || typeof title !== 'string') return null;
  const str = (k: string, d = '') => {
    const v = ymap.get(k);
    return typeof v === 'string' ? v : d;
  };
  const num = (k: string) => {
    const v = ymap.get(k);
    return typeof v === 'number' ? v : null;
  };
  const keys = (k: string) => {
    const v = ymap.get(k);
    return v instanceof Y.Map ? [...v.keys()].sort() : [];
  };
  const list = <T>(k: string): T[] => {
    const v = ymap.get(k);
    return v instanceof Y.Array ? (v.toArray() as T[]) : [];
  };
  const status = str('status', 'todo') as TaskStatus;
  const kind = str('kind', 'other');
  const priority = str('priority', 'normal');
  const location = ymap.get('location');
  return {
    id,
    title,
    description: str('description'),
    status: TASK_STATUSES.includes(status) ? status : 'todo',
    order: num('order') ?? 0,
    kind: (TASK_KINDS as readonly string[]).includes(kind) ? (kind as Task['kind']) : 'other',
    priority: (PRIORITIES as readonly string[]).includes(priority)
      ? (priority as Task['priority'])
      : 'normal',
    grid: typeof ymap.get('grid') === 'string' ? (ymap.get('grid') as string) : null,
    location: isLatLng(location) ? (location as Task['location']) : null,
    due: num('due'),
    assignees: keys('assignees'),
    tags: keys('tags'),
    checklist: list<Y.Map<unknown>>('checklist').map((m): ChecklistItem => ({
      id: String(m.get('id') ?? ''),
      text: String(m.get('text') ?? ''),
      done: m.get('done') === true,
    })),
    comments: list<TaskComment>('comments'),
    history: list<HistoryEntry>('history'),
    archived: ymap.get('archived') === true,
    createdBy: str('createdBy'),
    createdAt: num('createdAt') ?? 0,
    updatedBy: str('updatedBy'),
    updatedAt: num('updatedAt') ?? 0,
  };
}

function touch(
  ymap: Y.Map<unknown>,
  actor: string,
  now: number,
  action: HistoryEntry['action'],
  fields?: string[],
): void {
  ymap.set('updatedBy', actor);
  ymap.set('updatedAt', now);
  const log = ymap.get('history');
  if (log instanceof Y.Array) {
    log.push([history(action, actor, now, fields)]);
    // Bounded: the full audit trail lives on the server; the card keeps the recent past.
    if (log.length > LIMITS.history) log.delete(0, log.length - LIMITS.history);
  }
}

function history(
  action: HistoryEntry['action'],
  by: string,
  at: number,
  fields?: string[],
): HistoryEntry {
  return fields ? { at, by, action, fields } : { at, by, action };
}

function replaceSet(
  board: TaskBoard,
  id: string,
  key: 'assignees' | 'tags',
  values: string[],
  actor: string,
  now: number,
  action: HistoryEntry['action'],
): void {
  const ymap = board.tasks.get(id);
  if (!ymap) throw new Error(`no task ${id}`);
  const set = ymap.get(key) as Y.Map<true>;
  const wanted = new Set(values);
  board.doc.transact(() => {
    let changed = false;
    for (const existing of [...set.keys()]) {
      if (!wanted.has(existing)) {
        set.delete(existing);
        changed = true;
      }
    }
    for (const value of wanted) {
      if (!set.has(value)) {
        set.set(value, true);
        changed = true;
      }
    }
    if (changed) touch(ymap, actor, now, action, [key]);
  });
}

function idSet(values: string[]): Y.Map<true> {
  const map = new Y.Map<true>();
  for (const v of values) map.set(v, true);
  return map;
}

function requireTitle(title: string): string {
  const clean = title.trim();
  if (!clean) throw new Error('a task needs a title');
  return clip(clean, LIMITS.titleLength);
}

function clip(text: string, max: number): string {
  return text.length > max ? text.slice(0, max) : text;
}

function cleanTag(tag: string): string {
  return clip(tag.trim(), LIMITS.tagLength);
}

function checkLocation(location: unknown): Task['location'] {
  if (location === null) return null;
  if (!isLatLng(location)) throw new Error('location must be {lat, lng} in WGS-84 degrees');
  return location as Task['location'];
}

function normalizeField(key: string, raw: unknown): unknown {
  switch (key) {
    case 'title':
      return requireTitle(String(raw));
    case 'description':
      return clip(String(raw), LIMITS.descriptionLength);
    case 'location':
      return checkLocation(raw);
    case 'status':
    case 'kind':
    case 'priority':
    case 'grid':
    case 'due':
      return raw;
    default:
      throw new Error(`field ${key} cannot be set with update()`);
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

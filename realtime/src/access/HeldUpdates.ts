import * as Y from 'yjs';
import { newId } from '@outpost/model';
import type { Sql } from '../store/sql.ts';

export interface HeldUpdate {
  id: string;
  workspaceId: string;
  document: string;
  userId: string;
  reason: string;
  /** What the change touches, e.g. `["task Ab12: status, comments"]`. */
  summary: string[];
  createdAt: number;
  decision: 'accepted' | 'rejected' | null;
  decidedBy: string | null;
  decidedAt: number | null;
}

interface Row {
  id: string;
  workspace_id: string;
  document: string;
  user_id: string;
  reason: string;
  summary: string;
  created_at: number;
  decision: string | null;
  decided_by: string | null;
  decided_at: number | null;
}

const toHeld = (row: Row): HeldUpdate => ({
  id: row.id,
  workspaceId: row.workspace_id,
  document: row.document,
  userId: row.user_id,
  reason: row.reason,
  summary: JSON.parse(row.summary) as string[],
  createdAt: Number(row.created_at),
  decision: row.decision as HeldUpdate['decision'],
  decidedBy: row.decided_by,
  decidedAt: row.decided_at === null ? null : Number(row.decided_at),
});

/** Most open held changes kept per person and document; more are refused, not stored. */
const MAX_OPEN_PER_USER_DOCUMENT = 50;

/** The person already has as many changes to this document waiting as one reviewer can take. */
export class HeldQueueFull extends Error {
  constructor() {
    super(
      `more than ${MAX_OPEN_PER_USER_DOCUMENT} of your changes to this document wait for review; ask a supervisor to review them first`,
    );
    this.name = 'HeldQueueFull';
  }
}

/**
 * The holding queue: edits a person made that the server may not apply on their word (made
 * offline before their access changed, or handed in after they were signed out). Kept until
 * a supervisor accepts or rejects them; never silently dropped.
 */
export class HeldUpdates {
  constructor(private readonly sql: Sql) {}

  /**
   * Holds what of `update` is new both to the document and to what is already held for this
   * person and document. Returns the new entry, or null when nothing in it is new (a client
   * resending after a refusal, a device handing in what the server has).
   */
  async hold(input: {
    workspaceId: string;
    document: string;
    userId: string;
    reason: string;
    summary: string[];
    update: Uint8Array;
    /** The document as the server has it now (read before anything else happens to it). */
    doc: Y.Doc;
  }): Promise<HeldUpdate | null> {
    const known = new Y.Doc({ gc: false });
    Y.applyUpdate(known, Y.encodeStateAsUpdate(input.doc));
    const open = await this.sql.all<{ data: Uint8Array }>(
      'SELECT data FROM held_updates WHERE document = ? AND user_id = ? AND decided_at IS NULL',
      [input.document, input.userId],
    );
    for (const entry of open) Y.applyUpdate(known, new Uint8Array(entry.data));
    if (!addsAnything(known, input.update)) return null;
    if (open.length >= MAX_OPEN_PER_USER_DOCUMENT) throw new HeldQueueFull();
    // The id is chosen before the write: a statement the store retries after its commit went
    // through finds the row there and adds nothing (rather than failing on the key).
    const id = newId();
    await this.sql.run(
      `INSERT INTO held_updates (id, workspace_id, document, user_id, reason, summary, data, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO NOTHING`,
      [
        id,
        input.workspaceId,
        input.document,
        input.userId,
        input.reason.slice(0, 300),
        JSON.stringify(input.summary.slice(0, 50)),
        Y.diffUpdate(input.update, Y.encodeStateVector(known)),
        Date.now(),
      ],
    );
    return this.get(input.workspaceId, id);
  }

  /** Open entries, and those decided in the last week, newest first. */
  async list(workspaceId: string, now = Date.now()): Promise<HeldUpdate[]> {
    const rows = await this.sql.all<Row>(
      `SELECT id, workspace_id, document, user_id, reason, summary, created_at, decision, decided_by, decided_at
       FROM held_updates WHERE workspace_id = ? AND (decided_at IS NULL OR decided_at > ?)
       ORDER BY created_at DESC LIMIT 500`,
      [workspaceId, now - 7 * 24 * 3600_000],
    );
    return rows.map(toHeld);
  }

  async get(workspaceId: string, id: string): Promise<HeldUpdate | null> {
    const row = await this.row(workspaceId, id);
    return row ? toHeld(row) : null;
  }

  async data(workspaceId: string, id: string): Promise<Uint8Array | null> {
    const row = await this.row(workspaceId, id);
    return row ? new Uint8Array(row.data) : null;
  }

  /** Records the decision once; false if it was already decided. */
  async decide(id: string, decision: 'accepted' | 'rejected', by: string): Promise<boolean> {
    const changed = await this.sql.run(
      'UPDATE held_updates SET decision = ?, decided_by = ?, decided_at = ? WHERE id = ? AND decided_at IS NULL',
      [decision, by, Date.now(), id],
    );
    return changed > 0;
  }

  private row(workspaceId: string, id: string): Promise<(Row & { data: Uint8Array }) | undefined> {
    return this.sql.get('SELECT * FROM held_updates WHERE id = ? AND workspace_id = ?', [
      id,
      workspaceId,
    ]);
  }
}

/**
 * Would applying `update` change `doc` (new content or new deletions)? Compared by snapshots
 * (state vector and delete set), on a copy, so `doc` is left as it was.
 */
export function addsAnything(doc: Y.Doc, update: Uint8Array): boolean {
  const copy = new Y.Doc({ gc: false });
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
  const before = Y.snapshot(copy);
  Y.applyUpdate(copy, update);
  // Content that cannot be placed yet is something the server does not have: keep it.
  if (copy.store.pendingStructs !== null || copy.store.pendingDs !== null) return true;
  return !Y.equalSnapshots(before, Y.snapshot(copy));
}

/** Short human summary of what a report touches: one line per task. */
export function summarize(paths: readonly (readonly string[])[]): string[] {
  const byTask = new Map<string, Set<string>>();
  for (const path of paths) {
    const key = path[0] === 'tasks' && path[1] ? `task ${path[1]}` : (path[0] ?? '?');
    const fields = byTask.get(key) ?? new Set<string>();
    if (path[0] === 'tasks' && path[2]) fields.add(path[2]);
    byTask.set(key, fields);
  }
  return [...byTask].map(([key, fields]) =>
    fields.size ? `${key}: ${[...fields].sort().join(', ')}` : key,
  );
}

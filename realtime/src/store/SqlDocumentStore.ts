import * as Y from 'yjs';
import type { Sql } from './sql.ts';
import type { DocumentStore, StoredDocument } from './types.ts';

/**
 * Yjs documents as an append-only update log with snapshots, in SQLite (embedded) or
 * PostgreSQL (cluster mode): the same statements on both. Each document has its own sequence,
 * taken from a row in `doc_heads` that the appending transaction locks, so sequence numbers are
 * gap-free and follow commit order: a node that has read up to N can never later find an
 * update below N it did not see.
 */
export class SqlDocumentStore implements DocumentStore {
  constructor(private readonly sql: Sql) {}

  async read(name: string, after = -1): Promise<StoredDocument> {
    // One statement: PostgreSQL reads it from one snapshot, so a compaction committing in
    // between cannot hide updates that were folded into a snapshot this read misses.
    const rows = await this.sql.all<{ k: number; seq: number; data: Uint8Array }>(
      `SELECT 0 AS k, seq, data FROM doc_snapshots WHERE name = ? AND seq > ?
       UNION ALL
       SELECT 1 AS k, doc_seq AS seq, data FROM doc_updates WHERE name = ? AND doc_seq > ?
       ORDER BY k, seq`,
      [name, after, name, after],
    );
    const updates: Uint8Array[] = [];
    let bytes = 0;
    let seq = Math.max(after, 0);
    let pending = 0;
    for (const row of rows) {
      updates.push(new Uint8Array(row.data.buffer, row.data.byteOffset, row.data.byteLength));
      bytes += row.data.byteLength;
      seq = Math.max(seq, Number(row.seq));
      if (Number(row.k) === 1) pending++;
    }
    return { updates, bytes, pending, seq };
  }

  async appendMany(
    entries: readonly { name: string; update: Uint8Array }[],
  ): Promise<{ seq: number; pending: number }[]> {
    if (!entries.length) return [];
    // Count per document, and lock the heads in name order so two nodes never deadlock.
    const counts = new Map<string, number>();
    for (const { name } of entries) counts.set(name, (counts.get(name) ?? 0) + 1);
    const names = [...counts.keys()].sort();
    return this.sql.transaction(async (tx) => {
      const next = new Map<string, { seq: number; snapshot: number }>();
      for (const name of names) {
        const n = counts.get(name)!;
        const head = await tx.get<{ seq: number; snap: number | null }>(
          `INSERT INTO doc_heads (name, seq) VALUES (?, ?)
           ON CONFLICT (name) DO UPDATE SET seq = doc_heads.seq + excluded.seq
           RETURNING seq, (SELECT s.seq FROM doc_snapshots s WHERE s.name = doc_heads.name) AS snap`,
          [name, n],
        );
        next.set(name, { seq: Number(head!.seq) - n + 1, snapshot: Number(head!.snap ?? 0) });
      }
      const result: { seq: number; pending: number }[] = [];
      for (const { name, update } of entries) {
        const cursor = next.get(name)!;
        const seq = cursor.seq++;
        await tx.run('INSERT INTO doc_updates (name, doc_seq, data) VALUES (?, ?, ?)', [
          name,
          seq,
          update,
        ]);
        result.push({ seq, pending: seq - cursor.snapshot });
      }
      return result;
    });
  }

  async lease(name: string, holder: string, ms: number): Promise<boolean> {
    const now = Date.now();
    const changed = await this.sql.run(
      `INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
       WHERE leases.expires_at < ? OR leases.holder = excluded.holder`,
      [name, holder, now + ms, now],
    );
    return changed > 0;
  }

  async compact(name: string, snapshot: Uint8Array, seq: number, holder: string): Promise<boolean> {
    return this.sql.transaction(async (tx) => {
      const held = await tx.get<{ holder: string }>(
        `SELECT holder FROM leases WHERE name = ? AND holder = ? AND expires_at >= ?${
          tx.dialect === 'postgres' ? ' FOR UPDATE' : ''
        }`,
        [name, holder, Date.now()],
      );
      if (!held) return false;
      // Never move a snapshot backwards (a slower node compacting an older state).
      const current = await tx.get<{ seq: number }>(
        'SELECT seq FROM doc_snapshots WHERE name = ?',
        [name],
      );
      if (!current || Number(current.seq) <= seq) {
        await tx.run(
          `INSERT INTO doc_snapshots (name, data, updated_at, seq) VALUES (?, ?, ?, ?)
           ON CONFLICT (name) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at,
             seq = excluded.seq`,
          [name, snapshot, Date.now(), seq],
        );
        await tx.run('DELETE FROM doc_updates WHERE name = ? AND doc_seq <= ?', [name, seq]);
      }
      await tx.run('DELETE FROM leases WHERE name = ? AND holder = ?', [name, holder]);
      return true;
    });
  }

  async list(): Promise<string[]> {
    const rows = await this.sql.all<{ name: string }>(
      'SELECT name FROM doc_snapshots UNION SELECT DISTINCT name FROM doc_updates ORDER BY name',
    );
    return rows.map((row) => row.name);
  }

  async ping(): Promise<boolean> {
    const row = await this.sql.get<{ ok: number }>('SELECT 1 AS ok');
    return Number(row?.ok) === 1;
  }
}

/** Merges a stored document into one update (for tools and tests). */
export function mergeStored(stored: StoredDocument): Uint8Array {
  return Y.mergeUpdates(stored.updates);
}

import * as Y from 'yjs';
import type { Database } from './Database.ts';
import type { DocumentStore, StoredDocument } from './types.ts';

/** The embedded document store: an append-only update log with snapshots, in SQLite. */
export class SqliteStore implements DocumentStore {
  private readonly statements;

  constructor(private readonly db: Database) {
    this.statements = {
      snapshot: db.prepare<[string], { data: Buffer }>(
        'SELECT data FROM doc_snapshots WHERE name = ?',
      ),
      updates: db.prepare<[string], { data: Buffer }>(
        'SELECT data FROM doc_updates WHERE name = ? ORDER BY seq',
      ),
      append: db.prepare<[string, Uint8Array]>(
        'INSERT INTO doc_updates (name, data) VALUES (?, ?)',
      ),
      count: db.prepare<[string], { n: number }>(
        'SELECT count(*) AS n FROM doc_updates WHERE name = ?',
      ),
      upsertSnapshot: db.prepare<[string, Uint8Array, number]>(
        `INSERT INTO doc_snapshots (name, data, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`,
      ),
      deleteUpdates: db.prepare<[string]>('DELETE FROM doc_updates WHERE name = ?'),
      names: db.prepare<[], { name: string }>(
        'SELECT name FROM doc_snapshots UNION SELECT DISTINCT name FROM doc_updates ORDER BY name',
      ),
      ping: db.prepare<[], { ok: number }>('SELECT 1 AS ok'),
    };
    this.pendingCounts = new Map();
  }

  /** Updates since the last snapshot, per loaded document, so `append` needs no count query. */
  private readonly pendingCounts: Map<string, number>;

  load(name: string): StoredDocument {
    const updates: Uint8Array[] = [];
    let bytes = 0;
    const snapshot = this.statements.snapshot.get(name);
    if (snapshot) {
      updates.push(snapshot.data);
      bytes += snapshot.data.byteLength;
    }
    const rows = this.statements.updates.all(name);
    for (const row of rows) {
      updates.push(row.data);
      bytes += row.data.byteLength;
    }
    this.pendingCounts.set(name, rows.length);
    return { updates, bytes, pending: rows.length };
  }

  append(name: string, update: Uint8Array): number {
    this.statements.append.run(name, update);
    const pending = (this.pendingCounts.get(name) ?? this.statements.count.get(name)!.n - 1) + 1;
    this.pendingCounts.set(name, pending);
    return pending;
  }

  /**
   * Appends many updates in one transaction. Returns the documents (with the value passed
   * alongside) that reached `compactEvery` pending updates and should be compacted.
   */
  appendMany<T>(
    entries: { name: string; update: Uint8Array; doc: T }[],
    compactEvery: number,
  ): Map<string, T> {
    const due = new Map<string, T>();
    this.db.transaction(() => {
      for (const { name, update, doc } of entries) {
        if (this.append(name, update) >= compactEvery) due.set(name, doc);
      }
    })();
    return due;
  }

  compact(name: string, snapshot: Uint8Array): void {
    this.db.transaction(() => {
      this.statements.upsertSnapshot.run(name, snapshot, Date.now());
      this.statements.deleteUpdates.run(name);
    })();
    this.pendingCounts.set(name, 0);
  }

  list(): string[] {
    return this.statements.names.all().map((row) => row.name);
  }

  ping(): boolean {
    return this.statements.ping.get()?.ok === 1;
  }

  /** Forgets in-memory counters of a document that left memory. */
  forget(name: string): void {
    this.pendingCounts.delete(name);
  }
}

/** Merges a stored document into one update (for tools and tests). */
export function mergeStored(stored: StoredDocument): Uint8Array {
  return Y.mergeUpdates(stored.updates);
}

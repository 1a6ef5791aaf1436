import type { Database } from '../store/Database.ts';

export interface AuditEntry {
  id: number;
  /** Server time, epoch ms: when the change reached the server. */
  at: number;
  /** The device's own clock for the change (the card's `updatedAt`), when it said one. */
  deviceAt: number | null;
  /** Who made the change, from the authenticated connection or request; null for the system. */
  userId: string | null;
  workspaceId: string;
  document: string;
  /** `web` (Outpost app), `yjs` (another Yjs client), `api` (REST), `system`, `held` (accepted from the holding queue). */
  via: string;
  /** What changed: a task id, or `grid:<id>`, `board:<id>`, `member:<id>`, `meta`. */
  entity: string | null;
  action: string;
  fields: string[];
}

export type NewAuditEntry = Omit<AuditEntry, 'id'>;

export interface AuditQuery {
  workspaceId: string;
  entity?: string;
  userId?: string;
  document?: string;
  /** Only entries with an id below this (paging backwards). */
  before?: number;
  limit: number;
}

interface Row {
  id: number;
  at: number;
  device_at: number | null;
  user_id: string | null;
  workspace_id: string;
  document: string;
  via: string;
  entity: string | null;
  action: string;
  fields: string | null;
}

/** The audit trail: who changed what and when, append-only, in the embedded store. */
export class AuditLog {
  private readonly insert;
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
    this.insert = db.prepare(
      `INSERT INTO audit (at, device_at, user_id, workspace_id, document, via, entity, action, fields)
       VALUES (@at, @deviceAt, @userId, @workspaceId, @document, @via, @entity, @action, @fields)`,
    );
  }

  append(entries: readonly NewAuditEntry[]): void {
    if (!entries.length) return;
    this.db.transaction(() => {
      for (const entry of entries) {
        this.insert.run({
          ...entry,
          fields: entry.fields.length ? JSON.stringify(entry.fields) : null,
        });
      }
    })();
  }

  query(query: AuditQuery): AuditEntry[] {
    const where = ['workspace_id = @workspaceId'];
    if (query.entity !== undefined) where.push('entity = @entity');
    if (query.userId !== undefined) where.push('user_id = @userId');
    if (query.document !== undefined) where.push('document = @document');
    if (query.before !== undefined) where.push('id < @before');
    const rows = this.db
      .prepare<Record<string, unknown>, Row>(
        `SELECT * FROM audit WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT @limit`,
      )
      .all({ ...query });
    return rows.map((row) => ({
      id: row.id,
      at: row.at,
      deviceAt: row.device_at,
      userId: row.user_id,
      workspaceId: row.workspace_id,
      document: row.document,
      via: row.via,
      entity: row.entity,
      action: row.action,
      fields: row.fields ? (JSON.parse(row.fields) as string[]) : [],
    }));
  }
}

import { newId } from '@outpost/model';
import type { Sql, SqlValue } from '../store/sql.ts';

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

/** The audit trail: who changed what and when, append-only, in the document store's database. */
export class AuditLog {
  constructor(private readonly sql: Sql) {}

  async append(entries: readonly NewAuditEntry[]): Promise<void> {
    if (!entries.length) return;
    // Keys chosen once, outside the transaction: if the store runs it again (its COMMIT was cut
    // off but had gone through), the rows already there are skipped, not written twice.
    const keyed = entries.map((entry) => ({ entry, uid: newId() }));
    await this.sql.transaction(async (tx) => {
      for (const { entry: e, uid } of keyed) {
        await tx.run(
          `INSERT INTO audit (uid, at, device_at, user_id, workspace_id, document, via, entity, action, fields)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (uid) DO NOTHING`,
          [
            uid,
            e.at,
            e.deviceAt,
            e.userId,
            e.workspaceId,
            e.document,
            e.via,
            e.entity,
            e.action,
            e.fields.length ? JSON.stringify(e.fields) : null,
          ],
        );
      }
    });
  }

  async query(query: AuditQuery): Promise<AuditEntry[]> {
    const where = ['workspace_id = ?'];
    const params: SqlValue[] = [query.workspaceId];
    const filter = (column: string, value: string | number | undefined, op = '=') => {
      if (value === undefined) return;
      where.push(`${column} ${op} ?`);
      params.push(value);
    };
    filter('entity', query.entity);
    filter('user_id', query.userId);
    filter('document', query.document);
    filter('id', query.before, '<');
    params.push(query.limit);
    const rows = await this.sql.all<Row>(
      `SELECT * FROM audit WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`,
      params,
    );
    return rows.map((row) => ({
      id: Number(row.id),
      at: Number(row.at),
      deviceAt: row.device_at === null ? null : Number(row.device_at),
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

import * as Y from 'yjs';
import type { AuditLog, NewAuditEntry } from '../access/AuditLog.ts';
import type { Extension, OnChangePayload, Origin } from '../core/types.ts';
import type { DocumentKind } from '@outpost/model';

/**
 * Writes who changed what for every change from every path (browser, raw Yjs client, REST,
 * holding queue). Attribution comes from the transaction's origin, which the server sets from
 * the authenticated connection or request, never from what the client wrote. Rows are written
 * in one transaction per event-loop turn, and the core broadcasts and acknowledges a change
 * only after its row is stored.
 */
export class AuditTrail implements Extension {
  readonly name = 'audit-trail';
  readonly priority = 950;
  private pending: NewAuditEntry[] = [];
  private flush: Promise<void> | null = null;

  constructor(private readonly log: AuditLog) {}

  onChange({ documentName, ref, origin, transaction }: OnChangePayload): Promise<void> | void {
    if (origin.kind === 'storage' || origin.kind === 'redis') return;
    const entries = describeTransaction(transaction, ref.kind);
    if (!entries.length) return;
    const who = attribution(origin);
    const at = Date.now();
    for (const entry of entries) {
      this.pending.push({
        at,
        workspaceId: ref.workspaceId,
        document: documentName,
        ...who,
        ...entry,
      });
    }
    this.flush ??= new Promise<void>((resolve, reject) =>
      setImmediate(() => {
        const batch = this.pending;
        this.pending = [];
        this.flush = null;
        this.log.append(batch).then(resolve, reject);
      }),
    );
    return this.flush;
  }
}

function attribution(origin: Origin): { userId: string | null; via: string } {
  if (origin.kind === 'connection') {
    return {
      userId: origin.connection.context.userId,
      via: origin.connection.outpostClient ? 'web' : 'yjs',
    };
  }
  if (origin.kind === 'server') return { userId: origin.actor, via: origin.via ?? 'api' };
  return { userId: null, via: 'system' };
}

type Described = Pick<NewAuditEntry, 'entity' | 'action' | 'fields' | 'deviceAt'>;

/** Groups a transaction's changes by the entity they belong to (a task, a grid, ...). */
export function describeTransaction(transaction: Y.Transaction, kind: DocumentKind): Described[] {
  const byEntity = new Map<
    string,
    { action: string; fields: Set<string>; deviceAt: number | null }
  >();
  const touch = (entity: string, action: string, field?: string) => {
    const entry = byEntity.get(entity) ?? { action, fields: new Set<string>(), deviceAt: null };
    if (action === 'created' || action === 'deleted') entry.action = action;
    if (field) entry.fields.add(field);
    byEntity.set(entity, entry);
  };
  for (const [type, keys] of transaction.changed) {
    const path = pathOf(type);
    if (!path) continue;
    if (path.length === 1) {
      // A root map: entries added, replaced or removed.
      for (const key of keys) {
        if (key === null) continue;
        const root = path[0]!;
        const entity = kind === 'board' && root === 'tasks' ? key : `${singular(root)}:${key}`;
        // Read the root through `_map`: it works for untyped roots as well as Y.Maps.
        const item = (type as unknown as Y.Map<unknown>)._map.get(key);
        const action =
          !item || item.deleted
            ? 'deleted'
            : item && createdIn(transaction, item)
              ? 'created'
              : 'edited';
        touch(entity, action);
      }
      continue;
    }
    if (path[0] === 'tasks' && kind === 'board') {
      const taskId = path[1]!;
      if (path.length === 2) {
        for (const key of keys) if (key !== null) touch(taskId, 'edited', key);
      } else {
        touch(taskId, 'edited', path[2]);
      }
    } else if (kind === 'roster') {
      // A checkpoint, shift or swap (a Y.Map each): `shift:<id>` and the field changed.
      const entity = `${singular(path[0]!)}:${path[1]!}`;
      if (path.length === 2) {
        for (const key of keys) if (key !== null) touch(entity, 'edited', key);
      } else {
        touch(entity, 'edited', path[2]);
      }
    } else {
      touch(path[0]!, 'edited', path[1]);
    }
  }
  // The device's clock as the card recorded it.
  return [...byEntity].map(([entity, entry]) => {
    let deviceAt: number | null = null;
    if (kind === 'board') {
      const task = (transaction.doc.getMap('tasks') as Y.Map<Y.Map<unknown>>).get(entity);
      const updatedAt = task?.get('updatedAt');
      if (typeof updatedAt === 'number' && entry.fields.has('updatedAt')) deviceAt = updatedAt;
    }
    entry.fields.delete('updatedAt');
    entry.fields.delete('updatedBy');
    entry.fields.delete('history');
    return { entity, action: entry.action, fields: [...entry.fields].sort(), deviceAt };
  });
}

function singular(root: string): string {
  return root.endsWith('s') ? root.slice(0, -1) : root;
}

/** Keys from the root down to `type`, or null for a type that is no longer in the document. */
type SharedType = Parameters<typeof Y.findRootTypeKey>[0];

function pathOf(type: SharedType): string[] | null {
  const path: string[] = [];
  let current: SharedType = type;
  while (current._item !== null) {
    const item: Y.Item = current._item;
    if (item.deleted) return null;
    path.unshift(item.parentSub ?? '#');
    current = item.parent as SharedType;
  }
  const root = Y.findRootTypeKey(current);
  path.unshift(root);
  return path;
}

function createdIn(transaction: Y.Transaction, item: Y.Item): boolean {
  return item.id.clock >= (transaction.beforeState.get(item.id.client) ?? 0);
}

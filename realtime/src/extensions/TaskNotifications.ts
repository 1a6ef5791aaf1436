import * as Y from 'yjs';
import { newId, type Notification } from '@outpost/model';
import type { Extension, OnChangePayload } from '../core/types.ts';

/**
 * Tells a person at once when someone else assigns them a task (socket.io `notification`),
 * from whichever path the assignment came: browser, raw Yjs client or the REST API.
 */
export class TaskNotifications implements Extension {
  readonly name = 'task-notifications';
  readonly priority = 10;

  constructor(private readonly notify: (userId: string, notification: Notification) => void) {}

  onChange({ documentName, ref, origin, transaction }: OnChangePayload): void {
    if (ref.kind !== 'board' || origin.kind === 'storage' || origin.kind === 'redis') return;
    const by =
      origin.kind === 'connection' ? origin.connection.context.userId : (origin.actor ?? undefined);
    const assigned: { task: Y.Map<unknown>; userId: string }[] = [];
    for (const [type, keys] of transaction.changed) {
      if (!(type instanceof Y.Map)) continue;
      if (type._item === null) {
        // A root map: new tasks created in this transaction, with their initial assignees.
        for (const key of keys) {
          const task = key === null ? undefined : type.get(key);
          if (!(task instanceof Y.Map) || !wasAdded(transaction, type, key!)) continue;
          const set = task.get('assignees');
          if (set instanceof Y.Map)
            for (const userId of set.keys()) assigned.push({ task, userId });
        }
        continue;
      }
      const task = assigneesOwner(type);
      if (!task) continue;
      for (const key of keys) {
        if (key !== null && type.get(key) === true && wasAdded(transaction, type, key)) {
          assigned.push({ task, userId: key });
        }
      }
    }
    for (const { task, userId } of assigned) {
      if (userId === by) continue;
      const title = task.get('title');
      this.notify(userId, {
        id: newId(),
        kind: 'task_assigned',
        at: Date.now(),
        documentName,
        taskId: String(task.get('id') ?? ''),
        ...(typeof title === 'string' ? { title } : {}),
        ...(by ? { by } : {}),
      });
    }
  }
}

/** The task map owning `type` when `type` is a task's `assignees` set. */
function assigneesOwner(type: Y.Map<unknown>): Y.Map<unknown> | null {
  const item = type._item;
  if (!item || item.parentSub !== 'assignees') return null;
  const task = item.parent;
  return task instanceof Y.Map ? (task as Y.Map<unknown>) : null;
}

/** True when the key's current entry was created in this transaction. */
function wasAdded(transaction: Y.Transaction, type: Y.Map<unknown>, key: string): boolean {
  const item = type._map.get(key);
  if (!item) return false;
  const before = transaction.beforeState.get(item.id.client) ?? 0;
  return item.id.clock >= before;
}

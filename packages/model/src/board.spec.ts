import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { TaskBoard } from './board.ts';

/** Two replicas that exchange their full state both ways (as two offline phones reconnecting). */
function sync(a: Y.Doc, b: Y.Doc): void {
  const fromA = Y.encodeStateAsUpdate(a, Y.encodeStateVector(b));
  const fromB = Y.encodeStateAsUpdate(b, Y.encodeStateVector(a));
  Y.applyUpdate(b, fromA);
  Y.applyUpdate(a, fromB);
}

function pair(): [TaskBoard, TaskBoard, string] {
  const a = new TaskBoard(new Y.Doc());
  const b = new TaskBoard(new Y.Doc());
  const id = a.create({ title: 'Screen building 3', grid: 'g1' }, 'alice', 1000);
  sync(a.doc, b.doc);
  return [a, b, id];
}

describe('TaskBoard merge rules', () => {
  it('keeps concurrent edits of different fields of one task', () => {
    const [a, b, id] = pair();
    a.update(id, { title: 'Screen building 3, floors 1-6' }, 'alice', 2000);
    b.update(id, { priority: 'urgent', due: 5000 }, 'bob', 2001);
    sync(a.doc, b.doc);
    for (const board of [a, b]) {
      const task = board.get(id)!;
      expect(task.title).toBe('Screen building 3, floors 1-6');
      expect(task.priority).toBe('urgent');
      expect(task.due).toBe(5000);
    }
    expect(a.get(id)).toEqual(b.get(id));
  });

  it('keeps both a move and a concurrent edit', () => {
    const [a, b, id] = pair();
    a.move(id, 'in_progress', null, 'alice', 2000);
    b.update(id, { description: 'Nobody home at 302, call again' }, 'bob', 2001);
    sync(a.doc, b.doc);
    for (const board of [a, b]) {
      expect(board.get(id)!.status).toBe('in_progress');
      expect(board.get(id)!.description).toBe('Nobody home at 302, call again');
    }
  });

  it('merges concurrent assignments and comments instead of overwriting', () => {
    const [a, b, id] = pair();
    a.setAssignees(id, ['w1'], 'alice');
    b.setAssignees(id, ['w2'], 'bob');
    a.addComment(id, 'on my way', 'alice');
    b.addComment(id, 'bring masks', 'bob');
    sync(a.doc, b.doc);
    expect(a.get(id)!.assignees).toEqual(['w1', 'w2']);
    expect(
      a
        .get(id)!
        .comments.map((c) => c.text)
        .sort(),
    ).toEqual(['bring masks', 'on my way']);
    expect(a.get(id)).toEqual(b.get(id));
  });

  it('lets one checklist item be ticked while another is added', () => {
    const [a, b, id] = pair();
    const item = a.addChecklistItem(id, 'temperature logged', 'alice');
    sync(a.doc, b.doc);
    a.setChecklistDone(id, item, true, 'alice');
    b.addChecklistItem(id, 'entrance sealed', 'bob');
    sync(a.doc, b.doc);
    const checklist = b.get(id)!.checklist;
    expect(checklist).toHaveLength(2);
    expect(checklist.find((c) => c.id === item)!.done).toBe(true);
  });

  it('orders a moved card before the named card', () => {
    const board = new TaskBoard(new Y.Doc());
    const first = board.create({ title: 'first' }, 'u');
    const second = board.create({ title: 'second' }, 'u');
    const third = board.create({ title: 'third' }, 'u');
    board.move(third, 'todo', first, 'u');
    const column = board
      .list()
      .sort((x, y) => x.order - y.order)
      .map((t) => t.id);
    expect(column).toEqual([third, first, second]);
  });

  it('records who changed what in the card history', () => {
    const [a, , id] = pair();
    a.update(id, { title: 'renamed', priority: 'high' }, 'carol', 3000);
    const last = a.get(id)!.history.at(-1)!;
    expect(last).toEqual({
      at: 3000,
      by: 'carol',
      action: 'edited',
      fields: ['title', 'priority'],
    });
    expect(a.get(id)!.updatedBy).toBe('carol');
  });

  it('refuses bad input with a clear error and changes nothing', () => {
    const [a, , id] = pair();
    const before = Y.encodeStateVector(a.doc);
    expect(() => a.create({ title: '   ' }, 'u')).toThrow('a task needs a title');
    expect(() => a.update(id, { location: { lat: 200, lng: 0 } }, 'u')).toThrow('location');
    expect(() => a.move(id, 'nope' as never, null, 'u')).toThrow('unknown status');
    expect(Y.encodeStateVector(a.doc)).toEqual(before);
  });
});

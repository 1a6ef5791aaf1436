import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { TaskBoard, documentSchemas } from '@outpost/model';
import { PartlyKnown, SchemaViolation, inspectUpdate, validateUpdate } from './validateUpdate.ts';

const schema = documentSchemas.board;

/** A server replica and a client replica in sync, with one task on them. */
function setup() {
  const server = new Y.Doc();
  const client = new Y.Doc();
  const board = new TaskBoard(client);
  const id = board.create({ title: 'Gate 3 temperature log', assignees: ['w1'] }, 'u1');
  Y.applyUpdate(server, Y.encodeStateAsUpdate(client));
  return { server, client, board, id };
}

/** What the client would send for `change`. */
function diff(client: Y.Doc, change: () => void): Uint8Array {
  const before = Y.encodeStateVector(client);
  change();
  return Y.encodeStateAsUpdate(client, before);
}

describe('validateUpdate', () => {
  it('accepts everything the model package writes', () => {
    const { server, client, board, id } = setup();
    const updates = [
      diff(client, () =>
        board.create({ title: 'new', location: { lat: 30.5, lng: 114.3 }, tags: ['x'] }, 'u2'),
      ),
      diff(client, () =>
        board.update(id, { title: 'renamed', due: 1_800_000_000_000, grid: 'g2' }, 'u2'),
      ),
      diff(client, () => board.move(id, 'done', null, 'u2')),
      diff(client, () => board.setAssignees(id, ['w2', 'w3'], 'u2')),
      diff(client, () => board.addComment(id, 'done at 10:00', 'u2')),
      diff(client, () => board.addChecklistItem(id, 'sign the sheet', 'u2')),
    ];
    for (const update of updates) {
      expect(() => validateUpdate(server, update, schema)).not.toThrow();
      Y.applyUpdate(server, update);
    }
  });

  it('accepts a full fresh document and deletions', () => {
    const { client, board, id } = setup();
    expect(() => validateUpdate(new Y.Doc(), Y.encodeStateAsUpdate(client), schema)).not.toThrow();
    const server = new Y.Doc();
    Y.applyUpdate(server, Y.encodeStateAsUpdate(client));
    const removal = diff(client, () => board.tasks.delete(id));
    expect(() => validateUpdate(server, removal, schema)).not.toThrow();
  });

  it.each([
    ['an unknown root', (c: Y.Doc) => c.getMap('evil').set('x', 1), /root "evil"/],
    [
      'a task that is not a map',
      (c: Y.Doc) => c.getMap('tasks').set('t1', 'plain string'),
      /must be a shared map/,
    ],
    [
      'an unknown status',
      (c: Y.Doc, id: string) => (c.getMap('tasks').get(id) as Y.Map<unknown>).set('status', 'nope'),
      /invalid value for "status"/,
    ],
    [
      'an empty title',
      (c: Y.Doc, id: string) => (c.getMap('tasks').get(id) as Y.Map<unknown>).set('title', ''),
      /"title"/,
    ],
    [
      'an unknown task field',
      (c: Y.Doc, id: string) => (c.getMap('tasks').get(id) as Y.Map<unknown>).set('salary', 1),
      /"salary" is not allowed/,
    ],
    [
      'text where a value belongs',
      (c: Y.Doc, id: string) =>
        (c.getMap('tasks').get(id) as Y.Map<unknown>).set('description', new Y.Text('x')),
      /wrong shared type|unsupported/,
    ],
    [
      'an assignee that is not `true`',
      (c: Y.Doc, id: string) =>
        ((c.getMap('tasks').get(id) as Y.Map<unknown>).get('assignees') as Y.Map<unknown>).set(
          'w9',
          'admin',
        ),
      /invalid value/,
    ],
    [
      'a forged comment',
      (c: Y.Doc, id: string) =>
        ((c.getMap('tasks').get(id) as Y.Map<unknown>).get('comments') as Y.Array<unknown>).push([
          { text: 'x', evil: true },
        ]),
      /invalid value for a list entry/,
    ],
    [
      'a bad map entry placed after an existing one',
      (c: Y.Doc, id: string) => {
        const task = c.getMap('tasks').get(id) as Y.Map<unknown>;
        task.set('priority', 'high');
        task.set('priority', 'galactic');
      },
      /"priority"/,
    ],
  ])('refuses %s', (_name, change, message) => {
    const { server, client, id } = setup();
    const update = diff(client, () => change(client, id));
    expect(() => validateUpdate(server, update, schema)).toThrow(message);
  });

  it('refuses a malformed update and one that depends on unknown changes', () => {
    const { server, client, board, id } = setup();
    expect(() => validateUpdate(server, new Uint8Array([1, 2, 3, 4, 5]), schema)).toThrow(
      SchemaViolation,
    );
    const other = new Y.Doc();
    Y.applyUpdate(other, Y.encodeStateAsUpdate(client));
    const otherBoard = new TaskBoard(other);
    const hidden = diff(other, () => otherBoard.addChecklistItem(id, 'hidden parent', 'u9'));
    Y.applyUpdate(client, hidden);
    const child = diff(client, () =>
      board.setChecklistDone(id, board.get(id)!.checklist[0]!.id, true, 'u1'),
    );
    expect(() => validateUpdate(server, child, schema)).toThrow(/depends on changes/);
  });
});

describe('inspectUpdate reports what an update writes', () => {
  it('names the task fields an edit sets and the values it overwrites', () => {
    const { server, client, board, id } = setup();
    const report = inspectUpdate(
      server,
      diff(client, () => board.update(id, { title: 'renamed' }, 'u2')),
      schema,
    );
    const written = report.inserted.map((e) => e.path.join('.'));
    expect(written).toContain(`tasks.${id}.title`);
    expect(written).toContain(`tasks.${id}.updatedBy`);
    expect(written).toContain(`tasks.${id}.history.#`);
    expect(report.inserted.find((e) => e.path.at(-1) === 'title')!.values).toEqual(['renamed']);
    expect(report.deleted.map((p) => p.join('.'))).toContain(`tasks.${id}.title`);
  });

  it('names a new task, an assignment and a removal', () => {
    const { server, client, board, id } = setup();
    const created = inspectUpdate(
      server,
      diff(client, () => board.create({ title: 'n' }, 'u2')),
      schema,
    );
    expect(created.inserted.some((e) => e.path.length === 2 && e.path[0] === 'tasks')).toBe(true);
    const assign = inspectUpdate(
      server,
      diff(client, () => board.setAssignees(id, ['w7'], 'u2')),
      schema,
    );
    expect(assign.inserted.map((e) => e.path.join('.'))).toContain(`tasks.${id}.assignees.w7`);
    expect(assign.deleted.map((p) => p.join('.'))).toContain(`tasks.${id}.assignees.w1`);
    const removal = inspectUpdate(
      server,
      diff(client, () => board.tasks.delete(id)),
      schema,
    );
    expect(removal.deleted.map((p) => p.join('.'))).toContain(`tasks.${id}`);
  });

  it('calls the empty update of a client with no edits empty', () => {
    const { server, client } = setup();
    const report = inspectUpdate(
      server,
      Y.encodeStateAsUpdate(client, Y.encodeStateVector(server)),
      schema,
    );
    expect(report.empty).toBe(true);
  });

  it('with onlyNew, judges a resent whole state as its diff would be judged, without the diff', () => {
    const { server, client, board, id } = setup();
    board.update(id, { title: 'renamed' }, 'u2');
    board.create({ title: 'made offline' }, 'u2');
    // The client resends everything it has, including the task the server already holds.
    const whole = Y.encodeStateAsUpdate(client);
    const paths = (r: ReturnType<typeof inspectUpdate>) => ({
      inserted: r.inserted.map((e) => e.path.join('.')).sort(),
      deleted: r.deleted.map((p) => p.join('.')).sort(),
    });
    const viaDiff = inspectUpdate(server, Y.diffUpdate(whole, Y.encodeStateVector(server)), schema);
    const direct = inspectUpdate(server, whole, schema, { onlyNew: true });
    expect(paths(direct)).toEqual(paths(viaDiff));
    expect(direct.inserted.length).toBeGreaterThan(0);
    // Without onlyNew the known task would be judged again.
    expect(inspectUpdate(server, whole, schema).inserted.length).toBeGreaterThan(
      direct.inserted.length,
    );
    // Everything known: no item to judge (its deletions are still reported, as by the diff).
    Y.applyUpdate(server, whole);
    expect(inspectUpdate(server, whole, schema, { onlyNew: true }).inserted).toEqual([]);
  });

  it('with onlyNew, says so when an item is only partly known', () => {
    const server = new Y.Doc();
    const client = new Y.Doc();
    const list = client.getMap('tasks').set('t1', new Y.Map()) as Y.Map<unknown>;
    const tags = new Y.Array<string>();
    list.set('tags', tags);
    tags.push(['a']);
    Y.applyUpdate(server, Y.encodeStateAsUpdate(client));
    // The next push continues the same run of the same client: encoded as one merged item.
    tags.push(['b']);
    expect(() =>
      inspectUpdate(server, Y.encodeStateAsUpdate(client), schema, { onlyNew: true }),
    ).toThrow(PartlyKnown);
  });
});

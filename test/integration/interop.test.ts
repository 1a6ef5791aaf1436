/**
 * The official y-websocket client against Outpost: two clients converge through the server, a
 * late joiner receives the whole document, and awareness travels between clients.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { TaskBoard, type Task } from '@outpost/model';
import {
  Cleanup,
  OutpostServer,
  TASKS_DOC,
  api,
  principal,
  syncedProvider,
  waitFor,
  type Principal,
} from './helpers.ts';

const servers = new Cleanup();
const cleanup = new Cleanup();
let server: OutpostServer;
let leader: Principal;
let worker: Principal;

beforeAll(async () => {
  server = servers.server(await OutpostServer.start());
  leader = await principal(server, 'leader');
  worker = await principal(server, 'worker');
});

afterEach(() => cleanup.run());
afterAll(() => servers.run());

describe('y-websocket interop', () => {
  it('syncs a task created on one client to another, and a late joiner gets the full state', async () => {
    const a = cleanup.provider(await syncedProvider(server, TASKS_DOC, { token: leader.token }));
    const b = cleanup.provider(await syncedProvider(server, TASKS_DOC, { token: worker.token }));
    const boardA = new TaskBoard(a.doc);
    const boardB = new TaskBoard(b.doc);
    // Both received the whole seeded board from the server (every task, archived ones too).
    const seeded = await api<{ tasks: Task[] }>(server, '/api/boards/g1/tasks?archived=1', {
      token: leader.token,
    });
    expect(seeded.body.tasks.length).toBeGreaterThanOrEqual(5);
    expect(boardA.list().length).toBe(seeded.body.tasks.length);
    const ids = (board: TaskBoard) =>
      board
        .list()
        .map((t) => t.id)
        .sort();
    expect(ids(boardB)).toEqual(ids(boardA));

    // Assigned to the worker, who may then work on it from the other client.
    const id = boardA.create(
      {
        title: 'Interop: deliver water to building 7',
        priority: 'high',
        tags: ['interop'],
        assignees: [worker.user.id],
      },
      leader.user.id,
    );
    const seen = await waitFor(() => {
      const task = boardB.get(id);
      expect(task).not.toBeNull();
      return task!;
    });
    expect(seen).toMatchObject({
      title: 'Interop: deliver water to building 7',
      priority: 'high',
      tags: ['interop'],
      assignees: [worker.user.id],
      createdBy: leader.user.id,
    });

    // And back: the other client edits it, the first sees the edit.
    boardB.update(id, { status: 'in_progress' }, worker.user.id);
    await waitFor(() => expect(boardA.get(id)?.status).toBe('in_progress'));

    const late = cleanup.provider(
      await syncedProvider(server, TASKS_DOC, { token: worker.token, doc: new Y.Doc() }),
    );
    await waitFor(() => {
      expect(Y.encodeStateVector(late.doc)).toEqual(Y.encodeStateVector(a.doc));
    });
    const byId = (doc: Y.Doc) => new TaskBoard(doc).list().sort((x, y) => (x.id < y.id ? -1 : 1));
    expect(byId(late.doc)).toEqual(byId(a.doc));
    expect(new TaskBoard(late.doc).get(id)?.status).toBe('in_progress');
  });

  it('passes awareness state from one client to the other', async () => {
    const a = cleanup.provider(await syncedProvider(server, TASKS_DOC, { token: leader.token }));
    const b = cleanup.provider(await syncedProvider(server, TASKS_DOC, { token: worker.token }));
    // Other fields pass through; the server stamps who it is (id and account display name).
    a.awareness.setLocalStateField('user', { name: 'Leader Wang', editing: 'task-1' });
    await waitFor(() =>
      expect(b.awareness.getStates().get(a.doc.clientID)).toEqual({
        user: { id: leader.user.id, name: leader.user.displayName, editing: 'task-1' },
      }),
    );
    b.awareness.setLocalStateField('user', { name: 'Worker Zhang', color: '#c00' });
    await waitFor(() =>
      expect(a.awareness.getStates().get(b.doc.clientID)).toEqual({
        user: { id: worker.user.id, name: worker.user.displayName, color: '#c00' },
      }),
    );

    // Leaving removes the state on the other side.
    a.destroy();
    await waitFor(() => expect(b.awareness.getStates().has(a.doc.clientID)).toBe(false));
  });
});

/**
 * The REST API writes into the same live documents as the Yjs clients, validates what it is
 * sent, and assignment from any path notifies exactly the person assigned over socket.io.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TaskBoard, type Notification, type Task } from '@outpost/model';
import {
  Cleanup,
  OutpostServer,
  TASKS_DOC,
  api,
  notificationClient,
  principal,
  syncedProvider,
  waitFor,
  type NotificationClient,
  type Principal,
} from './helpers.ts';

const servers = new Cleanup();
const cleanup = new Cleanup();
let server: OutpostServer;
let leader: Principal;
let supervisor: Principal;
let worker: Principal;
let worker2: Principal;
let volunteer: Principal;

beforeAll(async () => {
  server = servers.server(await OutpostServer.start());
  [leader, supervisor, worker, worker2, volunteer] = await Promise.all([
    principal(server, 'leader'),
    principal(server, 'supervisor'),
    principal(server, 'worker'),
    principal(server, 'worker2'),
    principal(server, 'volunteer'),
  ]);
});

afterEach(() => cleanup.run());
afterAll(() => servers.run());

async function createTask(by: Principal, body: Record<string, unknown>): Promise<Task> {
  const response = await api<{ task: Task }>(server, '/api/boards/g1/tasks', {
    token: by.token,
    body,
  });
  expect(response.status).toBe(201);
  return response.body.task;
}

async function patchTask(by: Principal, id: string, body: Record<string, unknown>): Promise<Task> {
  const response = await api<{ task: Task }>(server, `/api/boards/g1/tasks/${id}`, {
    method: 'PATCH',
    token: by.token,
    body,
  });
  expect(response.status).toBe(200);
  return response.body.task;
}

describe('tasks over REST', () => {
  it('creates and edits a task that connected clients see live', async () => {
    const live = cleanup.provider(await syncedProvider(server, TASKS_DOC, { token: worker.token }));
    const board = new TaskBoard(live.doc);

    const task = await createTask(leader, {
      title: '  Check the north gate  ',
      priority: 'urgent',
      kind: 'fix',
      grid: 'g1',
      location: { lat: 30.557, lng: 114.371 },
      tags: ['gate'],
    });
    expect(task).toMatchObject({
      title: 'Check the north gate',
      status: 'todo',
      priority: 'urgent',
      kind: 'fix',
      grid: 'g1',
      location: { lat: 30.557, lng: 114.371 },
      tags: ['gate'],
      createdBy: leader.user.id,
    });
    await waitFor(() => expect(board.get(task.id)).toEqual(task));

    const patched = await patchTask(supervisor, task.id, {
      status: 'in_progress',
      tags: ['gate', 'night'],
    });
    expect(patched).toMatchObject({
      status: 'in_progress',
      tags: ['gate', 'night'],
      updatedBy: supervisor.user.id,
    });
    await waitFor(() => expect(board.get(task.id)).toEqual(patched));

    const listed = await api<{ tasks: Task[] }>(server, '/api/boards/g1/tasks', {
      token: worker.token,
    });
    expect(listed.status).toBe(200);
    expect(listed.body.tasks.find((t) => t.id === task.id)).toEqual(patched);
    // Each person is listed the boards of their grids; the leader sees every board.
    const boardIds = async (by: Principal) => {
      const boards = await api<{ boards: { id: string }[] }>(server, '/api/boards', {
        token: by.token,
      });
      expect(boards.status).toBe(200);
      return boards.body.boards.map((b) => b.id).sort();
    };
    expect(await boardIds(worker)).toEqual(['g1']);
    expect(await boardIds(worker2)).toEqual(['g2']);
    expect(await boardIds(supervisor)).toEqual(['g1', 'g2']);
    expect(await boardIds(leader)).toEqual(['command', 'g1', 'g2', 'g3', 'g4']);
  });

  it('answers 400 with a message to invalid bodies, and 404 to unknown boards and tasks', async () => {
    const { id } = await createTask(leader, { title: 'target of bad patches' });
    const invalid: [string, string, Record<string, unknown> | string][] = [
      ['POST', '/api/boards/g1/tasks', {}],
      ['POST', '/api/boards/g1/tasks', { title: '   ' }],
      ['POST', '/api/boards/g1/tasks', { title: 'x', status: 'nope' }],
      ['POST', '/api/boards/g1/tasks', { title: 'x', unknownField: 1 }],
      ['POST', '/api/boards/g1/tasks', { title: 'x', location: { lat: 200, lng: 0 } }],
      ['POST', '/api/boards/g1/tasks', { title: 'x', assignees: ['not an id!'] }],
      ['POST', '/api/boards/g1/tasks', { title: 'x'.repeat(201) }],
      ['POST', '/api/boards/g1/tasks', '{"title": '],
      ['PATCH', `/api/boards/g1/tasks/${id}`, { priority: 'whenever' }],
      ['PATCH', `/api/boards/g1/tasks/${id}`, { due: -1 }],
      ['PATCH', `/api/boards/g1/tasks/${id}`, { id: 'other' }],
    ];
    for (const [method, path, body] of invalid) {
      const response = await api<{ error: string }>(server, path, {
        method,
        token: leader.token,
        ...(typeof body === 'string' ? { rawBody: body } : { body }),
      });
      expect({ method, path, body, status: response.status }).toEqual({
        method,
        path,
        body,
        status: 400,
      });
      expect(typeof response.body.error).toBe('string');
      expect(response.body.error.length).toBeGreaterThan(0);
    }
    const missingTitle = await api<{ error: string }>(server, '/api/boards/g1/tasks', {
      token: leader.token,
      body: { description: 'no title' },
    });
    expect(missingTitle.body.error).toMatch(/^title: /);

    const tooLarge = await api(server, '/api/boards/g1/tasks', {
      token: leader.token,
      body: { title: 'big', description: 'x'.repeat(70_000) },
    });
    expect(tooLarge.status).toBe(413);
    const noBoard = await api(server, '/api/boards/nope/tasks', {
      token: leader.token,
      body: { title: 'x' },
    });
    expect(noBoard.status).toBe(404);
    const noTask = await api(server, '/api/boards/g1/tasks/noSuchTask', {
      method: 'PATCH',
      token: leader.token,
      body: { status: 'done' },
    });
    expect(noTask.status).toBe(404);
    expect(noTask.body).toEqual({ error: 'no such task' });

    // Nothing invalid was written.
    const listed = await api<{ tasks: Task[] }>(server, '/api/boards/g1/tasks', {
      token: leader.token,
    });
    expect(listed.body.tasks.find((t) => t.id === id)).toMatchObject({
      title: 'target of bad patches',
      priority: 'normal',
      due: null,
    });
    expect(listed.body.tasks.some((t) => t.title === 'x' || t.title === 'big')).toBe(false);
  });
});

describe('assignment notifications', () => {
  it('notifies only the person assigned, from REST and from a Yjs client', async () => {
    const clients = {
      leader: cleanup.socket(
        await notificationClient(server, { token: leader.token, via: 'header' }),
      ),
      worker: cleanup.socket(
        await notificationClient(server, { token: worker.token, via: 'header' }),
      ),
      volunteer: cleanup.socket(
        await notificationClient(server, { token: volunteer.token, via: 'query' }),
      ),
    };
    const received = (client: NotificationClient) =>
      client.notifications.map((n: Notification) => ({ kind: n.kind, taskId: n.taskId, by: n.by }));
    const t1 = await createTask(leader, { title: 'assign me' });
    const t2 = await createTask(leader, { title: 'and me' });
    const t3 = await createTask(leader, { title: 'mine' });

    // 1. The leader assigns the worker: the worker hears of it.
    await patchTask(leader, t1.id, { assignees: [worker.user.id] });
    await waitFor(() => expect(clients.worker.notifications).toHaveLength(1));
    expect(clients.worker.notifications[0]).toMatchObject({
      kind: 'task_assigned',
      taskId: t1.id,
      title: 'assign me',
      documentName: TASKS_DOC,
      by: leader.user.id,
    });

    // 2. Adding the volunteer (same grid) notifies the volunteer only; assigning oneself notifies nobody.
    await patchTask(leader, t1.id, { assignees: [worker.user.id, volunteer.user.id] });
    await patchTask(leader, t3.id, { assignees: [leader.user.id] });
    await waitFor(() => expect(clients.volunteer.notifications).toHaveLength(1));

    // 3. Someone else, through a Yjs client, assigns the leader and the worker.
    const supervisorClient = cleanup.provider(
      await syncedProvider(server, TASKS_DOC, { token: supervisor.token }),
    );
    const board = new TaskBoard(supervisorClient.doc);
    await waitFor(() => expect(board.get(t2.id)).not.toBeNull());
    board.setAssignees(t2.id, [leader.user.id, worker.user.id], supervisor.user.id);
    await waitFor(() => expect(clients.worker.notifications).toHaveLength(2));
    await waitFor(() => expect(clients.leader.notifications).toHaveLength(1));

    // Each socket delivers in order: anything wrongly sent earlier would already be here.
    expect(received(clients.worker)).toEqual([
      { kind: 'task_assigned', taskId: t1.id, by: leader.user.id },
      { kind: 'task_assigned', taskId: t2.id, by: supervisor.user.id },
    ]);
    expect(received(clients.volunteer)).toEqual([
      { kind: 'task_assigned', taskId: t1.id, by: leader.user.id },
    ]);
    expect(received(clients.leader)).toEqual([
      { kind: 'task_assigned', taskId: t2.id, by: supervisor.user.id },
    ]);
  });

  it('notifies assignees of a task created with them', async () => {
    const client = cleanup.socket(
      await notificationClient(server, { token: volunteer.token, via: 'header' }),
    );
    const task = await createTask(supervisor, {
      title: 'born assigned',
      assignees: [volunteer.user.id],
    });
    await waitFor(() => expect(client.notifications).toHaveLength(1));
    expect(client.notifications[0]).toMatchObject({
      kind: 'task_assigned',
      taskId: task.id,
      title: 'born assigned',
      by: supervisor.user.id,
    });
  });
});

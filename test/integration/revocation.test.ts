/**
 * Live revocation: a change to an account reaches every connection it has open within a
 * second, without waiting for a reconnect. Disabling closes everything (4401, socket.io too);
 * moving a person to other grids closes the boards now outside their scope (4403) and leaves
 * the rest open; a new role judges the very next write on a socket that stays open.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TaskBoard, type Task } from '@outpost/model';
import {
  Cleanup,
  OutpostServer,
  RawYjsClient,
  TASKS_DOC,
  WORKSPACE_DOC,
  api,
  closeTime,
  createAccount,
  heldEntries,
  notificationClient,
  patchUser,
  principal,
  upgradeStatus,
  waitFor,
  within,
  type Principal,
} from './helpers.ts';

/** The promise of the task: every change reaches open connections within a second. */
const LIVE_MS = 1000;

const servers = new Cleanup();
const cleanup = new Cleanup();
let server: OutpostServer;
let admin: Principal;
let leader: Principal;

beforeAll(async () => {
  server = servers.server(await OutpostServer.start());
  admin = await principal(server, 'admin');
  leader = await principal(server, 'leader');
});

afterEach(() => cleanup.run());
afterAll(() => servers.run());

/** Milliseconds from `since` to `at`; an event that came before `since` counts as 0. */
const after = (since: number, at: number) => Math.max(0, at - since);

describe('live revocation', () => {
  it('disabling an account closes its Yjs sockets (4401) and socket.io sockets within 1 s', async () => {
    const person = await createAccount(server, admin, {
      username: 'to-disable',
      role: 'worker',
      grids: ['g1'],
    });
    const board = cleanup.client(
      await RawYjsClient.synced(server, TASKS_DOC, { token: person.token }),
    );
    const directory = cleanup.client(
      await RawYjsClient.synced(server, WORKSPACE_DOC, { headers: { cookie: person.cookie } }),
    );
    const events = cleanup.socket(
      await notificationClient(server, { token: person.token, via: 'header' }),
    );
    const boardClosed = closeTime(board);
    const directoryClosed = closeTime(directory);
    const socketClosed = new Promise<number>((resolve) =>
      events.socket.once('disconnect', () => resolve(performance.now())),
    );

    const response = await patchUser(server, admin, person.user.id, { disabled: true });
    const answered = performance.now();
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ user: { id: person.user.id, disabled: true } });

    const [b, d, s] = await within(
      Promise.all([boardClosed, directoryClosed, socketClosed]),
      LIVE_MS * 5,
      'sockets of a disabled account closed',
    );
    expect([b.code, d.code]).toEqual([4401, 4401]);
    expect(after(answered, b.at)).toBeLessThan(LIVE_MS);
    expect(after(answered, d.at)).toBeLessThan(LIVE_MS);
    expect(after(answered, s)).toBeLessThan(LIVE_MS);

    // And there is no way back in with what the person had.
    expect(await upgradeStatus(server, TASKS_DOC, { token: person.token })).toBe(401);
    expect(await upgradeStatus(server, TASKS_DOC, { headers: { cookie: person.cookie } })).toBe(
      401,
    );
    expect((await api(server, '/api/me', { cookie: person.cookie })).status).toBe(401);
    expect((await api(server, '/api/me', { token: person.token })).status).toBe(401);
  });

  it('moving a worker from grid g1 to g2 closes the g1 board (4403) within 1 s; the workspace directory stays open', async () => {
    const person = await createAccount(server, admin, {
      username: 'to-move',
      role: 'worker',
      grids: ['g1'],
    });
    const g1 = cleanup.client(
      await RawYjsClient.synced(server, TASKS_DOC, { token: person.token }),
    );
    const directory = cleanup.client(
      await RawYjsClient.synced(server, WORKSPACE_DOC, { token: person.token }),
    );
    const g1Closed = closeTime(g1);

    const response = await patchUser(server, admin, person.user.id, { grids: ['g2'] });
    const answered = performance.now();
    expect(response.status).toBe(200);
    const closed = await within(g1Closed, LIVE_MS * 5, 'the g1 board closed');
    expect(closed.code).toBe(4403);
    expect(closed.reason).toMatch(/access changed/);
    expect(after(answered, closed.at)).toBeLessThan(LIVE_MS);

    // The workspace directory is still open, and still live: a rename reaches it.
    expect(directory.isOpen).toBe(true);
    const renamed = await patchUser(server, admin, person.user.id, { displayName: 'Moved to g2' });
    expect(renamed.status).toBe(200);
    await waitFor(() =>
      expect(directory.doc.getMap('members').get(person.user.id)).toMatchObject({
        displayName: 'Moved to g2',
      }),
    );
    expect(directory.closeInfo).toBeNull();

    // The new scope holds for new connections too.
    expect(await upgradeStatus(server, TASKS_DOC, { token: person.token })).toBe(403);
    cleanup.client(await RawYjsClient.synced(server, 'board:demo:g2', { token: person.token }));
    const boards = await api<{ boards: { id: string }[] }>(server, '/api/boards', {
      token: person.token,
    });
    expect(boards.body.boards.map((b) => b.id)).toEqual(['g2']);
  });

  it('a worker made viewer has the next write refused on the same socket, without reconnecting', async () => {
    const person = await createAccount(server, admin, {
      username: 'to-demote',
      role: 'worker',
      grids: ['g1'],
    });
    const created = await api<{ task: Task }>(server, '/api/boards/g1/tasks', {
      token: leader.token,
      body: { title: 'work for the demoted', assignees: [person.user.id] },
    });
    expect(created.status).toBe(201);
    const taskId = created.body.task.id;
    const observer = cleanup.client(
      await RawYjsClient.synced(server, TASKS_DOC, { token: leader.token }),
    );
    const client = cleanup.client(
      await RawYjsClient.synced(server, TASKS_DOC, { token: person.token }),
    );
    const board = new TaskBoard(client.doc);

    // As a worker, the task assigned to them can be moved.
    board.move(taskId, 'in_progress', null, person.user.id);
    await waitFor(() => expect(observer.board.get(taskId)?.status).toBe('in_progress'));

    const response = await patchUser(server, admin, person.user.id, { role: 'viewer' });
    expect(response.status).toBe(200);
    // Reading is still allowed: the socket stays open...
    expect(client.isOpen).toBe(true);
    expect(client.closeInfo).toBeNull();
    // ...and the next write on it is judged by the new role.
    board.move(taskId, 'done', null, person.user.id);
    const closed = await within(client.closed, LIVE_MS * 5, 'the write refused');
    expect(closed.code).toBe(4403);
    expect(closed.reason).toMatch(/viewer/);
    expect(observer.board.get(taskId)?.status).toBe('in_progress');
    const held = await heldEntries(server, leader);
    expect(
      held.some(
        (h) =>
          h.userId === person.user.id &&
          h.decision === null &&
          h.summary.some((line) => line.startsWith(`task ${taskId}:`)),
      ),
    ).toBe(true);
  });
});

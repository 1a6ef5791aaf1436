/**
 * Handing in offline work: a device that edited offline and whose access then ended (the
 * account was disabled) hands its unsynced changes in with the session it still has; they go
 * to the holding queue for a supervisor, never straight into the board. Anybody else gets 401.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { TaskBoard, type Task } from '@outpost/model';
import {
  Cleanup,
  OutpostServer,
  RawYjsClient,
  TASKS_DOC,
  api,
  createAccount,
  heldEntries,
  patchUser,
  principal,
  readBoard,
  toBase64,
  waitFor,
  type Account,
  type HeldEntry,
  type Principal,
} from './helpers.ts';

const servers = new Cleanup();
const cleanup = new Cleanup();
let server: OutpostServer;
let admin: Principal;
let leader: Principal;
let supervisor: Principal;

beforeAll(async () => {
  server = servers.server(await OutpostServer.start());
  [admin, leader, supervisor] = await Promise.all([
    principal(server, 'admin'),
    principal(server, 'leader'),
    principal(server, 'supervisor'),
  ]);
});

afterEach(() => cleanup.run());
afterAll(() => servers.run());

/**
 * A worker of g1 with a task assigned, who synced the board, went offline, moved the task and
 * commented on it there, and was then disabled. Returns the device's document.
 */
async function offlineWorker(
  username: string,
): Promise<{ person: Account; task: Task; local: Y.Doc }> {
  const person = await createAccount(server, admin, { username, role: 'worker', grids: ['g1'] });
  const created = await api<{ task: Task }>(server, '/api/boards/g1/tasks', {
    token: leader.token,
    body: { title: `offline work of ${username}`, assignees: [person.user.id] },
  });
  expect(created.status).toBe(201);
  const task = created.body.task;
  const client = await RawYjsClient.synced(server, TASKS_DOC, {
    headers: { cookie: person.cookie },
  });
  await client.close();
  const local = client.doc;
  const board = new TaskBoard(local);
  board.move(task.id, 'done', null, person.user.id);
  board.addComment(task.id, 'done while the network was down', person.user.id);

  const disabled = await patchUser(server, admin, person.user.id, { disabled: true });
  expect(disabled.status).toBe(200);
  expect((await api(server, '/api/me', { cookie: person.cookie })).status).toBe(401);
  return { person, task, local };
}

function handIn(cookie: string | undefined, update: Uint8Array, document = TASKS_DOC) {
  return api<{ held: boolean; id?: string; reason?: string }>(server, '/api/held/hand-in', {
    ...(cookie ? { cookie } : {}),
    body: { document, update: toBase64(update) },
  });
}

describe('handing in offline work', () => {
  it('a disabled worker hands in with the old session cookie; a supervisor sees it and can accept it', async () => {
    const { person, task, local } = await offlineWorker('offline-1');
    const response = await handIn(person.cookie, Y.encodeStateAsUpdate(local));
    expect(response.status).toBe(201);
    expect(response.body.held).toBe(true);
    const id = response.body.id!;

    const held = (await heldEntries(server, supervisor)).find((h) => h.id === id);
    expect(held).toMatchObject({
      userId: person.user.id,
      document: TASKS_DOC,
      reason: 'handed in after access ended',
      decision: null,
      summary: [`task ${task.id}: comments, history, order, status, updatedAt, updatedBy`],
    });
    // Held, not applied.
    const before = (await readBoard(server, leader.token)).find((t) => t.id === task.id);
    expect(before).toEqual(task);

    const accepted = await api<{ held: HeldEntry }>(server, `/api/held/${id}/accept`, {
      method: 'POST',
      token: supervisor.token,
      body: {},
    });
    expect(accepted.status).toBe(200);
    await waitFor(async () => {
      const after = (await readBoard(server, leader.token)).find((t) => t.id === task.id);
      expect(after).toMatchObject({ status: 'done', updatedBy: person.user.id });
      expect(after?.comments.map((c) => [c.author, c.text])).toEqual([
        [person.user.id, 'done while the network was down'],
      ]);
    });
  });

  it('refuses a random cookie, no credentials, and a document of another workspace', async () => {
    const { person, local } = await offlineWorker('offline-2');
    const update = Y.encodeStateAsUpdate(local);
    expect((await handIn('outpost_session=not-a-real-session', update)).status).toBe(401);
    expect((await handIn(undefined, update)).status).toBe(401);
    expect((await handIn(person.cookie, update, 'board:elsewhere:g1')).status).toBe(404);
    const garbage = await handIn(person.cookie, Uint8Array.from([1, 2, 3, 4, 5, 6]));
    expect(garbage.status).toBe(400);
  });

  it('does not hold the same hand-in twice', async () => {
    const { person, local } = await offlineWorker('offline-3');
    const update = Y.encodeStateAsUpdate(local);
    const first = await handIn(person.cookie, update);
    expect(first.status).toBe(201);
    const again = await handIn(person.cookie, update);
    expect(again.status).toBe(200);
    expect(again.body.held).toBe(false);
    const mine = (await heldEntries(server, supervisor)).filter((h) => h.userId === person.user.id);
    expect(mine).toHaveLength(1);
  });

  it('hands in nothing from a device that has nothing the server lacks', async () => {
    const { person, task } = await offlineWorker('offline-4');
    // The board has had a value overwritten (as every board in use has): it has deletions.
    const edited = await api(server, `/api/boards/g1/tasks/${task.id}`, {
      method: 'PATCH',
      token: leader.token,
      body: { priority: 'high' },
    });
    expect(edited.status).toBe(200);
    const synced = await RawYjsClient.synced(server, TASKS_DOC, { token: leader.token });
    await synced.close();
    const nothing = await handIn(person.cookie, Y.encodeStateAsUpdate(synced.doc));
    expect(nothing.status).toBe(200);
    expect(nothing.body).toMatchObject({ held: false });
  });
});

/**
 * Who may do what: anonymous requests are refused on every endpoint (REST, Yjs, socket.io),
 * passwords are rate limited, API tokens work by header and by query and stop working when
 * revoked, and document names are checked before anything is opened.
 */
import { io } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  Cleanup,
  OutpostServer,
  RawYjsClient,
  TASKS_DOC,
  WORKSPACE_DOC,
  api,
  createToken,
  login,
  notificationClient,
  principal,
  upgradeStatus,
  waitFor,
  type Principal,
} from './helpers.ts';

const servers = new Cleanup();
const cleanup = new Cleanup();
let server: OutpostServer;
let leader: Principal;

beforeAll(async () => {
  server = servers.server(await OutpostServer.start());
  leader = await principal(server, 'leader');
});

afterEach(() => cleanup.run());
afterAll(() => servers.run());

/** Resolves with the connect_error of a socket.io connection that must be refused. */
function socketIoRefusal(options: Parameters<typeof io>[1]): Promise<Error> {
  const socket = io(server.url, {
    reconnection: false,
    forceNew: true,
    timeout: 10_000,
    ...options,
  });
  return new Promise<Error>((resolve, reject) => {
    socket.once('connect', () => {
      socket.close();
      reject(new Error('socket.io connection was accepted'));
    });
    socket.once('connect_error', (error) => {
      socket.close();
      resolve(error);
    });
  });
}

describe('anonymous access', () => {
  it('GET /api/me answers 401 with a JSON error', async () => {
    const response = await api(server, '/api/me');
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ error: 'authentication required' });
  });

  it('refuses the Yjs upgrade with HTTP 401', async () => {
    expect(await upgradeStatus(server, TASKS_DOC)).toBe(401);
    expect(await upgradeStatus(server, TASKS_DOC, { token: 'opt_not-a-real-token' })).toBe(401);
    expect(
      await upgradeStatus(server, TASKS_DOC, { headers: { Authorization: 'Bearer opt_nope' } }),
    ).toBe(401);
  });

  it('refuses the socket.io connection', async () => {
    await socketIoRefusal({});
    await socketIoRefusal({ extraHeaders: { Authorization: 'Bearer opt_nope' } });
    await socketIoRefusal({ query: { token: 'opt_nope' } });
  });
});

describe('login', () => {
  it('answers 401 JSON for a wrong password and 415 for a non-JSON body', async () => {
    const wrong = await api(server, '/api/auth/login', {
      body: { username: 'supervisor', password: 'not-the-password' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('content-type')).toMatch(/application\/json/);
    expect(wrong.body).toEqual({ error: 'wrong username or password' });
    expect(wrong.headers.get('set-cookie')).toBeNull();

    const form = await api(server, '/api/auth/login', {
      rawBody: `username=supervisor&password=${server.password}`,
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(form.status).toBe(415);
  });

  it('answers 429 after repeated wrong passwords, even to the right one', async () => {
    const statuses: number[] = [];
    // Bounded: the limit is 10 failures per address and user; 20 attempts must reach it.
    for (let attempt = 0; attempt < 20; attempt++) {
      const response = await api(server, '/api/auth/login', {
        body: { username: 'worker2', password: `guess-${attempt}` },
      });
      statuses.push(response.status);
      if (response.status === 429) {
        expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(response.body).toEqual({ error: 'too many failed attempts; try again later' });
        break;
      }
    }
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.slice(0, -1).every((s) => s === 401)).toBe(true);

    const right = await api(server, '/api/auth/login', {
      body: { username: 'worker2', password: server.password },
    });
    expect(right.status).toBe(429);
    // Other users are not locked out by it.
    await expect(login(server, 'supervisor')).resolves.toMatchObject({
      user: { username: 'supervisor' },
    });
  });
});

describe('sessions and API tokens', () => {
  it('accepts the session cookie on REST and Yjs; changes with a cookie need a CSRF-proof header', async () => {
    const me = await api(server, '/api/me', { cookie: leader.cookie });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: leader.user.id, username: 'leader', workspaceId: 'demo' });
    const client = cleanup.client(
      await RawYjsClient.synced(server, TASKS_DOC, { headers: { Cookie: leader.cookie } }),
    );
    expect(client.board.list().length).toBeGreaterThan(0);

    const { id } = await createToken(server, leader.cookie, 'csrf');
    const forged = await api(server, `/api/tokens/${id}`, {
      method: 'DELETE',
      cookie: leader.cookie,
    });
    expect(forged.status).toBe(403);
    const deleted = await api(server, `/api/tokens/${id}`, {
      method: 'DELETE',
      cookie: leader.cookie,
      headers: { 'X-Requested-With': 'fetch' },
    });
    expect(deleted.status).toBe(204);
  });

  it('accepts a token as Bearer header and as ?token= on REST, Yjs and socket.io', async () => {
    const byHeader = await api(server, '/api/me', { token: leader.token });
    expect(byHeader.status).toBe(200);
    expect(byHeader.body).toMatchObject({ id: leader.user.id });
    const byQuery = await api(server, `/api/me?token=${encodeURIComponent(leader.token)}`);
    expect(byQuery.status).toBe(200);
    expect(byQuery.body).toMatchObject({ id: leader.user.id });

    const viaHeader = cleanup.client(
      await RawYjsClient.synced(server, TASKS_DOC, {
        headers: { Authorization: `Bearer ${leader.token}` },
      }),
    );
    const viaQuery = cleanup.client(
      await RawYjsClient.synced(server, WORKSPACE_DOC, { token: leader.token }),
    );
    expect(viaHeader.board.list().length).toBeGreaterThan(0);
    // The workspace document lists every member of the workspace, as the people API does.
    const users = await api<{ users: { id: string }[] }>(server, '/api/users', {
      token: leader.token,
    });
    expect(users.status).toBe(200);
    expect(users.body.users.length).toBeGreaterThan(4);
    expect([...viaQuery.doc.getMap('members').keys()].sort()).toEqual(
      users.body.users.map((u) => u.id).sort(),
    );

    cleanup.socket(await notificationClient(server, { token: leader.token, via: 'header' }));
    cleanup.socket(await notificationClient(server, { token: leader.token, via: 'query' }));
  });

  it('stops accepting a revoked token everywhere', async () => {
    const { cookie } = await login(server, 'supervisor');
    const { id, token } = await createToken(server, cookie, 'to-revoke');
    expect((await api(server, '/api/me', { token })).status).toBe(200);
    await (await RawYjsClient.synced(server, TASKS_DOC, { token })).close();

    const revoked = await api(server, `/api/tokens/${id}`, { method: 'DELETE', token });
    expect(revoked.status).toBe(204);
    const again = await api(server, `/api/tokens/${id}`, {
      method: 'DELETE',
      cookie,
      headers: { 'X-Requested-With': 'fetch' },
    });
    expect(again.status).toBe(404);

    expect((await api(server, '/api/me', { token })).status).toBe(401);
    expect((await api(server, `/api/me?token=${token}`)).status).toBe(401);
    expect(await upgradeStatus(server, TASKS_DOC, { token })).toBe(401);
    expect(
      await upgradeStatus(server, TASKS_DOC, { headers: { Authorization: `Bearer ${token}` } }),
    ).toBe(401);
    await socketIoRefusal({ extraHeaders: { Authorization: `Bearer ${token}` } });
    // The user's session and other tokens are unaffected.
    expect((await api(server, '/api/me', { cookie })).status).toBe(200);
  });

  it('closes the Yjs and socket.io connections of a session when it signs out', async () => {
    const { cookie } = await login(server, 'worker');
    const client = cleanup.client(
      await RawYjsClient.synced(server, TASKS_DOC, { headers: { cookie } }),
    );
    const socket = io(server.url, {
      reconnection: false,
      forceNew: true,
      extraHeaders: { cookie },
    });
    cleanup.add(socket, (s) => s.close());
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    let disconnected = false;
    socket.on('disconnect', () => (disconnected = true));
    const out = await api(server, '/api/auth/logout', {
      method: 'POST',
      cookie,
      headers: { 'x-requested-with': 'outpost' },
    });
    expect(out.status).toBe(204);
    await waitFor(() => expect(client.closeInfo?.code).toBe(4401), { timeout: 5_000 });
    await waitFor(() => expect(disconnected).toBe(true), { timeout: 5_000 });
  });

  it('closes an open Yjs connection with 4401 when its token is revoked', async () => {
    const { cookie } = await login(server, 'supervisor');
    const { id, token } = await createToken(server, cookie, 'open-socket');
    const client = cleanup.client(await RawYjsClient.synced(server, TASKS_DOC, { token }));
    expect((await api(server, `/api/tokens/${id}`, { method: 'DELETE', token })).status).toBe(204);
    // CLOSE.unauthorized (4401) is documented as "the session ended or the token was revoked",
    // and the web app shows "sign in" for it. A revoked token must not keep reading and writing.
    await waitFor(() => expect(client.closeInfo?.code).toBe(4401), { timeout: 5_000 });
  });
});

describe('document names', () => {
  it('answers 404 to names that are not Outpost documents, and 403 to other workspaces', async () => {
    for (const name of [
      'nonsense',
      'board:demo',
      'board:demo:tasks:extra',
      'board:demo:bad name',
    ]) {
      expect(await upgradeStatus(server, name, { token: leader.token })).toBe(404);
    }
    expect(await upgradeStatus(server, 'board:elsewhere:tasks', { token: leader.token })).toBe(403);
    expect(await upgradeStatus(server, 'workspace:elsewhere', { token: leader.token })).toBe(403);
  });

  it('answers 404 to a board the workspace does not have, as the REST API does', async () => {
    const rest = await api(server, '/api/boards/no-such-board/tasks', { token: leader.token });
    expect(rest.status).toBe(404);
    expect(await upgradeStatus(server, 'board:demo:no-such-board', { token: leader.token })).toBe(
      404,
    );
  });
});

/**
 * Joining by invitation and resetting a password: an administrator creates a person, who
 * chooses a password through a one-time link and can then sign in; a reset link works once too,
 * and ends the sessions the person had, including the sockets those sessions keep open.
 */
import { io } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  Cleanup,
  OutpostServer,
  RawYjsClient,
  TASKS_DOC,
  api,
  createToken,
  closeTime,
  loginWith,
  principal,
  within,
  type OutpostSocket,
  type Principal,
} from './helpers.ts';

/** How often the server re-checks the credentials of open sockets (server.ts). */
const CREDENTIAL_SWEEP_MS = 15_000;

const servers = new Cleanup();
const cleanup = new Cleanup();
let server: OutpostServer;
let admin: Principal;

beforeAll(async () => {
  server = servers.server(await OutpostServer.start());
  admin = await principal(server, 'admin');
});

afterEach(() => cleanup.run());
afterAll(() => servers.run());

interface Link {
  token: string;
  path: string;
  expiresAt: number;
}

async function invite(username: string): Promise<{ userId: string; link: Link }> {
  const response = await api<{ user: { id: string; hasPassword: boolean }; invite: Link }>(
    server,
    '/api/users',
    {
      token: admin.token,
      body: { username, displayName: `Person ${username}`, role: 'worker', grids: ['g1'] },
    },
  );
  expect(response.status).toBe(201);
  expect(response.body.user.hasPassword).toBe(false);
  return { userId: response.body.user.id, link: response.body.invite };
}

const GOOD_PASSWORD = 'a long enough password';

describe('invitations', () => {
  it('lets the invited person choose a password once, then sign in', async () => {
    const { userId, link } = await invite('invitee');
    expect(link.path).toBe(`/join/${link.token}`);
    expect(link.expiresAt).toBeGreaterThan(Date.now());

    const shown = await api(server, `/api/invites/${link.token}`);
    expect(shown.status).toBe(200);
    expect(shown.body).toEqual({
      username: 'invitee',
      displayName: 'Person invitee',
      purpose: 'invite',
    });
    // Nobody can sign in before the person has chosen a password.
    const early = await api(server, '/api/auth/login', {
      body: { username: 'invitee', password: GOOD_PASSWORD },
    });
    expect(early.status).toBe(401);

    const short = await api(server, `/api/invites/${link.token}`, { body: { password: 'short' } });
    expect(short.status).toBe(400);
    // A refused password does not use the link up.
    expect((await api(server, `/api/invites/${link.token}`)).status).toBe(200);

    const joined = await api(server, `/api/invites/${link.token}`, {
      body: { password: GOOD_PASSWORD },
    });
    expect(joined.status).toBe(200);
    expect(joined.body).toEqual({ username: 'invitee' });
    const { user } = await loginWith(server, 'invitee', GOOD_PASSWORD);
    expect(user).toMatchObject({ id: userId, username: 'invitee', role: 'worker', grids: ['g1'] });

    // The link is used up.
    expect((await api(server, `/api/invites/${link.token}`)).status).toBe(404);
    const twice = await api(server, `/api/invites/${link.token}`, {
      body: { password: 'another good password' },
    });
    expect(twice.status).toBe(404);
    await expect(loginWith(server, 'invitee', 'another good password')).rejects.toThrow(/401/);
    await expect(loginWith(server, 'invitee', GOOD_PASSWORD)).resolves.toMatchObject({ user });
  });

  it('answers 404 to a link that never existed', async () => {
    expect((await api(server, '/api/invites/inv_not-a-real-link')).status).toBe(404);
    const post = await api(server, '/api/invites/inv_not-a-real-link', {
      body: { password: GOOD_PASSWORD },
    });
    expect(post.status).toBe(404);
  });
});

describe('password reset', () => {
  it('works once, ends the old sessions and API tokens, and closes their sockets by the next credential sweep', async () => {
    const { userId, link } = await invite('resetter');
    expect(
      (await api(server, `/api/invites/${link.token}`, { body: { password: GOOD_PASSWORD } }))
        .status,
    ).toBe(200);
    const old = await loginWith(server, 'resetter', GOOD_PASSWORD);

    // Sockets opened with the old session: a board and socket.io.
    const board = cleanup.client(
      await RawYjsClient.synced(server, TASKS_DOC, { headers: { cookie: old.cookie } }),
    );
    const socket: OutpostSocket = io(server.url, {
      reconnection: false,
      forceNew: true,
      extraHeaders: { cookie: old.cookie },
    });
    cleanup.add(socket, (s) => s.close());
    await within(
      new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      }),
      10_000,
      'socket.io connected',
    );
    // An API token made with the old password (by an intruder, perhaps), and a socket on it.
    const token = await createToken(server, old.cookie, 'made before the reset');
    expect((await api(server, '/api/me', { token: token.token })).status).toBe(200);
    const tokenBoard = cleanup.client(
      await RawYjsClient.synced(server, TASKS_DOC, { token: token.token }),
    );
    const tokenBoardClosed = closeTime(tokenBoard);
    const boardClosed = closeTime(board);
    const socketClosed = new Promise<number>((resolve) =>
      socket.once('disconnect', () => resolve(performance.now())),
    );

    const reset = await api<{ reset: Link }>(server, `/api/users/${userId}/reset`, {
      method: 'POST',
      token: admin.token,
      body: {},
    });
    expect(reset.status).toBe(201);
    expect(reset.body.reset.path).toBe(`/join/${reset.body.reset.token}`);
    const shown = await api(server, `/api/invites/${reset.body.reset.token}`);
    expect(shown.body).toMatchObject({ username: 'resetter', purpose: 'reset' });

    const chosen = await api(server, `/api/invites/${reset.body.reset.token}`, {
      body: { password: 'the new password' },
    });
    const redeemed = performance.now();
    expect(chosen.status).toBe(200);

    // The old session and token are over for requests at once; the new password works, the
    // old one not.
    expect((await api(server, '/api/me', { cookie: old.cookie })).status).toBe(401);
    expect((await api(server, '/api/me', { token: token.token })).status).toBe(401);
    await expect(loginWith(server, 'resetter', GOOD_PASSWORD)).rejects.toThrow(/401/);
    await expect(loginWith(server, 'resetter', 'the new password')).resolves.toMatchObject({
      user: { id: userId },
    });
    // The link is used up.
    const again = await api(server, `/api/invites/${reset.body.reset.token}`, {
      body: { password: 'a third password' },
    });
    expect(again.status).toBe(404);

    // Its open sockets close: the reset does not close them itself, the periodic credential
    // sweep does, so within one sweep interval (plus a margin for a loaded machine).
    const [closed, socketAt, tokenClosed] = await within(
      Promise.all([boardClosed, socketClosed, tokenBoardClosed]),
      CREDENTIAL_SWEEP_MS + 5_000,
      'sockets of the reset session closed',
    );
    expect(closed.code).toBe(4401);
    expect(tokenClosed.code).toBe(4401);
    expect(closed.at - redeemed).toBeLessThan(CREDENTIAL_SWEEP_MS + 5_000);
    expect(socketAt - redeemed).toBeLessThan(CREDENTIAL_SWEEP_MS + 5_000);
  });
});

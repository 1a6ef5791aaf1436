/**
 * The server remembers the board list of a workspace and recent credentials, so that opening a
 * board does not read the workspace directory and the account store every time. What it
 * remembers must never outlive the truth: a board added to the directory opens at once, a
 * board moved to another grid is judged by its new grid on the very next connection, and a
 * credential revoked is refused on the very next upgrade.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WorkspaceDirectory } from '@outpost/model';
import {
  Cleanup,
  OutpostServer,
  RawYjsClient,
  TASKS_DOC,
  WORKSPACE_DOC,
  api,
  createToken,
  login,
  patchUser,
  principal,
  syncedProvider,
  upgradeStatus,
  waitFor,
  type Principal,
} from './helpers.ts';

const servers = new Cleanup();
const cleanup = new Cleanup();
let server: OutpostServer;
let admin: Principal;
let leader: Principal;
let worker: Principal;

beforeAll(async () => {
  server = servers.server(await OutpostServer.start());
  admin = await principal(server, 'admin');
  leader = await principal(server, 'leader');
  worker = await principal(server, 'worker');
});

afterEach(() => cleanup.run());
afterAll(() => servers.run());

/** Resolves once the upgrade to `docName` is accepted and synced. */
async function opens(docName: string, token: string): Promise<void> {
  await waitFor(async () => {
    const client = await RawYjsClient.synced(server, docName, { token });
    await client.close();
  });
}

describe('remembered access decisions', () => {
  it('a board added to the directory opens at once; moved to another grid, it is judged by the new grid', async () => {
    // Opening a board of g1 makes the server remember the demo workspace's boards.
    await opens(TASKS_DOC, worker.token);
    const directoryClient = cleanup.provider(
      await syncedProvider(server, WORKSPACE_DOC, { token: admin.token }),
    );
    const directory = new WorkspaceDirectory(directoryClient.doc);

    directory.setBoard({ id: 'late-g1', name: 'Added later', grid: 'g1' });
    await opens('board:demo:late-g1', worker.token);

    directory.setBoard({ id: 'late-g1', name: 'Added later', grid: 'g2' });
    await waitFor(async () =>
      expect(await upgradeStatus(server, 'board:demo:late-g1', { token: worker.token })).toBe(403),
    );
    // Someone who works in g2 may open it now.
    await opens('board:demo:late-g1', (await principal(server, 'worker2')).token);

    directory.boards.delete('late-g1');
    await waitFor(async () =>
      expect(await upgradeStatus(server, 'board:demo:late-g1', { token: leader.token })).toBe(404),
    );
  });

  it('a session signed out is refused on the next upgrade, right after it was accepted', async () => {
    const { cookie } = await login(server, 'supervisor');
    const headers = { cookie };
    await (await RawYjsClient.synced(server, TASKS_DOC, { headers })).close();
    const out = await api(server, '/api/auth/logout', {
      method: 'POST',
      cookie,
      headers: { 'x-requested-with': 'outpost' },
    });
    expect(out.status).toBe(204);
    expect(await upgradeStatus(server, TASKS_DOC, { headers })).toBe(401);
  });

  it('a token used a moment ago is refused at once after its owner is disabled', async () => {
    const { cookie } = await login(server, 'volunteer');
    const { token } = await createToken(server, cookie, 'soon-disabled');
    await (await RawYjsClient.synced(server, WORKSPACE_DOC, { token })).close();
    const volunteer = await principal(server, 'volunteer');
    expect((await patchUser(server, admin, volunteer.user.id, { disabled: true })).status).toBe(
      200,
    );
    expect(await upgradeStatus(server, WORKSPACE_DOC, { token })).toBe(401);
  });
});

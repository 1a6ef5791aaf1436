/**
 * The admin CLI against a running server: it writes to the store directly (the same DATA_DIR),
 * and the server picks its changes up by itself (`OUTPOST_ACCOUNT_SWEEP_MS`, 300 ms here), with
 * no restart: a new person appears in the workspace directory and can be assigned work; a
 * disabled one loses their open connection.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WorkspaceDirectory } from '@outpost/model';
import {
  Cleanup,
  OutpostServer,
  WORKSPACE_DOC,
  api,
  createToken,
  loginWith,
  notificationClient,
  principal,
  syncedProvider,
  waitFor,
  type Principal,
} from './helpers.ts';

const run = promisify(execFile);
const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
const PASSWORD = 'cli-test-password-1';

const servers = new Cleanup();
const cleanup = new Cleanup();
let server: OutpostServer;
let supervisor: Principal;

beforeAll(async () => {
  server = servers.server(await OutpostServer.start({ env: { OUTPOST_ACCOUNT_SWEEP_MS: '300' } }));
  supervisor = await principal(server, 'supervisor');
});
afterEach(() => cleanup.run());
afterAll(() => servers.run());

/** `pnpm admin …` as an operator runs it, on the server's data directory. */
async function admin(...args: string[]): Promise<string> {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', 'realtime/src/cli.ts', ...args],
    {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        DATA_DIR: server.dataDir,
        OUTPOST_NEW_PASSWORD: PASSWORD,
        LOG_LEVEL: 'silent',
      },
      timeout: 30_000,
    },
  );
  return stdout;
}

describe('admin CLI with the server running', () => {
  it('a person added with the CLI appears in the directory and can be assigned, without a restart', async () => {
    const directory = new WorkspaceDirectory(
      cleanup.provider(await syncedProvider(server, WORKSPACE_DOC, { token: supervisor.token }))
        .doc,
    );
    await admin('user', 'add', 'wangfang', 'worker', '王芳', '--grids', 'g1');
    const member = await waitFor(
      () => {
        const found = directory.listMembers().find((m) => m.username === 'wangfang');
        if (!found) throw new Error('not in the directory yet');
        return found;
      },
      { timeout: 10_000 },
    );
    expect(member).toMatchObject({ displayName: '王芳', role: 'worker' });

    const created = await api<{ task: { assignees: string[] } }>(server, '/api/boards/g1/tasks', {
      token: supervisor.token,
      body: { title: 'for the new colleague', grid: 'g1', assignees: [member.id] },
    });
    expect(created.status).toBe(201);
    expect(created.body.task.assignees).toEqual([member.id]);
  });

  it('a person disabled with the CLI loses their open connection', async () => {
    await admin('user', 'add', 'zhaolei', 'worker', '赵磊', '--grids', 'g1');
    const { cookie } = await loginWith(server, 'zhaolei', PASSWORD);
    const { token } = await createToken(server, cookie, 'phone');
    const inbox = cleanup.socket(await notificationClient(server, { token, via: 'header' }));
    expect(inbox.socket.connected).toBe(true);
    await admin('user', 'disable', 'zhaolei');
    await waitFor(() => expect(inbox.socket.connected).toBe(false), { timeout: 10_000 });
  });
});

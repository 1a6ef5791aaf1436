/**
 * The audit trail: every path a change can take (the Outpost web app, another Yjs client, the
 * REST API, an accepted held change) leaves an entry naming who (from the connection or request,
 * never from the document), which document and task, which fields, and which path. The trail
 * can be read per task by the people of that grid, per person by a leader, and exported as CSV
 * by those with reports.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WorkspaceDirectory, type Task } from '@outpost/model';
import {
  Cleanup,
  OutpostServer,
  RawYjsClient,
  TASKS_DOC,
  WORKSPACE_DOC,
  api,
  heldEntries,
  principal,
  waitFor,
  type AuditEntry,
  type Principal,
} from './helpers.ts';

const servers = new Cleanup();
const cleanup = new Cleanup();
let server: OutpostServer;
let leader: Principal;
let supervisor: Principal;
let worker: Principal;
let worker2: Principal;
let viewer: Principal;
/** One task changed through each path, made in `beforeAll`. */
const tasks = { web: '', yjs: '', api: '', held: '' };

beforeAll(async () => {
  server = servers.server(await OutpostServer.start());
  [leader, supervisor, worker, worker2, viewer] = await Promise.all([
    principal(server, 'leader'),
    principal(server, 'supervisor'),
    principal(server, 'worker'),
    principal(server, 'worker2'),
    principal(server, 'viewer'),
  ]);
  for (const path of ['web', 'yjs', 'api', 'held'] as const) {
    tasks[path] = (await createTask(`audited via ${path}`, [worker.user.id])).id;
  }
  const observer = servers.client(
    await RawYjsClient.synced(server, TASKS_DOC, { token: leader.token }),
  );

  // The web app: an Outpost client (it has sent message 100) moves its task.
  const web = servers.client(await RawYjsClient.synced(server, TASKS_DOC, { token: worker.token }));
  web.sendSaved(1);
  await waitFor(() => expect(web.savedAcks).toEqual([1]));
  web.board.move(tasks.web, 'in_progress', null, worker.user.id);
  web.sendSaved(2);
  await waitFor(() => expect(web.savedAcks).toEqual([1, 2]));

  // Any other Yjs client: a standard y-websocket client changes the status.
  const yjs = servers.client(await RawYjsClient.synced(server, TASKS_DOC, { token: worker.token }));
  yjs.board.update(tasks.yjs, { status: 'blocked' }, worker.user.id);
  await waitFor(() => expect(observer.board.get(tasks.yjs)?.status).toBe('blocked'));

  // REST.
  const patched = await api(server, `/api/boards/g1/tasks/${tasks.api}`, {
    method: 'PATCH',
    token: supervisor.token,
    body: { title: 'retitled over REST', description: 'checked on site' },
  });
  expect(patched.status).toBe(200);

  // The holding queue: a viewer's refused edit, accepted by the leader.
  const refused = servers.client(
    await RawYjsClient.synced(server, TASKS_DOC, { token: viewer.token }),
  );
  refused.board.update(tasks.held, { title: 'suggested by the viewer' }, viewer.user.id);
  await waitFor(() => expect(refused.closeInfo?.code).toBe(4403));
  const entry = (await heldEntries(server, leader)).find(
    (h) => h.userId === viewer.user.id && h.summary.some((s) => s.startsWith(`task ${tasks.held}`)),
  );
  expect(entry).toBeDefined();
  const accepted = await api(server, `/api/held/${entry!.id}/accept`, {
    method: 'POST',
    token: leader.token,
    body: {},
  });
  expect(accepted.status).toBe(200);
  await waitFor(() =>
    expect(observer.board.get(tasks.held)?.title).toBe('suggested by the viewer'),
  );
});

afterEach(() => cleanup.run());
afterAll(() => servers.run());

async function createTask(title: string, assignees: string[] = []): Promise<Task> {
  const response = await api<{ task: Task }>(server, '/api/boards/g1/tasks', {
    token: leader.token,
    body: { title, assignees },
  });
  expect(response.status).toBe(201);
  return response.body.task;
}

/** `GET /api/audit?...` as `by`. */
function audit(by: Principal, query: Record<string, string>) {
  return api<{ entries: AuditEntry[] }>(server, `/api/audit?${new URLSearchParams(query)}`, {
    token: by.token,
  });
}

/** The trail of one task, as a worker of its grid reads it. */
async function trailOf(taskId: string, by: Principal = worker): Promise<AuditEntry[]> {
  const response = await audit(by, { document: TASKS_DOC, entity: taskId });
  expect(response.status).toBe(200);
  return response.body.entries;
}

describe('audit entries', () => {
  it('records the creation of each task over REST', async () => {
    for (const taskId of Object.values(tasks)) {
      expect(await trailOf(taskId)).toContainEqual(
        expect.objectContaining({
          userId: leader.user.id,
          workspaceId: 'demo',
          document: TASKS_DOC,
          entity: taskId,
          via: 'api',
          action: 'created',
        }),
      );
    }
  });

  it.each([
    ['the web app', 'web', () => worker, ['order', 'status']],
    ['a standard Yjs client', 'yjs', () => worker, ['status']],
    ['the REST API', 'api', () => supervisor, ['description', 'title']],
    // The leader's request applied it: the trail names who let it in (the held entry, the author).
    ['an accepted held change', 'held', () => leader, ['title']],
  ] as const)('records a change made through %s (via %s)', async (_path, via, by, fields) => {
    const taskId = tasks[via];
    const changes = (await trailOf(taskId)).filter((e) => e.action !== 'created');
    expect(changes).toEqual([
      expect.objectContaining({
        userId: by().user.id,
        document: TASKS_DOC,
        entity: taskId,
        via,
        action: 'edited',
        fields: [...fields],
      }),
    ]);
  });

  it("records the device's clock of a change from a Yjs client", async () => {
    const [change] = (await trailOf(tasks.web)).filter((e) => e.via === 'web');
    const task = (
      await api<{ tasks: Task[] }>(server, '/api/boards/g1/tasks', { token: worker.token })
    ).body.tasks.find((t) => t.id === tasks.web);
    expect(change?.deviceAt).toBe(task?.updatedAt);
    expect(typeof change?.at).toBe('number');
  });

  it('names the fields of assignees, tags, comments and checklists that changed', async () => {
    const taskId = (await createTask('nested fields', [worker.user.id])).id;
    const patched = await api(server, `/api/boards/g1/tasks/${taskId}`, {
      method: 'PATCH',
      token: supervisor.token,
      body: { assignees: [worker.user.id, supervisor.user.id], tags: ['water'] },
    });
    expect(patched.status).toBe(200);
    const client = cleanup.client(
      await RawYjsClient.synced(server, TASKS_DOC, { token: worker.token }),
    );
    client.board.addComment(taskId, 'on my way', worker.user.id);
    client.board.addChecklistItem(taskId, 'bring the forms', worker.user.id);
    client.sendSaved(1);
    await waitFor(() => expect(client.savedAcks).toEqual([1]));
    const changes = (await trailOf(taskId)).filter((e) => e.action !== 'created');
    expect(changes.map((e) => ({ via: e.via, fields: e.fields })).reverse()).toEqual([
      { via: 'api', fields: ['assignees', 'tags'] },
      { via: 'yjs', fields: ['comments'] },
      { via: 'yjs', fields: ['checklist'] },
    ]);
  });
});

describe('reading the trail', () => {
  it('per task: a worker of the grid may; a worker of another grid may not', async () => {
    expect((await trailOf(tasks.api, worker)).length).toBeGreaterThan(0);
    const other = await audit(worker2, { document: TASKS_DOC, entity: tasks.api });
    expect(other.status).toBe(403);
    // Without naming a document, a worker may not read the trail at all.
    expect((await audit(worker, { entity: tasks.api })).status).toBe(403);
  });

  it('per person: a leader sees everything one person did', async () => {
    const response = await audit(leader, { user: worker.user.id });
    expect(response.status).toBe(200);
    const entries = response.body.entries;
    expect(entries.every((e) => e.userId === worker.user.id)).toBe(true);
    expect(entries.map((e) => [e.entity, e.via])).toEqual(
      expect.arrayContaining([
        [tasks.web, 'web'],
        [tasks.yjs, 'yjs'],
      ]),
    );
    // A worker may query their own changes in a document, not someone else's.
    const own = await audit(worker, { document: TASKS_DOC, user: worker.user.id });
    expect(own.status).toBe(200);
    expect(own.body.entries.length).toBeGreaterThan(0);
    const others = await audit(worker, { document: TASKS_DOC, user: supervisor.user.id });
    expect(others.status).toBe(403);
  });

  it('exports CSV with a header and the rows; a worker cannot export', async () => {
    const response = await api<string>(
      server,
      `/api/audit?${new URLSearchParams({ format: 'csv', document: TASKS_DOC, entity: tasks.api })}`,
      { token: leader.token },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(response.headers.get('content-disposition')).toMatch(/attachment/);
    const lines = response.body
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]).toBe('id,at,device_at,user,document,via,entity,action,fields');
    // Columns 3-8: user, document, via, entity, action, fields (no cell here holds a comma).
    const rows = lines.slice(1).map((line) => line.split(',').slice(3));
    expect(rows).toHaveLength((await trailOf(tasks.api)).length);
    expect(rows).toContainEqual([
      'supervisor',
      TASKS_DOC,
      'api',
      tasks.api,
      'edited',
      'description title',
    ]);
    expect(rows).toContainEqual(['leader', TASKS_DOC, 'api', tasks.api, 'created', '']);

    const denied = await api(server, '/api/audit?format=csv', { token: worker.token });
    expect(denied.status).toBe(403);
    const deniedForTask = await api(
      server,
      `/api/audit?${new URLSearchParams({ format: 'csv', document: TASKS_DOC, entity: tasks.api })}`,
      { token: worker.token },
    );
    expect(deniedForTask.status).toBe(403);
  });
});

describe('documents only Yjs clients have opened', () => {
  it('stores and audits a change to a board the server has never read itself', async () => {
    const admin = await principal(server, 'admin');
    const directory = cleanup.client(
      await RawYjsClient.synced(server, WORKSPACE_DOC, { token: admin.token }),
    );
    new WorkspaceDirectory(directory.doc).setBoard({
      id: 'fresh',
      name: 'Fresh board',
      grid: null,
    });
    directory.sendSaved(1);
    await waitFor(() => expect(directory.savedAcks).toEqual([1]));

    const client = cleanup.client(
      await RawYjsClient.synced(server, 'board:demo:fresh', { token: admin.token }),
    );
    const id = client.board.create({ title: 'first task of a fresh board' }, admin.user.id);
    client.sendSaved(1);
    await waitFor(() => expect(client.savedAcks).toEqual([1]));
    expect(client.closeInfo).toBeNull();
    const response = await api<{ entries: AuditEntry[] }>(
      server,
      `/api/audit?document=board:demo:fresh&entity=${id}`,
      { token: admin.token },
    );
    expect(response.body.entries).toMatchObject([
      { userId: admin.user.id, action: 'created', via: 'yjs', entity: id },
    ]);
  });
});

/**
 * The permission matrix, generated from `PERMISSIONS` (never restated here): every demo role
 * against the REST routes and the Yjs documents, on boards in and out of its grid scope. Each
 * case computes what the role may do from the matrix (`can`) and the account's scope
 * (`inScope`), and asserts the server allows exactly that and refuses the rest.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  ROLES,
  TaskBoard,
  WORK_FIELDS,
  WorkspaceDirectory,
  boardDocName,
  can,
  inScope,
  type Principal as Scope,
  type Role,
  type Task,
} from '@outpost/model';
import {
  Cleanup,
  OutpostServer,
  RawYjsClient,
  WORKSPACE_DOC,
  api,
  principal,
  toBase64,
  updateFrom,
  upgradeStatus,
  waitFor,
  writers,
  type HeldEntry,
  type Principal,
  type SessionUser,
} from './helpers.ts';

/** The demo workspace's boards: one per grid and the command post's (workspace-wide). */
const BOARD_IDS = ['g1', 'g2', 'g3', 'g4', 'command'] as const;
type BoardId = (typeof BOARD_IDS)[number];

const servers = new Cleanup();
const cleanup = new Cleanup();
let server: OutpostServer;
/** One demo account per role: the demo accounts are named after their roles. */
const people = new Map<Role, Principal>();
let leader: Principal;
let viewer: Principal;
/** Grid of each board, as the server lists it to an administrator. */
const boardGrid = new Map<string, string | null>();
/** Someone for the people routes to act on. */
let target: { id: string };
/** Leader's clients on every document, to see what the server applied. */
const observers = new Map<string, RawYjsClient>();

beforeAll(async () => {
  server = servers.server(await OutpostServer.start());
  for (const role of ROLES) {
    const p = await principal(server, role);
    expect(p.user.role).toBe(role);
    people.set(role, p);
  }
  leader = people.get('leader')!;
  viewer = people.get('viewer')!;
  const admin = people.get('admin')!;
  const boards = await api<{ boards: { id: string; grid: string | null }[] }>(
    server,
    '/api/boards',
    { token: admin.token },
  );
  for (const b of boards.body.boards) boardGrid.set(b.id, b.grid);
  expect([...boardGrid.keys()].sort()).toEqual([...BOARD_IDS].sort());
  const created = await api<{ user: { id: string } }>(server, '/api/users', {
    token: admin.token,
    body: { username: 'matrix-target', displayName: 'Target', role: 'volunteer', grids: ['g1'] },
  });
  expect(created.status).toBe(201);
  target = created.body.user;
  for (const name of [...BOARD_IDS.map((b) => boardDocName('demo', b)), WORKSPACE_DOC]) {
    observers.set(
      name,
      servers.client(await RawYjsClient.synced(server, name, { token: leader.token })),
    );
  }
});

afterEach(() => cleanup.run());
afterAll(() => servers.run());

// ---------------------------------------------------------------------------------------------
// What the matrix says

const scopeOf = (p: Principal): Scope => ({ role: p.user.role, grids: p.user.grids });

/** May open the board: read tasks, and the board's grid is in scope. */
function mayRead(scope: Scope, board: string): boolean {
  if (!boardGrid.has(board)) throw new Error(`unknown board ${board}`);
  return can(scope, 'tasks', 'read') && inScope(scope, boardGrid.get(board)!);
}

/**
 * May change one field of an existing task: `assign` for assignees, `archive` for archived,
 * `work` (on tasks assigned to them) or `edit` for the work fields, `edit` for the rest.
 */
function mayChange(scope: Scope, field: string, assigned: boolean): boolean {
  if (field === 'assignees') return can(scope, 'tasks', 'assign');
  if (field === 'archived') return can(scope, 'tasks', 'archive');
  if (WORK_FIELDS.includes(field)) {
    return can(scope, 'tasks', 'edit') || (can(scope, 'tasks', 'work') && assigned);
  }
  return can(scope, 'tasks', 'edit');
}

/** May be assigned tasks of a board: a role that does tasks, working in the board's grid. */
function mayBeAssigned(scope: Scope, board: string): boolean {
  return (
    (can(scope, 'tasks', 'work') || can(scope, 'tasks', 'edit')) &&
    inScope(scope, boardGrid.get(board)!)
  );
}

/** May review held changes of a document: edit tasks, and see the document. */
const mayReview = (scope: Scope, board: string) =>
  can(scope, 'tasks', 'edit') && mayRead(scope, board);

/** The board a role's writes are tried on: the first grid board it may open. */
function homeBoard(scope: Scope): BoardId {
  const home = BOARD_IDS.find((b) => mayRead(scope, b));
  if (!home) throw new Error(`${scope.role} may open no board`);
  return home;
}

// ---------------------------------------------------------------------------------------------
// Fixtures (made by the leader, who may do everything on every board)

/** The leader creates a task; null when the server refuses an assignee (400), as it must for
 * people who may not be assigned tasks of that board. */
async function tryFixtureTask(board: string, assignees: string[]): Promise<Task | null> {
  const response = await api<{ task: Task }>(server, `/api/boards/${board}/tasks`, {
    token: leader.token,
    body: { title: `fixture on ${board}`, assignees },
  });
  if (response.status === 400) return null;
  expect(response.status).toBe(201);
  return response.body.task;
}

async function currentTask(board: string, id: string): Promise<Task | undefined> {
  const response = await api<{ tasks: Task[] }>(server, `/api/boards/${board}/tasks?archived=1`, {
    token: leader.token,
  });
  expect(response.status).toBe(200);
  return response.body.tasks.find((t) => t.id === id);
}

/** A held change on `board`: a new task the viewer handed in. */
async function heldFixture(board: string): Promise<string> {
  const doc = new Y.Doc();
  new TaskBoard(doc).create({ title: `held on ${board}` }, viewer.user.id);
  const response = await api<{ held: boolean; id: string }>(server, '/api/held/hand-in', {
    token: viewer.token,
    body: { document: boardDocName('demo', board), update: toBase64(Y.encodeStateAsUpdate(doc)) },
  });
  expect(response.status).toBe(201);
  return response.body.id;
}

// ---------------------------------------------------------------------------------------------
// Yjs writes

interface WriteCase {
  name: string;
  document: 'home board' | 'workspace';
  fixture: 'none' | 'assigned' | 'not assigned';
  change(doc: Y.Doc, me: SessionUser, taskId: string): void;
  allowed(scope: Scope): boolean;
}

/** Fields `TaskBoard` writes with every change of a task (who and when, and the card's history). */
const TOUCH = ['updatedBy', 'updatedAt', 'history'];
const fieldsAllowed = (fields: string[], assigned: boolean) => (scope: Scope) =>
  [...fields, ...TOUCH].every((f) => mayChange(scope, f, assigned));

const WRITES: WriteCase[] = [
  {
    name: 'create a task',
    document: 'home board',
    fixture: 'none',
    change: (doc, me) => void new TaskBoard(doc).create({ title: 'created over Yjs' }, me.id),
    allowed: (s) => can(s, 'tasks', 'create'),
  },
  {
    name: 'create a task assigned to themselves',
    document: 'home board',
    fixture: 'none',
    change: (doc, me) =>
      void new TaskBoard(doc).create({ title: 'born assigned', assignees: [me.id] }, me.id),
    // A person who works tasks may take the task they create; assigning others needs `assign`.
    allowed: (s) =>
      can(s, 'tasks', 'create') && (can(s, 'tasks', 'assign') || can(s, 'tasks', 'work')),
  },
  {
    name: 'edit the title of a task not assigned to them',
    document: 'home board',
    fixture: 'not assigned',
    change: (doc, me, id) => new TaskBoard(doc).update(id, { title: 'retitled' }, me.id),
    allowed: fieldsAllowed(['title'], false),
  },
  {
    name: 'edit the title of a task assigned to them',
    document: 'home board',
    fixture: 'assigned',
    change: (doc, me, id) => new TaskBoard(doc).update(id, { title: 'retitled' }, me.id),
    allowed: fieldsAllowed(['title'], true),
  },
  {
    name: 'assign themselves to a task',
    document: 'home board',
    fixture: 'not assigned',
    change: (doc, me, id) => new TaskBoard(doc).setAssignees(id, [me.id], me.id),
    allowed: fieldsAllowed(['assignees'], false),
  },
  {
    name: 'move a task assigned to them',
    document: 'home board',
    fixture: 'assigned',
    change: (doc, me, id) => new TaskBoard(doc).move(id, 'done', null, me.id),
    allowed: fieldsAllowed(['status', 'order'], true),
  },
  {
    name: 'move a task not assigned to them',
    document: 'home board',
    fixture: 'not assigned',
    change: (doc, me, id) => new TaskBoard(doc).move(id, 'done', null, me.id),
    allowed: fieldsAllowed(['status', 'order'], false),
  },
  {
    name: 'comment on a task assigned to them',
    document: 'home board',
    fixture: 'assigned',
    change: (doc, me, id) => void new TaskBoard(doc).addComment(id, 'on my way', me.id),
    allowed: fieldsAllowed(['comments'], true),
  },
  {
    name: 'archive a task',
    document: 'home board',
    fixture: 'not assigned',
    change: (doc, me, id) => new TaskBoard(doc).setArchived(id, true, me.id),
    allowed: fieldsAllowed(['archived'], false),
  },
  {
    name: 'rename the board',
    document: 'home board',
    fixture: 'none',
    change: (doc, me) => doc.getMap('meta').set('name', `renamed by ${me.username}`),
    allowed: (s) => can(s, 'settings', 'edit'),
  },
  {
    name: 'add a grid to the workspace directory',
    document: 'workspace',
    fixture: 'none',
    change: (doc, me) =>
      new WorkspaceDirectory(doc).setGrid({ id: `grid-${me.username}`, name: 'new grid' }),
    allowed: (s) => can(s, 'settings', 'edit'),
  },
  {
    name: 'draw a grid area in the workspace directory',
    document: 'workspace',
    fixture: 'none',
    change: (doc) =>
      new WorkspaceDirectory(doc).setArea('g1', {
        type: 'Polygon',
        coordinates: [
          [
            [114.36, 30.55],
            [114.37, 30.55],
            [114.37, 30.56],
            [114.36, 30.55],
          ],
        ],
      }),
    allowed: (s) => can(s, 'settings', 'edit'),
  },
  {
    name: 'edit the members of the workspace directory',
    document: 'workspace',
    fixture: 'none',
    change: (doc, me) =>
      new WorkspaceDirectory(doc).setMember({
        id: me.id,
        username: me.username,
        displayName: 'Self-promoted',
        role: 'admin',
      }),
    // Members are written by the server from the account store, for nobody to edit.
    allowed: () => false,
  },
];

// ---------------------------------------------------------------------------------------------

/** [field, whose task, assigned]: the first two name the case. */
const PATCHES = (['title', 'status', 'assignees', 'archived'] as const).flatMap((field) =>
  [true, false].map(
    (assigned) =>
      [field, assigned ? 'assigned to them' : 'not assigned to them', assigned] as const,
  ),
);

describe.each(ROLES)('%s', (role) => {
  let me: Principal;
  let scope: Scope;
  let home: BoardId;

  beforeAll(() => {
    me = people.get(role)!;
    scope = scopeOf(me);
    home = homeBoard(scope);
  });

  describe('REST', () => {
    it('GET /api/boards lists exactly the boards it may read', async () => {
      const response = await api<{ boards: { id: string }[] }>(server, '/api/boards', {
        token: me.token,
      });
      expect(response.status).toBe(200);
      expect(response.body.boards.map((b) => b.id).sort()).toEqual(
        BOARD_IDS.filter((b) => mayRead(scope, b)).sort(),
      );
    });

    it.each(BOARD_IDS)('GET /api/boards/%s/tasks', async (board) => {
      const response = await api(server, `/api/boards/${board}/tasks`, { token: me.token });
      expect(response.status).toBe(mayRead(scope, board) ? 200 : 403);
    });

    it.each(BOARD_IDS)('POST /api/boards/%s/tasks', async (board) => {
      const response = await api<{ task: Task }>(server, `/api/boards/${board}/tasks`, {
        token: me.token,
        body: { title: `made by ${role}` },
      });
      const allowed = mayRead(scope, board) && can(scope, 'tasks', 'create');
      expect(response.status).toBe(allowed ? 201 : 403);
      if (allowed) expect(response.body.task.createdBy).toBe(me.user.id);
    });

    it('POST /api/boards/<first board>/tasks with assignees', async () => {
      const response = await api(server, `/api/boards/${home}/tasks`, {
        token: me.token,
        body: { title: `assigned by ${role}`, assignees: [me.user.id] },
      });
      const allowed =
        can(scope, 'tasks', 'create') &&
        (can(scope, 'tasks', 'assign') || can(scope, 'tasks', 'work'));
      expect(response.status).toBe(!allowed ? 403 : mayBeAssigned(scope, home) ? 201 : 400);
    });

    it.each(PATCHES)('PATCH %s of a task %s', async (field, _whose, assigned) => {
      const fixture = await tryFixtureTask(home, assigned ? [me.user.id] : []);
      if (assigned && !mayBeAssigned(scope, home)) {
        // Nobody can assign this role a task here, so the case cannot arise.
        expect(fixture).toBeNull();
        return;
      }
      const before = fixture!;
      const body = {
        title: { title: `retitled by ${role}` },
        status: { status: 'done' },
        assignees: { assignees: [me.user.id, leader.user.id] },
        archived: { archived: true },
      }[field];
      const response = await api<{ task: Task }>(server, `/api/boards/${home}/tasks/${before.id}`, {
        method: 'PATCH',
        token: me.token,
        body,
      });
      const allowed = mayChange(scope, field, assigned);
      expect({ field, assigned, status: response.status }).toEqual({
        field,
        assigned,
        status: allowed ? 200 : 403,
      });
      const after = await currentTask(home, before.id);
      if (allowed) {
        const wanted =
          field === 'assignees' ? [...new Set([me.user.id, leader.user.id])].sort() : body[field];
        expect(after?.[field]).toEqual(wanted);
        expect(after?.updatedBy).toBe(me.user.id);
      } else {
        expect(after).toEqual(before);
      }
    });

    it.each(BOARD_IDS)('PATCH status of a task assigned to them on board %s', async (board) => {
      const fixture = await tryFixtureTask(board, [me.user.id]);
      if (!mayBeAssigned(scope, board)) {
        expect(fixture).toBeNull();
        return;
      }
      const before = fixture!;
      const response = await api(server, `/api/boards/${board}/tasks/${before.id}`, {
        method: 'PATCH',
        token: me.token,
        body: { status: 'blocked' },
      });
      const allowed = mayRead(scope, board) && mayChange(scope, 'status', true);
      expect(response.status).toBe(allowed ? 200 : 403);
      expect((await currentTask(board, before.id))?.status).toBe(allowed ? 'blocked' : 'todo');
    });

    it('GET /api/users', async () => {
      const response = await api(server, '/api/users', { token: me.token });
      expect(response.status).toBe(can(scope, 'people', 'read') ? 200 : 403);
    });

    it('POST /api/users', async () => {
      const response = await api(server, '/api/users', {
        token: me.token,
        body: { username: `made-by-${role}`, displayName: 'New', role: 'volunteer', grids: ['g1'] },
      });
      expect(response.status).toBe(can(scope, 'people', 'create') ? 201 : 403);
    });

    it('PATCH /api/users/:id', async () => {
      const response = await api(server, `/api/users/${target.id}`, {
        method: 'PATCH',
        token: me.token,
        body: { displayName: `renamed by ${role}` },
      });
      expect(response.status).toBe(can(scope, 'people', 'edit') ? 200 : 403);
    });

    it('POST /api/users/:id/reset', async () => {
      const response = await api(server, `/api/users/${target.id}/reset`, {
        method: 'POST',
        token: me.token,
        body: {},
      });
      expect(response.status).toBe(can(scope, 'people', 'edit') ? 201 : 403);
    });

    it.each(BOARD_IDS)('GET /api/audit?document=board:demo:%s', async (board) => {
      const response = await api(
        server,
        `/api/audit?document=${encodeURIComponent(boardDocName('demo', board))}`,
        { token: me.token },
      );
      expect(response.status).toBe(mayRead(scope, board) ? 200 : 403);
    });

    it('GET /api/audit?document=workspace:demo', async () => {
      const response = await api(server, `/api/audit?document=${WORKSPACE_DOC}`, {
        token: me.token,
      });
      // The workspace directory's trail holds account changes: it takes people and settings.
      const allowed = can(scope, 'people', 'read') && can(scope, 'settings', 'read');
      expect(response.status).toBe(allowed ? 200 : 403);
    });

    it('GET /api/audit (the whole workspace)', async () => {
      const response = await api(server, '/api/audit', { token: me.token });
      expect(response.status).toBe(can(scope, 'reports', 'read') ? 200 : 403);
    });

    it("GET /api/audit?document=<first board>&user=<someone else's id>", async () => {
      const document = encodeURIComponent(boardDocName('demo', home));
      const other = me.user.id === leader.user.id ? viewer.user.id : leader.user.id;
      const response = await api(server, `/api/audit?document=${document}&user=${other}`, {
        token: me.token,
      });
      expect(response.status).toBe(can(scope, 'reports', 'read') ? 200 : 403);
    });

    it('GET /api/audit?format=csv', async () => {
      const response = await api(server, '/api/audit?format=csv', { token: me.token });
      expect(response.status).toBe(can(scope, 'reports', 'read') ? 200 : 403);
    });

    it('GET /api/audit?document=<first board>&format=csv', async () => {
      const document = encodeURIComponent(boardDocName('demo', home));
      const response = await api(server, `/api/audit?document=${document}&format=csv`, {
        token: me.token,
      });
      expect(response.status).toBe(can(scope, 'reports', 'read') ? 200 : 403);
    });

    it('GET /api/held', async () => {
      const response = await api<{ held: HeldEntry[] }>(server, '/api/held', { token: me.token });
      expect(response.status).toBe(can(scope, 'tasks', 'edit') ? 200 : 403);
      if (response.status === 200) {
        // Only held changes of documents in scope are listed.
        const visible = BOARD_IDS.filter((b) => mayRead(scope, b)).map((b) =>
          boardDocName('demo', b),
        );
        for (const entry of response.body.held) {
          if (entry.document.startsWith('board:')) expect(visible).toContain(entry.document);
        }
      }
    });

    it.each(BOARD_IDS)('POST /api/held/:id/accept of a change held on board %s', async (board) => {
      const id = await heldFixture(board);
      const response = await api(server, `/api/held/${id}/accept`, {
        method: 'POST',
        token: me.token,
        body: {},
      });
      // Without the right to review: 403; a document outside the scope is not even shown: 404.
      const expected = !can(scope, 'tasks', 'edit') ? 403 : mayReview(scope, board) ? 200 : 404;
      expect(response.status).toBe(expected);
    });
  });

  describe('Yjs', () => {
    it.each(BOARD_IDS)('opens board:demo:%s', async (board) => {
      const name = boardDocName('demo', board);
      if (mayRead(scope, board)) {
        const client = cleanup.client(await RawYjsClient.synced(server, name, { token: me.token }));
        expect(client.board.list().length).toBeGreaterThan(0);
      } else {
        expect(await upgradeStatus(server, name, { token: me.token })).toBe(403);
      }
    });

    it('opens the workspace directory (every member may)', async () => {
      const client = cleanup.client(
        await RawYjsClient.synced(server, WORKSPACE_DOC, { token: me.token }),
      );
      expect(client.doc.getMap('members').has(me.user.id)).toBe(true);
    });

    it.each(WRITES.map((w) => [w.name, w.document, w] as const))('%s (%s)', async (...row) => {
      const write = row[2];
      const name = write.document === 'workspace' ? WORKSPACE_DOC : boardDocName('demo', home);
      let taskId = '';
      if (write.fixture !== 'none') {
        const fixture = await tryFixtureTask(
          home,
          write.fixture === 'assigned' ? [me.user.id] : [],
        );
        if (write.fixture === 'assigned' && !mayBeAssigned(scope, home)) {
          expect(fixture).toBeNull();
          return;
        }
        taskId = fixture!.id;
      }
      const client = cleanup.client(
        await RawYjsClient.synced(server, name, { token: me.token, sendLocalUpdates: false }),
      );
      const { update, clientID } = updateFrom(client.doc, (doc) =>
        write.change(doc, me.user, taskId),
      );
      const observer = observers.get(name)!;
      client.sendUpdate(update);
      if (write.allowed(scope)) {
        await waitFor(() => expect(writers(observer.doc).has(clientID)).toBe(true));
        expect(client.closeInfo).toBeNull();
      } else {
        await waitFor(() => expect(client.closeInfo).not.toBeNull(), { timeout: 5_000 });
        expect(client.closeInfo?.code).toBe(4403);
        // Not applied: a fresh copy of the document has nothing from that writer.
        const fresh = cleanup.client(
          await RawYjsClient.synced(server, name, { token: leader.token }),
        );
        expect(writers(fresh.doc).has(clientID)).toBe(false);
        expect(writers(observer.doc).has(clientID)).toBe(false);
      }
    });
  });
});

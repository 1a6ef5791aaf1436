/**
 * Cluster mode with three real nodes, real PostgreSQL and real Redis: documents, awareness,
 * socket.io events and account changes cross nodes; the demo is seeded once; operations
 * endpoints report the truth.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { io } from 'socket.io-client';
import {
  Roster,
  TaskBoard,
  WorkspaceDirectory,
  rosterDocName,
  type MapPin,
  type RosterAlarmEvent,
} from '@outpost/model';
import {
  api,
  Cleanup,
  DEMO_USERS,
  notificationClient,
  principal,
  RawYjsClient,
  syncedProvider,
  TASKS_DOC,
  waitFor,
  within,
  type OutpostSocket,
  type Principal,
} from '../helpers.ts';
import { converged, TestCluster, titles } from './cluster.ts';

let cluster: TestCluster;
let leader: Principal;
const cleanup = new Cleanup();

beforeAll(async () => {
  cluster = await TestCluster.start({
    nodes: 3,
    // Only the first node looks at the rosters (after its first pass at start): the others
    // learn of alarms through the rosters alone.
    nodeEnv: (i) => ({ OUTPOST_ROSTER_CHECK_MS: i === 0 ? '500' : '600000' }),
  });
  leader = await principal(cluster.nodes[0]!, 'leader');
}, 120_000);

afterAll(async () => {
  await cleanup.run();
  await cluster?.dispose();
});

describe('cluster', () => {
  it('seeds the demo once although all nodes started together', async () => {
    const admin = await principal(cluster.nodes[1]!, 'admin');
    const users = await api<{ users: { username: string }[] }>(cluster.nodes[2]!, '/api/users', {
      token: admin.token,
    });
    expect(users.body.users.map((u) => u.username).sort()).toEqual([...DEMO_USERS].sort());
    // Seeded twice, the board would hold every seeded task twice.
    const seeded = await converged(cluster.nodes, leader.token, TASKS_DOC, []);
    expect(new Set(seeded).size).toBe(seeded.length);
  });

  it('official clients on different nodes see each other’s edits', async () => {
    const [a, b, c] = cluster.nodes as [
      (typeof cluster.nodes)[0],
      (typeof cluster.nodes)[0],
      (typeof cluster.nodes)[0],
    ];
    const docs = [new Y.Doc(), new Y.Doc(), new Y.Doc()];
    const providers = await Promise.all(
      [a, b, c].map((node, i) =>
        syncedProvider(node, TASKS_DOC, { token: leader.token, doc: docs[i]! }),
      ),
    );
    providers.forEach((p) => cleanup.provider(p));
    docs.forEach((doc, i) =>
      new TaskBoard(doc).create({ title: `from node ${i + 1}`, grid: 'g1' }, leader.user.id),
    );
    for (const doc of docs) {
      await waitFor(() =>
        expect(titles(doc)).toEqual(
          expect.arrayContaining(['from node 1', 'from node 2', 'from node 3']),
        ),
      );
    }
    await converged(cluster.nodes, leader.token, TASKS_DOC, [
      'from node 1',
      'from node 2',
      'from node 3',
    ]);
  });

  it('awareness crosses nodes', async () => {
    const a = cleanup.provider(
      await syncedProvider(cluster.nodes[0]!, TASKS_DOC, { token: leader.token }),
    );
    const b = cleanup.provider(
      await syncedProvider(cluster.nodes[1]!, TASKS_DOC, { token: leader.token }),
    );
    a.awareness.setLocalStateField('focus', { task: 'on node 1' });
    await waitFor(() => {
      const state = b.awareness.getStates().get(a.awareness.clientID) as
        { focus?: { task: string }; user?: { id: string } } | undefined;
      expect(state?.focus?.task).toBe('on node 1');
      // The node that received it vouched for who it is.
      expect(state?.user?.id).toBe(leader.user.id);
    });
    a.destroy();
    await waitFor(() => expect(b.awareness.getStates().has(a.awareness.clientID)).toBe(false));
  });

  it('a notification reaches the person on another node (socket.io through Redis)', async () => {
    const worker = await principal(cluster.nodes[0]!, 'worker');
    const inbox = cleanup.socket(
      await notificationClient(cluster.nodes[2]!, { token: worker.token, via: 'header' }),
    );
    const created = await api(cluster.nodes[0]!, '/api/boards/g1/tasks', {
      token: leader.token,
      body: { title: 'assigned across nodes', grid: 'g1', assignees: [worker.user.id] },
    });
    expect(created.status).toBe(201);
    await waitFor(() =>
      expect(inbox.notifications.map((n) => n.title)).toContain('assigned across nodes'),
    );
  });

  it('an uncovered-post alarm raised by one node reaches a supervisor on another, and so does its end', async () => {
    const supervisor = await principal(cluster.nodes[1]!, 'supervisor');
    const socket: OutpostSocket = cleanup.add(
      io(cluster.nodes[1]!.url, {
        reconnection: false,
        forceNew: true,
        extraHeaders: { Authorization: `Bearer ${supervisor.token}` },
      }),
      (s) => s.close(),
    );
    const alarms: RosterAlarmEvent[] = [];
    socket.on('rosterAlarm', (alarm) => alarms.push(alarm));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    // The supervisor adds a shift starting in a moment with nobody on it, through node 2.
    const provider = cleanup.provider(
      await syncedProvider(cluster.nodes[1]!, rosterDocName('demo', 'g1'), {
        token: supervisor.token,
      }),
    );
    const roster = new Roster(provider.doc);
    const start = Date.now() + 500;
    const shift = roster.addShift({
      checkpoint: 'g1-cp1',
      name: 'Cluster alarm',
      start,
      end: start + 3_600_000,
      required: 1,
    });
    await waitFor(() => expect(alarms.some((a) => a.shift === shift && a.active)).toBe(true), {
      timeout: 15_000,
    });
    // A supervisor acknowledges it on node 2; node 1 clears it; node 2 says it ended.
    roster.acknowledge(shift, supervisor.user.id);
    await waitFor(
      () => expect(alarms.find((a) => a.shift === shift && !a.active)?.clearedBy).toBe('ack'),
      { timeout: 15_000 },
    );
    expect(alarms.filter((a) => a.shift === shift && a.active)).toHaveLength(1);
  });

  it("a leader's summary on one node follows edits made through the others, on any board", async () => {
    const [one, two, three] = cluster.nodes as [
      (typeof cluster.nodes)[0],
      (typeof cluster.nodes)[0],
      (typeof cluster.nodes)[0],
    ];
    const { socket } = cleanup.socket(
      await notificationClient(one, { token: leader.token, via: 'header' }),
    );
    const pins = new Map<string, MapPin>();
    socket.on('summary:delta', (delta) => {
      for (const pin of delta.pins) pins.set(pin.key, pin);
    });
    const answer = await within(socket.emitWithAck('summary:watch'), 15_000, 'summary snapshot');
    if ('error' in answer) throw new Error(answer.error);
    // Longer than the nodes' unload grace (2 s): a document node 1 only read at start-up would
    // be gone from its memory by now, and with it any news of the document from other nodes.
    await new Promise((done) => setTimeout(done, 2_500));

    const created = await api<{ task: { id: string } }>(two, '/api/boards/g2/tasks', {
      token: leader.token,
      body: { title: 'located through node 2', location: { lat: 30.61, lng: 114.31 } },
    });
    expect(created.status).toBe(201);
    await waitFor(() =>
      expect(pins.get(`g2/${created.body.task.id}`)?.title).toBe('located through node 2'),
    );

    // A board added through node 3 after every node started, and a task on it.
    const admin = await principal(three, 'admin');
    const directory = cleanup.client(
      await RawYjsClient.synced(three, 'workspace:demo', { token: admin.token }),
    );
    new WorkspaceDirectory(directory.doc).setBoard({ id: 'late', name: 'Added late', grid: 'g3' });
    const late = await waitFor(async () => {
      const res = await api<{ task: { id: string } }>(three, '/api/boards/late/tasks', {
        token: leader.token,
        body: { title: 'on the late board', location: { lat: 30.62, lng: 114.32 } },
      });
      expect(res.status).toBe(201);
      return res.body.task.id;
    });
    await waitFor(() => expect(pins.get(`late/${late}`)?.grid).toBe('g3'));
  });

  it('an account change on one node applies at once to connections on the others', async () => {
    const admin = await principal(cluster.nodes[0]!, 'admin');
    const worker2 = await principal(cluster.nodes[0]!, 'worker2');
    const client = cleanup.client(
      await RawYjsClient.synced(cluster.nodes[2]!, 'board:demo:g2', { token: worker2.token }),
    );
    const changed = await api(cluster.nodes[0]!, `/api/users/${worker2.user.id}`, {
      token: admin.token,
      method: 'PATCH',
      body: { disabled: true },
    });
    expect(changed.status).toBe(200);
    const closed = await client.closed;
    expect(closed.code).toBe(4401);
  });

  it('reports readiness of store and Redis, and serves metrics to loopback', async () => {
    for (const node of cluster.nodes) {
      const ready = await api<{ ok: boolean; store: string; redis: string }>(node, '/readyz');
      expect(ready.status).toBe(200);
      expect(ready.body).toMatchObject({ ok: true, store: 'up', redis: 'up' });
    }
    const response = await fetch(`${cluster.nodes[1]!.url}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(/outpost_relay_received_total\{node="node-2"\} [1-9]/);
    expect(text).toContain('outpost_store_append_seconds_bucket');
    expect(text).toContain('outpost_yjs_connections');
  });

  it('serves the web app and the API through the round-robin balancer', async () => {
    const front = cluster.front;
    const seen = new Set<number>();
    for (let i = 0; i < 6; i++) {
      const me = await api<{ username: string }>(front, '/api/me', { token: leader.token });
      expect(me.body.username).toBe('leader');
    }
    cluster.balancer!.served.forEach((count, i) => count > 0 && seen.add(i));
    expect(seen.size).toBe(3);
    const client = cleanup.client(
      await RawYjsClient.synced(front, TASKS_DOC, { token: leader.token }),
    );
    expect(titles(client.doc)).toContain('from node 1');
  });
});

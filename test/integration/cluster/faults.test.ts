/**
 * The faults cluster mode must survive, injected into real processes: a node killed with
 * SIGKILL during a write storm, Redis stopped for 30 s, a node paused (SIGSTOP) for 10 s, and
 * PostgreSQL restarted during writes. After each, every node must serve the same document
 * (equal encoded state vectors, equal content) holding every edit any client saw. All waits
 * poll for an outcome; nothing asserts how fast it happened.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { TaskBoard } from '@outpost/model';
import {
  api,
  Cleanup,
  principal,
  provider,
  RawYjsClient,
  syncedProvider,
  TASKS_DOC,
  updateFrom,
  waitFor,
  type OutpostServer,
  type Principal,
} from '../helpers.ts';
import { converged, TestCluster, titles } from './cluster.ts';

let cluster: TestCluster;
let leader: Principal;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  // Compaction every 20 updates: the faults also hit nodes compacting under their lease.
  cluster = await TestCluster.start({ nodes: 3, env: { OUTPOST_COMPACT_EVERY: '20' } });
  leader = await principal(cluster.nodes[0]!, 'leader');
}, 120_000);

afterAll(async () => {
  await cluster?.dispose();
});

interface Writer {
  doc: Y.Doc;
  provider: WebsocketProvider;
}

function writers(endpoints: readonly Pick<OutpostServer, 'wsUrl'>[], cleanup: Cleanup): Writer[] {
  return endpoints.map((endpoint) => {
    const doc = new Y.Doc();
    const p = cleanup.provider(provider(endpoint, TASKS_DOC, { token: leader.token, doc }));
    return { doc, provider: p };
  });
}

async function allSynced(list: readonly Writer[]): Promise<void> {
  await waitFor(() => expect(list.every((w) => w.provider.synced)).toBe(true), {
    timeout: 30_000,
  });
}

/**
 * Each writer creates `count` tasks titled `<prefix>-<writer>-<n>`, one every `pauseMs`;
 * `fault` runs once `faultAfter` rounds are done. Bounded in rounds.
 */
async function storm(
  list: readonly Writer[],
  prefix: string,
  {
    count,
    pauseMs,
    faultAfter,
    fault,
  }: {
    count: number;
    pauseMs: number;
    faultAfter?: number;
    fault?: () => Promise<void> | void;
  },
): Promise<string[]> {
  const created: string[] = [];
  let faulted: Promise<void> | null = null;
  for (let round = 0; round < count; round++) {
    if (fault && round === faultAfter) faulted = Promise.resolve(fault());
    list.forEach((w, i) => {
      const title = `${prefix}-${i}-${round}`;
      new TaskBoard(w.doc).create({ title, grid: 'g1' }, leader.user.id);
      created.push(title);
    });
    await sleep(pauseMs);
  }
  await faulted;
  return created;
}

/** Every title any client has seen, plus what they created. */
function everythingSeen(list: readonly Writer[], created: readonly string[]): Set<string> {
  const seen = new Set(created);
  for (const w of list) for (const t of titles(w.doc)) seen.add(t);
  return seen;
}

describe('faults', () => {
  it('SIGKILL of a node during a write storm: clients move to other nodes, nothing is lost', async () => {
    const cleanup = new Cleanup();
    try {
      // Six writers through the balancer: two on each node.
      const list = writers(
        Array.from({ length: 6 }, () => cluster.front),
        cleanup,
      );
      await allSynced(list);
      const victim = cluster.nodes[1]!;
      const created = await storm(list, 'kill', {
        count: 30,
        pauseMs: 40,
        faultAfter: 10,
        fault: () => void victim.kill(),
      });
      const survivors = [cluster.nodes[0]!, cluster.nodes[2]!];
      const expected = everythingSeen(list, created);
      const content = await converged(survivors, leader.token, TASKS_DOC, expected);
      // The clients converge to the same content too (they reconnected through the balancer).
      await waitFor(
        () => {
          for (const w of list) expect(titles(w.doc)).toEqual(content);
        },
        { timeout: 60_000, interval: 250 },
      );
      // The killed node comes back and serves the same state.
      await victim.restart();
      await converged(cluster.nodes, leader.token, TASKS_DOC, expected);
    } finally {
      await cleanup.run();
    }
  }, 240_000);

  it('Redis stopped for 30 s: nodes keep serving their clients, then all converge', async () => {
    const cleanup = new Cleanup();
    try {
      const list = writers(cluster.nodes, cleanup);
      await allSynced(list);
      await cluster.redis.stopServer();
      // Readiness tells the load balancer; the node still serves what it has.
      await waitFor(async () => {
        const ready = await api<{ redis: string }>(cluster.nodes[0]!, '/readyz');
        expect(ready.status).toBe(503);
        expect(ready.body.redis).toBe('down');
      });
      const created = await storm(list, 'redis', { count: 30, pauseMs: 1_000 });
      // Each node kept accepting and serving: a fresh client on node 1 has node 1's writer's edits.
      const local = await RawYjsClient.synced(cluster.nodes[0]!, TASKS_DOC, {
        token: leader.token,
      });
      expect(titles(local.doc)).toEqual(expect.arrayContaining(titles(list[0]!.doc)));
      await local.close();
      await cluster.redis.startServer();
      await converged(cluster.nodes, leader.token, TASKS_DOC, everythingSeen(list, created));
      for (const node of cluster.nodes) {
        await waitFor(async () => expect((await api(node, '/readyz')).status).toBe(200), {
          timeout: 30_000,
        });
      }
      // Redis relays again (not only the store's catch-up): node 1 receives node 3's edit.
      const relayed = async () => {
        const text = await (await fetch(`${cluster.nodes[0]!.url}/metrics`)).text();
        return Number(/^outpost_relay_received_total\{[^}]*\} (\d+)/m.exec(text)?.[1] ?? NaN);
      };
      const before = await relayed();
      new TaskBoard(list[2]!.doc).create({ title: 'after redis', grid: 'g1' }, leader.user.id);
      await waitFor(() => expect(titles(list[0]!.doc)).toContain('after redis'));
      await waitFor(async () => expect(await relayed()).toBeGreaterThan(before));
    } finally {
      await cleanup.run();
    }
  }, 240_000);

  it('a node paused (SIGSTOP) for 10 s catches up when it continues', async () => {
    const cleanup = new Cleanup();
    try {
      const list = writers(cluster.nodes, cleanup);
      await allSynced(list);
      const paused = cluster.nodes[1]!;
      const created = await storm([list[0]!, list[2]!], 'pause', {
        count: 25,
        pauseMs: 400,
        faultAfter: 2,
        fault: () => paused.signal('SIGSTOP'),
      });
      paused.signal('SIGCONT');
      const expected = everythingSeen(list, created);
      await converged(cluster.nodes, leader.token, TASKS_DOC, expected);
      // The client that sat on the paused node has everything too.
      await waitFor(
        () => expect(titles(list[1]!.doc)).toEqual(expect.arrayContaining([...expected])),
        {
          timeout: 60_000,
          interval: 250,
        },
      );
    } finally {
      await cleanup.run();
    }
  }, 240_000);

  it('PostgreSQL restarted during writes: retried, acknowledged only once durable, nothing acknowledged lost', async () => {
    const cleanup = new Cleanup();
    try {
      const client = cleanup.client(
        await RawYjsClient.synced(cluster.nodes[0]!, TASKS_DOC, { token: leader.token }),
      );
      const others = writers([cluster.nodes[2]!], cleanup);
      await allSynced(others);
      let seq = 0;
      const write = (title: string): number => {
        const { update } = updateFrom(client.doc, (doc) =>
          new TaskBoard(doc).create({ title, grid: 'g1' }, leader.user.id),
        );
        Y.applyUpdate(client.doc, update);
        client.sendSaved(++seq);
        return seq;
      };
      const before = Array.from({ length: 5 }, (_, i) => write(`pg-before-${i}`));
      await waitFor(() => expect(client.savedAcks).toEqual(expect.arrayContaining(before)));

      await cluster.pg.stopServer();
      const during = Array.from({ length: 5 }, (_, i) => write(`pg-during-${i}`));
      new TaskBoard(others[0]!.doc).create(
        { title: 'pg-during-other', grid: 'g1' },
        leader.user.id,
      );
      // While the database is down nothing written since can be acknowledged as saved.
      await sleep(3_000);
      expect(client.savedAcks.filter((s) => during.includes(s))).toEqual([]);
      expect(client.isOpen).toBe(true);

      await cluster.pg.startServer();
      await waitFor(() => expect(client.savedAcks).toEqual(expect.arrayContaining(during)), {
        timeout: 60_000,
        interval: 100,
      });
      const after = Array.from({ length: 5 }, (_, i) => write(`pg-after-${i}`));
      await waitFor(() => expect(client.savedAcks).toEqual(expect.arrayContaining(after)), {
        timeout: 30_000,
      });
      const acknowledged = [
        ...before.map((_, i) => `pg-before-${i}`),
        ...during.map((_, i) => `pg-during-${i}`),
        ...after.map((_, i) => `pg-after-${i}`),
      ];
      await converged(cluster.nodes, leader.token, TASKS_DOC, [...acknowledged, 'pg-during-other']);

      // Acknowledged means durable: with every node killed, a fresh node reads it all back.
      await cleanup.run();
      await Promise.all(cluster.nodes.map((node) => node.kill()));
      await cluster.nodes[0]!.restart();
      const fresh = await RawYjsClient.synced(cluster.nodes[0]!, TASKS_DOC, {
        token: leader.token,
      });
      expect(titles(fresh.doc)).toEqual(expect.arrayContaining(acknowledged));
      await fresh.close();
      await Promise.all([cluster.nodes[1]!.restart(), cluster.nodes[2]!.restart()]);
    } finally {
      await cleanup.run();
    }
  }, 240_000);

  it('SIGKILL of a node: the presence of its clients leaves the other nodes, not 30 s later', async () => {
    const cleanup = new Cleanup();
    try {
      const [first, , victim] = cluster.nodes as [OutpostServer, OutpostServer, OutpostServer];
      const watcher = cleanup.provider(
        await syncedProvider(first, TASKS_DOC, { token: leader.token }),
      );
      const stranded = cleanup.provider(
        await syncedProvider(victim, TASKS_DOC, { token: leader.token }),
      );
      stranded.awareness.setLocalStateField('focus', { task: 'on the node about to die' });
      const id = stranded.awareness.clientID;
      await waitFor(() => expect(watcher.awareness.getStates().has(id)).toBe(true));
      // The client stays with its dead node (no balancer to move it): only the cluster can
      // tell the others it is gone. Awareness alone would keep it for 30 s.
      await victim.kill();
      await waitFor(() => expect(watcher.awareness.getStates().has(id)).toBe(false), {
        timeout: 15_000,
        interval: 250,
      });
      stranded.destroy();
      await victim.restart();
    } finally {
      await cleanup.run();
    }
  }, 60_000);
});

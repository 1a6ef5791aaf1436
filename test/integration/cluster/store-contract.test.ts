/**
 * One contract for the storage interfaces, run against both implementations: the embedded
 * SQLite store and a real PostgreSQL started for this file. Whatever the server relies on of a
 * store is asserted here, so the two cannot drift apart.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { AuditLog } from '../../../realtime/src/access/AuditLog.ts';
import { HeldUpdates } from '../../../realtime/src/access/HeldUpdates.ts';
import { AccountStore } from '../../../realtime/src/accounts/AccountStore.ts';
import { createLogger } from '../../../realtime/src/logger.ts';
import { openSqlite } from '../../../realtime/src/store/Database.ts';
import { PgSql } from '../../../realtime/src/store/PgSql.ts';
import { SqlDocumentStore } from '../../../realtime/src/store/SqlDocumentStore.ts';
import type { Sql } from '../../../realtime/src/store/sql.ts';
import type { LocalPostgres } from '../../../realtime/src/cluster/localServices.ts';
import { tempPostgres } from './cluster.ts';

const logger = createLogger('silent');

interface Backend {
  name: string;
  open(): Promise<Sql>;
  /** What a second node would use: another pool for PostgreSQL; the one embedded store for SQLite. */
  peer(first: Sql): Promise<Sql>;
  stop(): Promise<void>;
}

function sqliteBackend(): Backend {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-contract-'));
  return {
    name: 'sqlite',
    open: () => Promise.resolve(openSqlite(dir)),
    peer: (first) => Promise.resolve(first),
    stop: () => Promise.resolve(fs.rmSync(dir, { recursive: true, force: true })),
  };
}

function postgresBackend(): Backend {
  let pg: LocalPostgres | null = null;
  return {
    name: 'postgres',
    async open() {
      pg ??= await tempPostgres();
      const sql = new PgSql({ connectionString: pg.url, logger, retryForMs: 5_000 });
      await sql.migrate();
      return sql;
    },
    peer(this: Backend) {
      return this.open();
    },
    stop: async () => pg?.destroy(),
  };
}

const text = (update: Uint8Array) => {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, update);
  return doc.getText('t').toString();
};

/** An update appending `s` to the text of `doc`. */
function edit(doc: Y.Doc, s: string): Uint8Array {
  let captured: Uint8Array | null = null;
  const grab = (u: Uint8Array) => (captured = u);
  doc.on('update', grab);
  doc.getText('t').insert(doc.getText('t').length, s);
  doc.off('update', grab);
  return captured!;
}

for (const make of [sqliteBackend, postgresBackend]) {
  const backend = make();
  describe(`store contract: ${backend.name}`, () => {
    let sql: Sql;
    let other: Sql;
    beforeAll(async () => {
      sql = await backend.open();
      other = await backend.peer(sql);
    }, 60_000);
    afterAll(async () => {
      if (other !== sql) await other?.close();
      await sql?.close();
      await backend.stop();
    });

    describe('documents', () => {
      it('reads back what was appended, in order, with gap-free sequence numbers', async () => {
        const store = new SqlDocumentStore(sql);
        const doc = new Y.Doc();
        const results = await store.appendMany([
          { name: 'board:w:a', update: edit(doc, 'one ') },
          { name: 'board:w:b', update: edit(new Y.Doc(), 'other') },
          { name: 'board:w:a', update: edit(doc, 'two') },
        ]);
        expect(results.map((r) => r.seq)).toEqual([1, 1, 2]);
        expect(results.map((r) => r.pending)).toEqual([1, 1, 2]);
        const stored = await store.read('board:w:a');
        expect(stored.seq).toBe(2);
        expect(stored.pending).toBe(2);
        expect(text(Y.mergeUpdates(stored.updates))).toBe('one two');
        expect(await store.list()).toEqual(['board:w:a', 'board:w:b']);
        const missing = await store.read('board:w:none');
        expect(missing).toEqual({ updates: [], bytes: 0, pending: 0, seq: 0 });
      });

      it('reads only what came after a sequence number', async () => {
        const store = new SqlDocumentStore(sql);
        const doc = new Y.Doc();
        for (const s of ['a', 'b', 'c'])
          await store.appendMany([{ name: 'd:after', update: edit(doc, s) }]);
        const tail = await store.read('d:after', 1);
        expect(tail.seq).toBe(3);
        expect(tail.updates).toHaveLength(2);
        expect(await store.read('d:after', 3)).toMatchObject({ updates: [], seq: 3 });
      });

      it('numbers concurrent appends from two nodes without gaps or duplicates', async () => {
        const a = new SqlDocumentStore(sql);
        const b = new SqlDocumentStore(other);
        const docA = new Y.Doc();
        const docB = new Y.Doc();
        const writes: Promise<{ seq: number }[]>[] = [];
        for (let i = 0; i < 20; i++) {
          writes.push(a.appendMany([{ name: 'd:race', update: edit(docA, `a${i} `) }]));
          writes.push(b.appendMany([{ name: 'd:race', update: edit(docB, `b${i} `) }]));
        }
        const seqs = (await Promise.all(writes))
          .flat()
          .map((r) => r.seq)
          .sort((x, y) => x - y);
        expect(seqs).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
        const merged = new Y.Doc();
        Y.applyUpdate(merged, Y.mergeUpdates((await a.read('d:race')).updates));
        for (let i = 0; i < 20; i++) {
          expect(merged.getText('t').toString()).toContain(`a${i} `);
          expect(merged.getText('t').toString()).toContain(`b${i} `);
        }
      });

      it('compacts only under the lease, keeps later updates, and never moves a snapshot back', async () => {
        const store = new SqlDocumentStore(sql);
        const peer = new SqlDocumentStore(other);
        const doc = new Y.Doc();
        await store.appendMany([{ name: 'd:compact', update: edit(doc, 'x') }]);
        await store.appendMany([{ name: 'd:compact', update: edit(doc, 'y') }]);
        const snapshotAt2 = Y.encodeStateAsUpdate(doc);
        const later = edit(doc, 'z');
        await store.appendMany([{ name: 'd:compact', update: later }]);

        expect(await store.lease('d:compact', 'node-a', 30_000)).toBe(true);
        // Someone else cannot take it or compact under it.
        expect(await peer.lease('d:compact', 'node-b', 30_000)).toBe(false);
        expect(await peer.compact('d:compact', snapshotAt2, 2, 'node-b')).toBe(false);
        expect(await store.compact('d:compact', snapshotAt2, 2, 'node-a')).toBe(true);

        const stored = await store.read('d:compact');
        expect(stored).toMatchObject({ seq: 3, pending: 1 });
        expect(text(Y.mergeUpdates(stored.updates))).toBe('xyz');
        // After compaction the lease is free again; a stale, older snapshot changes nothing.
        expect(await peer.lease('d:compact', 'node-b', 30_000)).toBe(true);
        expect(await peer.compact('d:compact', new Uint8Array([0, 0]), 1, 'node-b')).toBe(true);
        expect(text(Y.mergeUpdates((await store.read('d:compact')).updates))).toBe('xyz');
        // A reader behind the snapshot gets the snapshot and what followed it.
        const behind = await store.read('d:compact', 1);
        expect(behind.seq).toBe(3);
        expect(text(Y.mergeUpdates(behind.updates))).toBe('xyz');
        // Appends continue after the snapshot's sequence.
        const next = await store.appendMany([{ name: 'd:compact', update: edit(doc, '!') }]);
        expect(next[0]).toEqual({ seq: 4, pending: 2 });
      });

      it('lets another node take a lease whose holder died', async () => {
        const store = new SqlDocumentStore(sql);
        const peer = new SqlDocumentStore(other);
        expect(await store.lease('d:lease', 'dead-node', 1)).toBe(true);
        await new Promise((resolve) => setTimeout(resolve, 20));
        expect(await peer.lease('d:lease', 'node-b', 30_000)).toBe(true);
        expect(await store.compact('d:lease', new Uint8Array([0, 0]), 0, 'dead-node')).toBe(false);
      });

      it('answers ping', async () => {
        expect(await new SqlDocumentStore(sql).ping()).toBe(true);
      });
    });

    describe('accounts', () => {
      it('creates users, finds them case-insensitively, and refuses a second of the same name', async () => {
        const accounts = new AccountStore(sql, 60_000);
        await accounts.createWorkspace('w1', 'Workspace');
        await accounts.createWorkspace('w1', 'Again');
        expect(await accounts.workspaces()).toEqual([{ id: 'w1', name: 'Workspace' }]);
        const user = await accounts.createUser({
          username: 'Alice',
          displayName: 'Alice A',
          role: 'worker',
          workspaceId: 'w1',
          grids: ['g2', 'g1', 'g1'],
          password: 'correct horse battery',
        });
        expect(user).toMatchObject({
          username: 'Alice',
          grids: ['g1', 'g2'],
          disabled: false,
          hasPassword: true,
        });
        expect((await accounts.userByName('alice'))?.id).toBe(user.id);
        await expect(
          accounts.createUser({
            username: 'ALICE',
            displayName: 'x',
            role: 'viewer',
            workspaceId: 'w1',
            password: null,
          }),
        ).rejects.toThrow();
        expect(await accounts.verify('ALICE', 'correct horse battery')).toMatchObject({
          id: user.id,
        });
        expect(await accounts.verify('alice', 'wrong password!')).toBeNull();
        expect(await accounts.verify('nobody', 'correct horse battery')).toBeNull();
        expect((await accounts.users('w1')).map((u) => u.username)).toEqual(['Alice']);
      });

      it('keeps sessions until revoked, then lets them only hand in', async () => {
        const accounts = new AccountStore(sql, 60_000);
        const user = await accounts.createUser({
          username: 'bob',
          displayName: 'Bob',
          role: 'worker',
          workspaceId: 'w1',
          password: 'correct horse battery',
        });
        const session = await accounts.createSession(user.id);
        expect((await accounts.userForSession(session.token))?.id).toBe(user.id);
        const credential = `s:${(await import('../../../realtime/src/accounts/tokens.ts')).hashSecret(session.token)}`;
        expect(await accounts.credentialValid(credential)).toBe(true);
        // Another node sees the same session.
        expect((await new AccountStore(other, 60_000).userForSession(session.token))?.id).toBe(
          user.id,
        );
        const disabled = await accounts.updateUser(user.id, { disabled: true });
        expect(disabled.disabled).toBe(true);
        expect(await accounts.userForSession(session.token)).toBeNull();
        expect(await accounts.credentialValid(credential)).toBe(false);
        expect((await accounts.userForHandIn(session.token))?.id).toBe(user.id);
        expect(await accounts.userForSession(session.token, Date.now() + 120_000)).toBeNull();
      });

      it('issues API tokens shown once, finds them, and deletes them', async () => {
        const accounts = new AccountStore(sql, 60_000);
        const user = await accounts.createUser({
          username: 'carol',
          displayName: 'Carol',
          role: 'leader',
          workspaceId: 'w1',
          password: null,
        });
        const { id, token } = await accounts.createToken(user.id, 'gateway');
        expect((await accounts.userForToken(token))?.tokenId).toBe(id);
        const listed = await accounts.tokens(user.id);
        expect(listed).toHaveLength(1);
        expect(listed[0]).toMatchObject({ id, name: 'gateway' });
        expect(typeof listed[0]!.lastUsedAt).toBe('number');
        expect(await accounts.credentialValid(`t:${id}`)).toBe(true);
        expect(await accounts.deleteToken('someone-else', id)).toBe(false);
        expect(await accounts.deleteToken(user.id, id)).toBe(true);
        expect(await accounts.userForToken(token)).toBeNull();
      });

      it('redeems an invitation exactly once, even when two nodes race for it', async () => {
        const accounts = new AccountStore(sql, 60_000);
        const peer = new AccountStore(other, 60_000);
        const user = await accounts.createUser({
          username: 'dan',
          displayName: 'Dan',
          role: 'worker',
          workspaceId: 'w1',
          password: null,
        });
        const first = await accounts.createInvite(user.id, 'invite', 'admin', 60_000);
        const link = await accounts.createInvite(user.id, 'invite', 'admin', 60_000);
        expect(await accounts.inviteUser(first)).toBeNull();
        expect(await accounts.inviteUser(link)).toMatchObject({
          purpose: 'invite',
          user: { id: user.id },
        });
        const outcomes = await Promise.all([
          accounts.redeemInvite(link, 'first password!'),
          peer.redeemInvite(link, 'second password'),
        ]);
        expect(outcomes.filter((o) => o !== null)).toHaveLength(1);
        expect(await accounts.inviteUser(link)).toBeNull();
        const passwords = ['first password!', 'second password'];
        const works = await Promise.all(passwords.map((p) => accounts.verify('dan', p)));
        expect(works.filter((w) => w !== null)).toHaveLength(1);
      });
    });

    describe('audit', () => {
      it('appends entries and pages through them newest first, per filter', async () => {
        const audit = new AuditLog(sql);
        const base = {
          workspaceId: 'w1',
          document: 'board:w1:a',
          via: 'web',
          deviceAt: null,
          at: Date.now(),
        };
        await audit.append([
          { ...base, userId: 'u1', entity: 't1', action: 'created', fields: [] },
          { ...base, userId: 'u2', entity: 't1', action: 'edited', fields: ['status', 'title'] },
          {
            ...base,
            userId: 'u1',
            entity: 't2',
            action: 'edited',
            fields: ['title'],
            deviceAt: 42,
          },
        ]);
        await new AuditLog(other).append([
          { ...base, workspaceId: 'w2', userId: 'u9', entity: 't1', action: 'edited', fields: [] },
        ]);
        const all = await audit.query({ workspaceId: 'w1', limit: 10 });
        expect(all.map((e) => e.entity)).toEqual(['t2', 't1', 't1']);
        expect(all[0]).toMatchObject({ deviceAt: 42, fields: ['title'], userId: 'u1' });
        expect(
          (await audit.query({ workspaceId: 'w1', entity: 't1', limit: 10 })).map((e) => e.action),
        ).toEqual(['edited', 'created']);
        expect(await audit.query({ workspaceId: 'w1', userId: 'u2', limit: 10 })).toHaveLength(1);
        const page = await audit.query({ workspaceId: 'w1', limit: 1 });
        const next = await audit.query({ workspaceId: 'w1', before: page[0]!.id, limit: 5 });
        expect(next.map((e) => e.entity)).toEqual(['t1', 't1']);
      });

      it('writes each entry once when its transaction runs again after a COMMIT that went through', async () => {
        // What the PostgreSQL pool does when a COMMIT's answer is lost: it runs the whole
        // transaction again, although the first one may have committed. Here the work of one
        // transaction runs twice on the real database.
        const retried: Sql = Object.assign(Object.create(sql) as Sql, {
          transaction: <T>(work: (tx: Sql) => Promise<T>) =>
            sql.transaction(async (tx) => (await work(tx), work(tx))),
        });
        await new AuditLog(retried).append([
          {
            workspaceId: 'w3',
            document: 'board:w3:a',
            via: 'api',
            deviceAt: null,
            at: Date.now(),
            userId: 'u1',
            entity: 't1',
            action: 'created',
            fields: [],
          },
        ]);
        const entries = await new AuditLog(sql).query({ workspaceId: 'w3', limit: 10 });
        expect(entries.map((e) => e.action)).toEqual(['created']);
      });
    });

    describe('held updates', () => {
      it('holds only what is new, lists, and records one decision', async () => {
        const held = new HeldUpdates(sql);
        const server = new Y.Doc();
        edit(server, 'base');
        const client = new Y.Doc();
        Y.applyUpdate(client, Y.encodeStateAsUpdate(server));
        const change = edit(client, ' offline');
        const input = {
          workspaceId: 'w1',
          document: 'board:w1:a',
          userId: 'u1',
          reason: 'signed out',
          summary: ['task t1: title'],
          update: change,
          doc: server,
        };
        const entry = await held.hold(input);
        expect(entry).toMatchObject({ userId: 'u1', summary: ['task t1: title'], decision: null });
        // The same change again adds nothing: not held twice.
        expect(await held.hold(input)).toBeNull();
        expect((await held.list('w1')).map((h) => h.id)).toEqual([entry!.id]);
        const data = await held.data('w1', entry!.id);
        Y.applyUpdate(server, data!);
        expect(server.getText('t').toString()).toBe('base offline');
        expect(await held.get('w2', entry!.id)).toBeNull();
        const decisions = await Promise.all([
          held.decide(entry!.id, 'accepted', 'sup'),
          new HeldUpdates(other).decide(entry!.id, 'rejected', 'sup2'),
        ]);
        expect(decisions.filter(Boolean)).toHaveLength(1);
        expect((await held.get('w1', entry!.id))?.decision).not.toBeNull();
      });
    });
  });
}

/**
 * Grid areas in the workspace directory: an administrator's area reaches everyone live and
 * survives a restart; a leader's (no right to edit settings) is refused and never applied; a
 * malformed geometry is refused for everyone, administrators too.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE, WorkspaceDirectory, type GridArea } from '@outpost/model';
import {
  Cleanup,
  OutpostServer,
  RawYjsClient,
  WORKSPACE_DOC,
  principal,
  syncedProvider,
  updateFrom,
  waitFor,
  writers,
  type Principal,
} from './helpers.ts';

const servers = new Cleanup();
const cleanup = new Cleanup();
let server: OutpostServer;
let admin: Principal;
let leader: Principal;

beforeAll(async () => {
  server = servers.server(await OutpostServer.start());
  admin = await principal(server, 'admin');
  leader = await principal(server, 'leader');
});

afterEach(() => cleanup.run());
afterAll(() => servers.run());

const AREA: GridArea = {
  type: 'MultiPolygon',
  coordinates: [
    [
      [
        [114.371, 30.551],
        [114.375, 30.551],
        [114.375, 30.554],
        [114.371, 30.554],
        [114.371, 30.551],
      ],
    ],
    [
      [
        [114.38, 30.55],
        [114.381, 30.55],
        [114.381, 30.551],
        [114.38, 30.55],
      ],
    ],
  ],
};

const areasOf = (doc: RawYjsClient['doc']) => new WorkspaceDirectory(doc).listAreas();

describe('grid areas', () => {
  it("accepts an administrator's area, shows it to a leader live and keeps it across a restart", async () => {
    const watching = cleanup.client(
      await RawYjsClient.synced(server, WORKSPACE_DOC, { token: leader.token }),
    );
    const adminCopy = cleanup.provider(
      await syncedProvider(server, WORKSPACE_DOC, { token: admin.token }),
    );
    new WorkspaceDirectory(adminCopy.doc).setArea('g3', AREA);
    await waitFor(() => expect(areasOf(watching.doc).get('g3')).toEqual(AREA));
    // The demo seeds an area for every grid.
    expect(areasOf(watching.doc).has('g4')).toBe(true);
    new WorkspaceDirectory(adminCopy.doc).deleteArea('g4');
    await waitFor(() => expect(areasOf(watching.doc).has('g4')).toBe(false));
    adminCopy.destroy();

    expect(await server.stop()).toBe(0);
    await server.restart();
    const fresh = cleanup.client(
      await RawYjsClient.synced(server, WORKSPACE_DOC, { token: leader.token }),
    );
    expect(areasOf(fresh.doc).get('g3')).toEqual(AREA);
    expect(areasOf(fresh.doc).has('g4')).toBe(false);
  });

  it("refuses a leader's area and applies none of it", async () => {
    const client = cleanup.client(
      await RawYjsClient.synced(server, WORKSPACE_DOC, {
        token: leader.token,
        sendLocalUpdates: false,
      }),
    );
    const before = areasOf(client.doc).get('g1');
    const { update, clientID } = updateFrom(client.doc, (doc) =>
      new WorkspaceDirectory(doc).setArea('g1', AREA),
    );
    client.sendUpdate(update);
    await waitFor(() => expect(client.closeInfo).not.toBeNull());
    expect(client.closeInfo?.code).toBe(CLOSE.forbidden);
    expect(client.closeInfo?.reason).toMatch(/may not change workspace settings/);
    const fresh = cleanup.client(
      await RawYjsClient.synced(server, WORKSPACE_DOC, { token: admin.token }),
    );
    expect(writers(fresh.doc).has(clientID)).toBe(false);
    expect(areasOf(fresh.doc).get('g1')).toEqual(before);
  });

  it.each([
    ['an open ring', { type: 'Polygon', coordinates: [AREA.coordinates[0]![0]!.slice(0, 4)] }],
    ['a point', { type: 'Point', coordinates: [114.37, 30.55] }],
    [
      'projected coordinates',
      {
        type: 'Polygon',
        coordinates: [
          [
            [12_731_000, 3_574_000],
            [1, 1],
            [2, 2],
            [12_731_000, 3_574_000],
          ],
        ],
      },
    ],
    [
      'too many positions',
      {
        type: 'Polygon',
        coordinates: [
          [
            ...Array.from({ length: 5_001 }, (_, i) => [114 + i * 1e-5, 30 + (i % 2) * 1e-4]),
            [114, 30],
          ],
        ],
      },
    ],
  ])('refuses %s even from an administrator', async (_name, geometry) => {
    const client = cleanup.client(
      await RawYjsClient.synced(server, WORKSPACE_DOC, {
        token: admin.token,
        sendLocalUpdates: false,
      }),
    );
    const { update, clientID } = updateFrom(client.doc, (doc) =>
      doc.getMap('areas').set('g2', geometry),
    );
    client.sendUpdate(update);
    await waitFor(() => expect(client.closeInfo).not.toBeNull());
    expect(client.closeInfo?.code).toBe(CLOSE.invalidMessage);
    const fresh = cleanup.client(
      await RawYjsClient.synced(server, WORKSPACE_DOC, { token: leader.token }),
    );
    expect(writers(fresh.doc).has(clientID)).toBe(false);
  });
});

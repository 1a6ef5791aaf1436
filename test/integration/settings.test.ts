/**
 * Workspace settings live in the directory document's `meta`: the map tiles, the time zone and
 * the roster rules. An administrator's change reaches everyone live and survives a restart;
 * nobody else may write them, and values the schema forbids (a `javascript:` tile address, an
 * unknown time zone) are refused for the administrator too, without reaching anyone.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_MAP_SETTINGS,
  DEFAULT_ROSTER_SETTINGS,
  readMapSettings,
  readRosterSettings,
  type MapSettings,
} from '@outpost/model';
import {
  Cleanup,
  OutpostServer,
  RawYjsClient,
  WORKSPACE_DOC,
  principal,
  updateFrom,
  waitFor,
  writers,
  type Principal,
} from './helpers.ts';

const LAN_TILES: MapSettings = {
  url: 'http://192.168.10.5:8080/tiles/{z}/{x}/{y}.png',
  attribution: 'District GIS office <b>not html</b>',
  crs: 'gcj02',
  subdomains: '',
  maxZoom: 18,
};

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

async function open(who: Principal, sendLocalUpdates = true): Promise<RawYjsClient> {
  return cleanup.client(
    await RawYjsClient.synced(server, WORKSPACE_DOC, { token: who.token, sendLocalUpdates }),
  );
}

describe('workspace settings', () => {
  it("an administrator's tiles and roster rules reach a leader live and survive a restart", async () => {
    const watcher = await open(leader);
    const watched = watcher.doc.getMap<unknown>('meta');
    expect(readMapSettings(watched)).toEqual(DEFAULT_MAP_SETTINGS);

    const writer = await open(admin);
    const meta = writer.doc.getMap<unknown>('meta');
    writer.doc.transact(() => {
      meta.set('map', LAN_TILES);
      meta.set('roster', {
        maxHoursIn24h: 10,
        minRestHours: 9,
        swapAutoApprove: true,
        dutyTablePhones: false,
      });
      meta.set('timeZone', 'Asia/Urumqi');
    });
    await waitFor(() => expect(readMapSettings(watched)).toEqual(LAN_TILES));
    expect(readRosterSettings(watched).minRestHours).toBe(9);
    expect(watched.get('timeZone')).toBe('Asia/Urumqi');

    await cleanup.run();
    expect(await server.stop()).toBe(0);
    await server.restart();
    const after = await open(leader);
    const stored = after.doc.getMap<unknown>('meta');
    expect(readMapSettings(stored)).toEqual(LAN_TILES);
    expect(readRosterSettings(stored).maxHoursIn24h).toBe(10);
    expect(stored.get('timeZone')).toBe('Asia/Urumqi');
  });

  it("refuses a leader's change of the tiles with 4403", async () => {
    const client = await open(leader, false);
    const { update, clientID } = updateFrom(client.doc, (doc) =>
      doc.getMap('meta').set('map', DEFAULT_MAP_SETTINGS),
    );
    client.sendUpdate(update);
    expect((await client.closed).code).toBe(4403);
    const fresh = await open(admin);
    expect(writers(fresh.doc).has(clientID)).toBe(false);
  });

  const bad: [string, string, unknown][] = [
    ['a javascript: tile address', 'map', { ...LAN_TILES, url: 'javascript:alert(1)//{z}{x}{y}' }],
    ['a tile address without {y}', 'map', { ...LAN_TILES, url: 'https://t.example/{z}/{x}.png' }],
    ['markup smuggled into the address', 'map', { ...LAN_TILES, url: 'https://t/{z}/{x}/{y}"><' }],
    ['a coordinate system nobody draws', 'map', { ...LAN_TILES, crs: 'bd09' }],
    ['an unknown time zone', 'timeZone', 'Mars/Olympus_Mons'],
    ['rest rules of 30 hours', 'roster', { ...DEFAULT_ROSTER_SETTINGS, minRestHours: 30 }],
  ];

  it.each(bad)('refuses %s from the administrator with 4400; nobody sees it', async (...row) => {
    const [, key, value] = row;
    const witness = await open(leader);
    const before = witness.doc.getMap<unknown>('meta').get(key);
    const client = await open(admin, false);
    const { update, clientID } = updateFrom(client.doc, (doc) =>
      doc.getMap('meta').set(key, value),
    );
    client.sendUpdate(update);
    expect((await client.closed).code).toBe(4400);
    const late = await open(leader);
    expect(writers(late.doc).has(clientID)).toBe(false);
    expect(late.doc.getMap<unknown>('meta').get(key)).toEqual(before);
    expect(writers(witness.doc).has(clientID)).toBe(false);
  });
});

/**
 * The Yjs endpoint speaks RFC 6455 itself. These tests talk to it over a plain TCP socket with
 * hand-made frames, to cover what well-behaved clients never send: fragmented messages, pings,
 * frames split across TCP writes, unmasked frames, reserved bits, text frames and a client's
 * closing handshake.
 */
import crypto from 'node:crypto';
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import {
  Cleanup,
  OutpostServer,
  RawYjsClient,
  TASKS_DOC,
  awarenessFrame,
  principal,
  waitFor,
  type Principal,
} from './helpers.ts';

const servers = new Cleanup();
const cleanup = new Cleanup();
let server: OutpostServer;
let leader: Principal;

beforeAll(async () => {
  server = servers.server(await OutpostServer.start());
  leader = await principal(server, 'leader');
});

afterEach(() => cleanup.run());
afterAll(() => servers.run());

interface ServerFrame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
}

/** A WebSocket client on a bare TCP socket: writes raw bytes, parses what the server sends. */
class RawWire {
  readonly frames: ServerFrame[] = [];
  ended = false;
  private buffer = Buffer.alloc(0);

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.parse();
    });
    socket.on('close', () => (this.ended = true));
    socket.on('error', () => undefined);
  }

  static async open(docName: string, token: string): Promise<RawWire> {
    const socket = net.connect(server.port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const key = crypto.randomBytes(16).toString('base64');
    socket.write(
      `GET /yjs/${encodeURIComponent(docName)}?token=${encodeURIComponent(token)} HTTP/1.1\r\n` +
        `Host: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    const head = await new Promise<Buffer>((resolve, reject) => {
      let data = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        data = Buffer.concat([data, chunk]);
        const end = data.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.off('data', onData);
        resolve(data);
      };
      socket.on('data', onData);
      socket.once('error', reject);
    });
    const end = head.indexOf('\r\n\r\n');
    const status = head.subarray(0, end).toString();
    expect(status).toMatch(/^HTTP\/1\.1 101 /);
    const accept = crypto
      .createHash('sha1')
      .update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11')
      .digest('base64');
    expect(status).toContain(`Sec-WebSocket-Accept: ${accept}`);
    const wire = new RawWire(socket);
    const rest = head.subarray(end + 4);
    if (rest.length) wire.socket.emit('data', rest);
    return wire;
  }

  send(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** The first frame of `opcode` from `from` on, once it has arrived. */
  async next(opcode: number, from = 0): Promise<ServerFrame> {
    let found: ServerFrame | undefined;
    await waitFor(() => {
      found = this.frames.slice(from).find((f) => f.opcode === opcode);
      if (!found) throw new Error(`no frame with opcode ${opcode} yet`);
    });
    return found!;
  }

  async closeCode(): Promise<number> {
    const frame = await this.next(0x8);
    return frame.payload.readUInt16BE(0);
  }

  private parse(): void {
    for (;;) {
      if (this.buffer.length < 2) return;
      const b1 = this.buffer[1]!;
      expect(b1 & 0x80).toBe(0); // server frames are never masked
      let length = b1 & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (this.buffer.length < 4) return;
        length = this.buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (this.buffer.length < 10) return;
        length = Number(this.buffer.readBigUInt64BE(2));
        offset = 10;
      }
      if (this.buffer.length < offset + length) return;
      const b0 = this.buffer[0]!;
      this.frames.push({
        fin: (b0 & 0x80) !== 0,
        opcode: b0 & 0x0f,
        payload: this.buffer.subarray(offset, offset + length),
      });
      this.buffer = this.buffer.subarray(offset + length);
    }
  }
}

/** A client frame: masked with a random key unless `mask` is false. */
function clientFrame(
  opcode: number,
  payload: Uint8Array,
  { fin = true, mask = true, rsv = 0 }: { fin?: boolean; mask?: boolean; rsv?: number } = {},
): Buffer {
  const length = payload.length;
  const header = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const key = mask ? crypto.randomBytes(4) : Buffer.alloc(0);
  const out = Buffer.alloc(header + key.length + length);
  out[0] = (fin ? 0x80 : 0) | (rsv << 4) | opcode;
  if (header === 2) out[1] = length;
  else if (header === 4) {
    out[1] = 126;
    out.writeUInt16BE(length, 2);
  } else {
    out[1] = 127;
    out.writeBigUInt64BE(BigInt(length), 2);
  }
  if (mask) out[1] |= 0x80;
  key.copy(out, header);
  for (let i = 0; i < length; i++)
    out[header + key.length + i] = payload[i]! ^ (mask ? key[i % 4]! : 0);
  return out;
}

function syncStep1(): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0);
  syncProtocol.writeSyncStep1(encoder, new Y.Doc());
  return encoding.toUint8Array(encoder);
}

/** Type byte 0 (sync), sync type 1 (SyncStep2): the server answered our SyncStep1. */
const isSyncStep2 = (f: ServerFrame) =>
  f.opcode === 0x2 && f.payload[0] === 0 && f.payload[1] === 1;

describe('the Yjs endpoint speaks WebSocket', () => {
  it('answers a SyncStep1 sent in fragments, split across TCP writes, with pings in between', async () => {
    const wire = cleanup.add(await RawWire.open(TASKS_DOC, leader.token), (w) =>
      w.socket.destroy(),
    );
    const message = Buffer.from(syncStep1());
    const first = clientFrame(0x2, message.subarray(0, 1), { fin: false });
    const ping = clientFrame(0x9, Buffer.from('are you there'));
    const last = clientFrame(0x0, message.subarray(1));
    const bytes = Buffer.concat([first, ping, last]);
    // One byte at a time for the first frames, then the rest.
    for (let i = 0; i < 8; i++) wire.send(bytes.subarray(i, i + 1));
    wire.send(bytes.subarray(8));
    const pong = await wire.next(0xa);
    expect(pong.payload.toString()).toBe('are you there');
    await waitFor(() => expect(wire.frames.some(isSyncStep2)).toBe(true));
  });

  it('closes with 1002 on an unmasked frame and on reserved bits, and 4400 on a text frame', async () => {
    const unmasked = cleanup.add(await RawWire.open(TASKS_DOC, leader.token), (w) =>
      w.socket.destroy(),
    );
    unmasked.send(clientFrame(0x2, syncStep1(), { mask: false }));
    expect(await unmasked.closeCode()).toBe(1002);
    await waitFor(() => expect(unmasked.ended).toBe(true));

    const reserved = cleanup.add(await RawWire.open(TASKS_DOC, leader.token), (w) =>
      w.socket.destroy(),
    );
    reserved.send(clientFrame(0x2, syncStep1(), { rsv: 4 }));
    expect(await reserved.closeCode()).toBe(1002);

    const text = cleanup.add(await RawWire.open(TASKS_DOC, leader.token), (w) =>
      w.socket.destroy(),
    );
    text.send(clientFrame(0x1, Buffer.from('hello')));
    expect(await text.closeCode()).toBe(4400);
  });

  it('answers a client close frame with its code and ends the connection', async () => {
    const wire = cleanup.add(await RawWire.open(TASKS_DOC, leader.token), (w) =>
      w.socket.destroy(),
    );
    const body = Buffer.alloc(2);
    body.writeUInt16BE(1000, 0);
    wire.send(clientFrame(0x8, body));
    expect(await wire.closeCode()).toBe(1000);
    await waitFor(() => expect(wire.ended).toBe(true));
  });

  it('refuses an upgrade without a valid key or version with an HTTP error', async () => {
    const socket = net.connect(server.port, '127.0.0.1');
    cleanup.add(socket, (s) => s.destroy());
    socket.write(
      `GET /yjs/${encodeURIComponent(TASKS_DOC)}?token=${leader.token} HTTP/1.1\r\nHost: x\r\n` +
        `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: short\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    const reply = await new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
      socket.on('close', () => resolve(text));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400 /);
  });

  it('disconnects a reader that stopped reading once its backlog is too large, and only it', async () => {
    const slow = cleanup.add(await RawWire.open(TASKS_DOC, leader.token), (w) =>
      w.socket.destroy(),
    );
    slow.socket.pause(); // a phone that stopped reading: the server's queue for it grows
    const writer = cleanup.add(
      await RawYjsClient.connect(server, TASKS_DOC, { token: leader.token }),
      (c) => c.close(),
    );
    await waitFor(() => expect(writer.synced).toBe(true));
    // Presence broadcasts reach every socket in the room: ~40 MB of them, more than the kernel's
    // buffers and the server's per-connection limit together, within the flood allowance.
    const pad = 'x'.repeat(14_000);
    for (let round = 1; round <= 2_800 && !slow.ended; round++) {
      writer.send(awarenessFrame([[writer.doc.clientID, round, { pad, round }]]));
      if (round % 250 === 0) await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    slow.socket.resume();
    await waitFor(() => expect(slow.ended).toBe(true), { timeout: 20_000 });
    const close = slow.frames.find((f) => f.opcode === 0x8);
    if (close) expect(close.payload.readUInt16BE(0)).toBe(4408);
    // The reader that kept up is still connected.
    expect(writer.closeInfo).toBeNull();
  });
});

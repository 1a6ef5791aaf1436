/**
 * A small server-side WebSocket (RFC 6455) for the Yjs endpoint, written for its one job: binary
 * messages, no extensions, no subprotocols. It works directly on the upgraded TCP socket, so a
 * connection is that socket plus one object (no stream-based receiver, no sender queue), and a
 * message sent to many connections is framed once: every socket writes the same buffer.
 *
 * What it enforces: client frames must be masked, reserved bits clear, control frames short and
 * unfragmented, messages no larger than `maxPayload` (1009 otherwise), text is refused by the
 * caller; a close frame is answered and the TCP connection ended; pings are answered. A socket
 * that does not complete the closing handshake is destroyed after a short grace.
 */
import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OP_CONTINUATION = 0x0;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;
/** How long a closing socket may take to finish the closing handshake before it is destroyed. */
const CLOSE_GRACE_MS = 2000;

/** Close codes this layer sends by itself. */
export const WIRE_CLOSE = { protocolError: 1002, tooBig: 1009 } as const;

export interface WireHandlers {
  /** A complete message; `binary` false for text. The bytes are valid until the call returns. */
  message(data: Buffer, binary: boolean): void;
  /** The peer answered a ping. */
  pong(): void;
  /** The connection is gone (closed by either side or lost); called once. */
  closed(): void;
}

/**
 * Completes the opening handshake if the request is a valid WebSocket upgrade, or returns the
 * HTTP status to refuse it with.
 */
export function acceptKey(request: IncomingMessage): string | number {
  if (request.method !== 'GET') return 405;
  const upgrade = request.headers.upgrade;
  if (typeof upgrade !== 'string' || upgrade.toLowerCase() !== 'websocket') return 400;
  if (request.headers['sec-websocket-version'] !== '13') return 426;
  const key = request.headers['sec-websocket-key'];
  if (typeof key !== 'string' || !/^[+/0-9A-Za-z]{22}==$/.test(key.trim())) return 400;
  return crypto
    .createHash('sha1')
    .update(key.trim() + GUID)
    .digest('base64');
}

/** Header and payload of one unfragmented binary frame, server to client (unmasked). */
function binaryFrame(payload: Uint8Array): Buffer {
  return frame(OP_BINARY, payload);
}

/**
 * Larger messages (a document's state for one joining client, a big offline backlog) are
 * written as a header and the payload itself, without copying them into a frame; and they are
 * not kept as the last frame built, which would hold megabytes until the next send.
 */
const COPY_LIMIT = 16 * 1024;

function frame(opcode: number, payload: Uint8Array): Buffer {
  const length = payload.byteLength;
  const out = frameHeader(opcode, length, length);
  out.set(payload, out.length - length);
  return out;
}

/** A frame header for a payload of `length` bytes, with room for `room` payload bytes after it. */
function frameHeader(opcode: number, length: number, room = 0): Buffer {
  const header = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const out = Buffer.allocUnsafe(header + room);
  out[0] = 0x80 | opcode;
  if (header === 2) out[1] = length;
  else if (header === 4) {
    out[1] = 126;
    out.writeUInt16BE(length, 2);
  } else {
    out[1] = 127;
    out.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    out.writeUInt32BE(length >>> 0, 6);
  }
  return out;
}

/** The last frame built, so that a broadcast (the same bytes to many sockets) frames once. */
let lastPayload: Uint8Array | null = null;
let lastFrame: Buffer | null = null;

function framed(payload: Uint8Array): Buffer {
  if (payload !== lastPayload) {
    lastFrame = binaryFrame(payload);
    lastPayload = payload;
  }
  return lastFrame!;
}

export class WireSocket {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Fragments of a message still arriving. */
  private fragments: Buffer[] | null = null;
  private fragmentsBytes = 0;
  private fragmentsBinary = true;
  private closing = false;
  private done = false;

  constructor(
    private readonly socket: Duplex,
    private readonly maxPayload: number,
    private readonly handlers: WireHandlers,
  ) {
    (socket as Owned)[OWNER] = this;
    socket.on('end', onEnd);
    socket.on('close', onClose);
    socket.on('error', onError);
  }

  /**
   * Writes the 101 response. Frames may be sent at once (they leave with it when `start` is
   * called); nothing is read until `start`, so the caller can wire the connection up first.
   */
  static accept(
    socket: Duplex,
    accept: string,
    maxPayload: number,
    handlers: WireHandlers,
  ): WireSocket {
    const tcp = socket as Duplex & {
      setNoDelay?: (on: boolean) => void;
      setTimeout?: (ms: number) => void;
    };
    tcp.setNoDelay?.(true);
    tcp.setTimeout?.(0);
    // The 101 and whatever the caller sends before `start` (the greeting) leave in one write.
    socket.cork();
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    return new WireSocket(socket, maxPayload, handlers);
  }

  /** Starts reading, beginning with the bytes that arrived with the upgrade request. */
  start(head: Buffer): void {
    this.socket.uncork();
    if (head.length) this.onData(head);
    if (!this.done) this.socket.on('data', onData);
  }

  /** Bytes written but not yet handed to the kernel. */
  get bufferedAmount(): number {
    return this.socket.writableLength;
  }

  get isOpen(): boolean {
    return !this.closing && !this.done;
  }

  send(data: Uint8Array): void {
    if (!this.isOpen) return;
    if (data.byteLength <= COPY_LIMIT) {
      this.socket.write(framed(data));
      return;
    }
    this.socket.cork();
    this.socket.write(frameHeader(OP_BINARY, data.byteLength));
    this.socket.write(data);
    this.socket.uncork();
  }

  ping(): void {
    if (this.isOpen) this.socket.write(frame(OP_PING, EMPTY));
  }

  /** Starts the closing handshake: the close frame, then the TCP connection ends. */
  close(code: number, reason: string): void {
    if (!this.isOpen) return;
    this.closing = true;
    const text = Buffer.from(reason.slice(0, 120));
    const body = Buffer.allocUnsafe(2 + text.length);
    body.writeUInt16BE(code, 0);
    text.copy(body, 2);
    this.socket.end(frame(OP_CLOSE, body));
    setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref();
  }

  /** Drops the connection without a closing handshake. */
  terminate(): void {
    this.socket.destroy();
  }

  /** @internal */
  onData(chunk: Buffer): void {
    if (this.done) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (this.buffered >= 2 && !this.done) {
      if (!this.readFrame()) return;
    }
  }

  /** Reads one frame if it is complete; false if more bytes are needed. */
  private readFrame(): boolean {
    const first = this.peek(2);
    const b0 = first[0]!;
    const b1 = first[1]!;
    const fin = (b0 & 0x80) !== 0;
    const opcode = b0 & 0x0f;
    if ((b0 & 0x70) !== 0 || (b1 & 0x80) === 0)
      return this.fail(WIRE_CLOSE.protocolError, 'bad frame');
    let length = b1 & 0x7f;
    let header = 2;
    if (length === 126) {
      if (this.buffered < 4) return false;
      length = this.peek(4).readUInt16BE(2);
      header = 4;
    } else if (length === 127) {
      if (this.buffered < 10) return false;
      const bytes = this.peek(10);
      const high = bytes.readUInt32BE(2);
      if (high > 0x1fffff) return this.fail(WIRE_CLOSE.tooBig, 'message too big');
      length = high * 2 ** 32 + bytes.readUInt32BE(6);
      header = 10;
    }
    const control = opcode >= 0x8;
    if (control && (!fin || length > 125))
      return this.fail(WIRE_CLOSE.protocolError, 'bad control frame');
    if (!control && this.fragmentsBytes + length > this.maxPayload)
      return this.fail(WIRE_CLOSE.tooBig, 'message too big');
    const total = header + 4 + length;
    if (this.buffered < total) return false;
    const bytes = this.take(total);
    const payload = bytes.subarray(header + 4);
    unmask(payload, bytes, header);
    if (control) return this.control(opcode, payload);
    if (opcode === OP_CONTINUATION) {
      if (!this.fragments) return this.fail(WIRE_CLOSE.protocolError, 'unexpected continuation');
      this.fragments.push(payload);
      this.fragmentsBytes += length;
      if (fin) {
        const whole = Buffer.concat(this.fragments, this.fragmentsBytes);
        const binary = this.fragmentsBinary;
        this.fragments = null;
        this.fragmentsBytes = 0;
        this.handlers.message(whole, binary);
      }
      return true;
    }
    if (opcode !== OP_BINARY && opcode !== OP_TEXT)
      return this.fail(WIRE_CLOSE.protocolError, 'unknown opcode');
    if (this.fragments) return this.fail(WIRE_CLOSE.protocolError, 'expected a continuation');
    if (fin) {
      this.handlers.message(payload, opcode === OP_BINARY);
    } else {
      this.fragments = [payload];
      this.fragmentsBytes = length;
      this.fragmentsBinary = opcode === OP_BINARY;
    }
    return true;
  }

  private control(opcode: number, payload: Buffer): boolean {
    if (opcode === OP_PING) {
      if (this.isOpen) this.socket.write(frame(OP_PONG, payload));
    } else if (opcode === OP_PONG) {
      this.handlers.pong();
    } else if (opcode === OP_CLOSE) {
      if (this.isOpen) {
        // Echo the code (or none) and end: the peer started the closing handshake.
        this.closing = true;
        this.socket.end(frame(OP_CLOSE, payload.length >= 2 ? payload.subarray(0, 2) : EMPTY));
        setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref();
      } else {
        this.socket.destroy();
      }
      this.finish();
      return false;
    } else {
      return this.fail(WIRE_CLOSE.protocolError, 'unknown opcode');
    }
    return true;
  }

  /** The first `n` bytes without consuming them (merging chunks when needed). */
  private peek(n: number): Buffer {
    if (this.chunks[0]!.length < n) this.chunks = [Buffer.concat(this.chunks, this.buffered)];
    return this.chunks[0]!;
  }

  /** Consumes and returns exactly `n` bytes. */
  private take(n: number): Buffer {
    this.buffered -= n;
    const first = this.chunks[0]!;
    if (first.length === n) {
      this.chunks.shift();
      return first;
    }
    if (first.length > n) {
      this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let offset = 0;
    while (offset < n) {
      const chunk = this.chunks[0]!;
      const part = Math.min(chunk.length, n - offset);
      chunk.copy(out, offset, 0, part);
      offset += part;
      if (part === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(part);
    }
    return out;
  }

  private fail(code: number, reason: string): false {
    this.close(code, reason);
    this.chunks = [];
    this.buffered = 0;
    this.finish();
    return false;
  }

  /** The peer ended its side without a close frame. */
  /** @internal */
  lost(): void {
    this.socket.end();
    this.finish();
  }

  /** @internal */
  finish(): void {
    if (this.done) return;
    this.done = true;
    this.chunks = [];
    this.fragments = null;
    this.handlers.closed();
  }
}

const EMPTY = Buffer.alloc(0);

/** Socket events reach their WireSocket through this property: no closures per socket. */
const OWNER = Symbol('wire');
type Owned = Duplex & { [OWNER]: WireSocket };
function onData(this: Owned, chunk: Buffer): void {
  this[OWNER].onData(chunk);
}
function onEnd(this: Owned): void {
  this[OWNER].lost();
}
function onClose(this: Owned): void {
  this[OWNER].finish();
}
function onError(this: Owned): void {
  this.destroy();
}

/** Unmasks `payload` in place with the 4-byte key that precedes it in `frame` at `at`. */
function unmask(payload: Buffer, frameBytes: Buffer, at: number): void {
  const m0 = frameBytes[at]!;
  const m1 = frameBytes[at + 1]!;
  const m2 = frameBytes[at + 2]!;
  const m3 = frameBytes[at + 3]!;
  const length = payload.length;
  let i = 0;
  for (; i + 3 < length; i += 4) {
    payload[i] = payload[i]! ^ m0;
    payload[i + 1] = payload[i + 1]! ^ m1;
    payload[i + 2] = payload[i + 2]! ^ m2;
    payload[i + 3] = payload[i + 3]! ^ m3;
  }
  if (i < length) payload[i] = payload[i]! ^ m0;
  if (i + 1 < length) payload[i + 1] = payload[i + 1]! ^ m1;
  if (i + 2 < length) payload[i + 2] = payload[i + 2]! ^ m2;
}

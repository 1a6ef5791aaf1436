import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { createClient } from 'redis';
import * as awarenessProtocol from 'y-protocols/awareness';
import type {
  Extension,
  OnConnectPayload,
  OnLoadDocumentPayload,
  OnStoreDocumentPayload,
} from '../core/types.ts';
import type { AccountEvent } from '../access/AccessService.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from './metrics.ts';

export type RedisClient = ReturnType<typeof createClient>;

/**
 * Marks awareness changes that came from another node (named), so they are not sent back out
 * and the node they came from is remembered.
 */
class FromPeer {
  constructor(readonly node: string) {}
}

const docChannel = (name: string) => `outpost:doc:${name}`;
const awarenessChannel = (name: string) => `outpost:aw:${name}`;
const ACCOUNTS_CHANNEL = 'outpost:accounts';
/** Every node says it is alive here, so the others can tell one that died. */
const NODES_CHANNEL = 'outpost:nodes';
const HEARTBEAT_MS = 2_000;
/** A node not heard for this long is gone: its clients' presence is removed everywhere. */
const PEER_TIMEOUT_MS = 3 * HEARTBEAT_MS;

/** What the relay hands durable updates from other nodes to (the persistence extension). */
export interface RelayTarget {
  applyRelayed(name: string, seq: number, update: Uint8Array): void;
  catchUpAll(): Promise<void>;
}

export interface RedisRelayOptions {
  url: string;
  nodeId: string;
  logger: Logger;
  metrics: Metrics;
  /** How often every loaded document is caught up from the store, whatever Redis did. */
  catchUpMs: number;
}

/**
 * Carries Yjs updates, awareness and account events between nodes through Redis pub/sub.
 * Pub/sub may drop messages (a node or Redis away): updates carry their store sequence number,
 * so a gap is noticed and read back from the shared store, and every loaded document is caught
 * up from the store periodically and whenever the Redis connection comes back. Redis is the
 * fast path; the store's log is the truth.
 */
export class RedisRelay implements Extension {
  readonly name = 'redis-relay';
  /** Before the store's load, so that nothing published during the load is missed. */
  readonly priority = 1100;
  readonly pub: RedisClient;
  private readonly sub: RedisClient;
  private target: RelayTarget | null = null;
  private readonly awareness = new Map<string, awarenessProtocol.Awareness>();
  private readonly watched = new Set<string>();
  private catchUpTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  /** When each other node was last heard from. */
  private readonly peers = new Map<string, number>();
  /** Per document: which node announced each awareness client id it relayed. */
  private readonly presenceOwners = new Map<string, Map<number, string>>();
  private wasDown = false;
  private closed = false;
  onAccountEvent: ((event: AccountEvent) => void) | null = null;

  constructor(private readonly options: RedisRelayOptions) {
    const reconnectStrategy = (retries: number) => Math.min(100 * 2 ** retries, 2_000);
    this.pub = createClient({
      url: options.url,
      // While Redis is away, publishing fails at once instead of piling up: the store's log
      // carries what was missed.
      disableOfflineQueue: true,
      socket: { reconnectStrategy, connectTimeout: 5_000 },
    });
    this.sub = this.pub.duplicate();
    for (const [role, client] of [
      ['publisher', this.pub],
      ['subscriber', this.sub],
    ] as const) {
      client.on('error', (error: Error) => {
        if (!this.wasDown) options.logger.warn('redis unavailable', { role, error: error.message });
        this.wasDown = true;
      });
      client.on('ready', () => {
        if (!this.wasDown) return;
        this.wasDown = false;
        // Nobody could be heard meanwhile: start counting again rather than declare all gone.
        for (const node of this.peers.keys()) this.peers.set(node, Date.now());
        options.logger.info('redis back; catching up from the store', { role });
        void this.catchUp();
      });
    }
  }

  async start(target: RelayTarget): Promise<void> {
    this.target = target;
    await Promise.all([this.pub.connect(), this.sub.connect()]);
    await this.sub.subscribe(ACCOUNTS_CHANNEL, (message) => this.onAccountMessage(message));
    await this.sub.subscribe(NODES_CHANNEL, (message) => this.heard(message));
    this.catchUpTimer = setInterval(() => void this.catchUp(), this.options.catchUpMs);
    this.catchUpTimer.unref();
    this.heartbeatTimer = setInterval(() => {
      this.publish(NODES_CHANNEL, this.options.nodeId);
      this.forgetSilentPeers();
    }, HEARTBEAT_MS);
    this.heartbeatTimer.unref();
    this.publish(NODES_CHANNEL, this.options.nodeId);
  }

  private heard(node: string): void {
    if (node !== this.options.nodeId) this.peers.set(node, Date.now());
  }

  /**
   * A node killed outright says nothing: the presence of its clients would stay on every other
   * node until awareness times out (30 s), people shown on a card nobody has open. Once a node
   * has been silent for `PEER_TIMEOUT_MS`, the presence it relayed is removed here.
   */
  private forgetSilentPeers(): void {
    // Not hearing anyone because this node's own subscription is down proves nothing.
    if (!this.sub.isReady) return;
    const now = Date.now();
    for (const [node, seen] of this.peers) {
      if (now - seen < PEER_TIMEOUT_MS) continue;
      this.peers.delete(node);
      for (const [name, owners] of this.presenceOwners) {
        const gone = [...owners].filter(([, owner]) => owner === node).map(([id]) => id);
        if (!gone.length) continue;
        for (const id of gone) owners.delete(id);
        const awareness = this.awareness.get(name);
        if (awareness) awarenessProtocol.removeAwarenessStates(awareness, gone, new FromPeer(node));
      }
      this.options.logger.warn('node went silent; its clients’ presence removed', { node });
    }
  }

  /** Is Redis reachable now? (`/readyz`) */
  async ping(): Promise<boolean> {
    if (!this.pub.isReady) return false;
    try {
      return (await this.pub.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  async onLoadDocument({ documentName }: OnLoadDocumentPayload): Promise<void> {
    if (this.watched.has(documentName)) return;
    this.watched.add(documentName);
    try {
      await this.sub.subscribe(
        docChannel(documentName),
        (message: Buffer) => this.onDocMessage(documentName, message),
        true,
      );
      await this.sub.subscribe(
        awarenessChannel(documentName),
        (message: Buffer) => this.onAwarenessMessage(documentName, message),
        true,
      );
    } catch (error) {
      // Redis away: the document still loads and is kept current by catch-up; node-redis
      // subscribes again once it is back.
      this.options.logger.warn('redis subscribe failed', {
        doc: documentName,
        error: String(error),
      });
    }
  }

  onConnect({ documentName, connection }: OnConnectPayload): void {
    const awareness = connection.room.awareness;
    if (this.awareness.get(documentName) === awareness) return;
    this.awareness.set(documentName, awareness);
    awareness.on(
      'update',
      (
        { added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
        origin: unknown,
      ) => {
        if (this.closed) return;
        const changed = added.concat(updated, removed);
        if (!changed.length) return;
        let owners = this.presenceOwners.get(documentName);
        if (origin instanceof FromPeer) {
          // Remember which node each client is present through (and forget those who left).
          if (!owners) this.presenceOwners.set(documentName, (owners = new Map()));
          for (const id of added.concat(updated)) owners.set(id, origin.node);
          for (const id of removed) owners.delete(id);
          return;
        }
        // Announced through this node now (a client that moved here): no longer another's.
        if (owners) for (const id of changed) owners.delete(id);
        const encoder = encoding.createEncoder();
        encoding.writeVarString(encoder, this.options.nodeId);
        encoding.writeVarUint8Array(
          encoder,
          awarenessProtocol.encodeAwarenessUpdate(awareness, changed),
        );
        this.publish(awarenessChannel(documentName), encoding.toUint8Array(encoder));
      },
    );
  }

  async onStoreDocument({ documentName, reason }: OnStoreDocumentPayload): Promise<void> {
    if (reason === 'compact' || !this.watched.delete(documentName)) return;
    this.awareness.delete(documentName);
    this.presenceOwners.delete(documentName);
    await Promise.all([
      this.sub.unsubscribe(docChannel(documentName)),
      this.sub.unsubscribe(awarenessChannel(documentName)),
    ]).catch(() => undefined);
  }

  /** Tells the other nodes about an update this node stored as `seq`. */
  published(name: string, seq: number, update: Uint8Array): void {
    const encoder = encoding.createEncoder();
    encoding.writeVarString(encoder, this.options.nodeId);
    encoding.writeVarUint(encoder, seq);
    encoding.writeFloat64(encoder, Date.now());
    encoding.writeVarUint8Array(encoder, update);
    this.publish(docChannel(name), encoding.toUint8Array(encoder));
    this.options.metrics.relayedOut.inc();
  }

  /** Tells the other nodes about an account change made here. */
  announce(event: AccountEvent): void {
    this.publish(ACCOUNTS_CHANNEL, JSON.stringify({ node: this.options.nodeId, ...event }));
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.catchUpTimer) clearInterval(this.catchUpTimer);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    await Promise.all(
      [this.sub, this.pub].map((client) =>
        client.isOpen ? client.quit().catch(() => client.destroy()) : undefined,
      ),
    );
  }

  private publish(channel: string, message: Uint8Array | string): void {
    if (!this.pub.isReady) return;
    const payload = typeof message === 'string' ? message : Buffer.from(message);
    this.pub.publish(channel, payload).catch(() => {
      // Lost on the way: peers notice the gap or catch up from the store.
    });
  }

  private async catchUp(): Promise<void> {
    try {
      await this.target?.catchUpAll();
    } catch (error) {
      this.options.logger.warn('catch-up from the store failed', { error: String(error) });
    }
  }

  private onDocMessage(name: string, message: Buffer): void {
    try {
      const decoder = decoding.createDecoder(message);
      const node = decoding.readVarString(decoder);
      if (node === this.options.nodeId) return;
      this.heard(node);
      const seq = decoding.readVarUint(decoder);
      const sentAt = decoding.readFloat64(decoder);
      const update = decoding.readVarUint8Array(decoder);
      this.options.metrics.redisLag.observe(Math.max(0, Date.now() - sentAt) / 1000);
      this.options.metrics.relayedIn.inc();
      this.target?.applyRelayed(name, seq, update);
    } catch (error) {
      this.options.logger.warn('bad relayed update', { doc: name, error: String(error) });
    }
  }

  private onAwarenessMessage(name: string, message: Buffer): void {
    const awareness = this.awareness.get(name);
    if (!awareness) return;
    try {
      const decoder = decoding.createDecoder(message);
      const node = decoding.readVarString(decoder);
      if (node === this.options.nodeId) return;
      this.heard(node);
      const update = decoding.readVarUint8Array(decoder);
      awarenessProtocol.applyAwarenessUpdate(awareness, update, new FromPeer(node));
    } catch (error) {
      this.options.logger.warn('bad relayed awareness', { doc: name, error: String(error) });
    }
  }

  private onAccountMessage(message: string): void {
    try {
      const event = JSON.parse(message) as AccountEvent & { node: string };
      if (event.node === this.options.nodeId) return;
      this.onAccountEvent?.(event);
    } catch (error) {
      this.options.logger.warn('bad account event', { error: String(error) });
    }
  }
}

import { CLOSE, MESSAGE_NOTICE, MESSAGE_SAVED } from '@outpost/model';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { IndexeddbPersistence } from 'y-indexeddb';
import * as syncProtocol from 'y-protocols/sync';
import { WebsocketProvider, messageSync } from 'y-websocket';
import * as Y from 'yjs';
import { handInUpdate, type HandInOutcome } from './hand-in.ts';
import {
  forgetLocalDocument,
  rememberLocalDocument,
  readUnsaved,
  writeUnsaved,
} from './local-store.ts';
import { SaveTracker } from './save-tracker.ts';

/** What the connection indicator shows; see `DocConnection.state`. */
export type ConnectionState =
  | { kind: 'online'; unsaved: 0 }
  | { kind: 'saving'; unsaved: number }
  | { kind: 'connecting'; unsaved: number }
  | { kind: 'offline'; unsaved: number }
  | { kind: 'refused'; unsaved: number; code: number; message: string };

export interface ServerNotice {
  code: string;
  message: string;
}

/** The server ended this person's access to the document: 4401 (signed out) or 4403. */
export interface AccessEnd {
  code: number;
  /** The server's words; null when the app found out by itself (see `onUnreachable`). */
  reason: string | null;
}

export interface DocConnectionHooks {
  /** Access ended (4401, 4403): the connection has stopped for good and will not retry. */
  onAccessEnded?: (connection: DocConnection, end: AccessEnd) => void;
  /**
   * The socket keeps failing to open although the network is up. A refused upgrade (HTTP 401
   * or 403: signed out or out of scope while offline) looks like this to a browser.
   */
  onUnreachable?: (connection: DocConnection) => void;
}

/** Close codes after which reconnecting cannot help: access has ended. */
const ACCESS_ENDED: readonly number[] = [CLOSE.unauthorized, CLOSE.forbidden];
/** Failed opens in a row before `onUnreachable`, and how often after that. */
const UNREACHABLE_AFTER = 3;
const UNREACHABLE_EVERY = 10;

/** Delay before asking the server to confirm storage after a local edit. */
const SAVE_REQUEST_DELAY_MS = 150;

/**
 * One Yjs document opened in the browser: kept in IndexedDB (so it opens offline) and synced
 * with the server over the y-websocket protocol at `/yjs/<name>`.
 *
 * It also keeps a truthful count of local changes the server has not yet confirmed as durably
 * stored (Outpost's `MESSAGE_SAVED` extension): every local transaction counts one; after the
 * connection has synced, and after each local edit, the client sends `[MESSAGE_SAVED, seq]`;
 * the server echoes the seq once everything received before it is stored, and every change
 * counted before that request is then saved. The count survives a reload in localStorage, so a
 * worker who closes the app offline still sees "3 changes not yet saved" when it reopens.
 */
export class DocConnection {
  readonly doc = new Y.Doc();
  readonly provider: WebsocketProvider;
  readonly persistence: IndexeddbPersistence;

  /** True once the IndexedDB copy has been loaded into the document. */
  localReady = $state(false);
  /** True once the document has synced with the server on the current connection. */
  synced = $state(false);
  /** The WebSocket is open. */
  connected = $state(false);
  /** The browser says it has a network. */
  networkUp = $state(typeof navigator === 'undefined' ? true : navigator.onLine);
  /** Local changes not yet confirmed as durably stored by the server. */
  unsaved = $state(0);
  /** Set when the server closed the connection for good (4400-4499) or sent a notice. */
  refused = $state<{ code: number; reason: string } | null>(null);
  notice = $state<ServerNotice | null>(null);
  /** Set once the server ended access (4401, 4403): nothing syncs any more. */
  ended = $state.raw<AccessEnd | null>(null);

  readonly state: ConnectionState = $derived.by(() => this.computeState());

  private readonly tracker: SaveTracker;
  private step1Answered = false;
  private saveTimer: ReturnType<typeof setTimeout> | null = null;
  private destroyed = false;
  private stopped = false;
  private failedOpens = 0;
  private readonly cleanup: (() => void)[] = [];

  constructor(
    readonly name: string,
    private readonly hooks: DocConnectionHooks = {},
  ) {
    this.tracker = new SaveTracker(readUnsaved(name));
    this.unsaved = this.tracker.unsaved;
    rememberLocalDocument(name);

    // The socket opens only once the local copy is in the document. Opened earlier, the
    // copy arriving afterwards would be sent to the server as if it were a new edit, and the
    // server judges every update it receives against the sender's rights.
    this.persistence = new IndexeddbPersistence(name, this.doc);
    const ready = () => {
      if (this.destroyed) return;
      this.localReady = true;
      if (this.networkUp && !this.stopped) this.provider.connect();
    };
    // IndexedDB unavailable (private mode on some phones): work online only.
    this.persistence.whenSynced.then(ready, ready);

    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    this.provider = new WebsocketProvider(`${scheme}://${location.host}/yjs`, name, this.doc, {
      connect: false,
      // Cross-tab sync would let another tab's edits look like ours; the server relays them.
      disableBc: true,
    });
    this.installHandlers();

    const onUpdate = (_update: Uint8Array, origin: unknown) => {
      if (origin === this.provider || origin === this.persistence) return;
      this.tracker.countChange();
      this.publishUnsaved();
      this.scheduleSaveRequest();
    };
    this.doc.on('update', onUpdate);
    this.cleanup.push(() => this.doc.off('update', onUpdate));

    const onStatus = ({ status }: { status: string }) => {
      this.connected = status === 'connected';
      if (!this.connected) {
        this.step1Answered = false;
        this.synced = false;
        this.tracker.dropPending();
      } else {
        this.refused = null;
        this.notice = null;
        this.failedOpens = 0;
        this.optIn();
      }
    };
    const onSync = (isSynced: boolean) => {
      this.synced = isSynced;
      if (isSynced) this.scheduleSaveRequest(0);
    };
    // y-websocket stops retrying after a close code in 4400-4499 and reports it here.
    const onClosed = (event: { code: number; reason: string }) => {
      if (ACCESS_ENDED.includes(event.code)) {
        const reason = this.notice?.message || event.reason || null;
        this.end({ code: event.code, reason });
      } else {
        this.refused = event;
      }
    };
    const onConnectionClose = (event: CloseEvent | null) => {
      // Closed before it ever opened, with the network up: refused at the HTTP upgrade, or the
      // server is down. Whoever owns the connection checks which (`onUnreachable`).
      if (event === null || this.provider.wsconnected || !this.networkUp) return;
      this.failedOpens += 1;
      if (
        this.failedOpens >= UNREACHABLE_AFTER &&
        (this.failedOpens - UNREACHABLE_AFTER) % UNREACHABLE_EVERY === 0
      ) {
        this.hooks.onUnreachable?.(this);
      }
    };
    this.provider.on('status', onStatus);
    this.provider.on('sync', onSync);
    this.provider.on('closed', onClosed);
    this.provider.on('connection-close', onConnectionClose);

    const goOnline = () => {
      this.networkUp = true;
      if (!this.destroyed && !this.stopped && this.localReady) this.provider.connect();
    };
    const goOffline = () => {
      this.networkUp = false;
      // Chromium keeps a dead socket open for a while; drop it so the indicator is honest.
      this.provider.disconnect();
    };
    window.addEventListener('online', goOnline);
    window.addEventListener('offline', goOffline);
    this.cleanup.push(() => {
      window.removeEventListener('online', goOnline);
      window.removeEventListener('offline', goOffline);
    });
  }

  get awareness() {
    return this.provider.awareness;
  }

  /** Tries to connect again after the server refused the connection (not after access ended). */
  retry(): void {
    if (this.stopped) return;
    this.refused = null;
    this.notice = null;
    this.provider.connect();
  }

  /**
   * Access ended: stop syncing for good (no reconnect loop), keep the document in memory so
   * the screen still shows it and its unsaved changes can be handed in.
   */
  end(end: AccessEnd): void {
    if (this.ended || this.destroyed) return;
    this.ended = end;
    this.stop();
    this.hooks.onAccessEnded?.(this, end);
  }

  /** Stops syncing for good: no socket, no reconnect, no more counting of local changes. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.saveTimer) clearTimeout(this.saveTimer);
    for (const fn of this.cleanup) fn();
    this.cleanup.length = 0;
    this.provider.destroy();
    this.connected = false;
    this.synced = false;
  }

  /**
   * After access ended: hands this document's unsaved changes in to the holding queue, then
   * deletes the local copy (this device may no longer keep it). A failed hand-in keeps it.
   * `nothing`: there were no unsaved changes.
   *
   * `alreadyHeld`: the server refused a change and said it keeps it; that change is everything
   * this connection sent, so handing the document in again would only hold it twice (the
   * server cannot tell a repeat from new work when the document has deletions).
   */
  async handIn(options: { alreadyHeld?: boolean } = {}): Promise<HandInOutcome | 'nothing'> {
    this.stop();
    let outcome: HandInOutcome | 'nothing' = 'nothing';
    if (this.unsaved > 0) {
      outcome = options.alreadyHeld
        ? 'already'
        : await handInUpdate(this.name, Y.encodeStateAsUpdate(this.doc));
    }
    if (outcome !== 'failed') await this.forgetLocalCopy();
    return outcome;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.stop();
    this.destroyed = true;
    void this.persistence.destroy();
    this.doc.destroy();
  }

  private async forgetLocalCopy(): Promise<void> {
    await this.persistence.destroy().catch(() => undefined);
    await forgetLocalDocument(this.name);
    this.unsaved = 0;
  }

  /**
   * Tells the server at once that this client understands Outpost's messages, so a refusal of
   * the very first update (offline edits sent on reconnect) comes with the reason. A save
   * request with seq 0 is never one of ours, so its answer is ignored.
   */
  private optIn(): void {
    const ws = this.provider.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SAVED);
    encoding.writeVarUint(encoder, 0);
    ws.send(encoding.toUint8Array(encoder));
  }

  private computeState(): ConnectionState {
    const unsaved = this.unsaved;
    if (this.ended) {
      return {
        kind: 'refused',
        unsaved,
        code: this.ended.code,
        message: this.ended.reason ?? '',
      };
    }
    // Closed for good (4400-4499), or closed after the server said why: show the reason.
    if (this.refused || (this.notice && !this.connected)) {
      return {
        kind: 'refused',
        unsaved,
        code: this.refused?.code ?? 0,
        message: this.notice?.message ?? this.refused?.reason ?? '',
      };
    }
    if (!this.networkUp) return { kind: 'offline', unsaved };
    if (!this.connected) return { kind: this.localReady ? 'offline' : 'connecting', unsaved };
    if (!this.synced) return { kind: 'connecting', unsaved };
    return unsaved === 0 ? { kind: 'online', unsaved: 0 } : { kind: 'saving', unsaved };
  }

  private installHandlers(): void {
    const handlers = this.provider.messageHandlers;
    const sync = handlers[messageSync];
    if (!sync) throw new Error('y-websocket has no sync handler');
    handlers[messageSync] = (encoder, decoder, provider, emitSynced, messageType) => {
      const syncType = peekVarUint(decoder);
      sync(encoder, decoder, provider, emitSynced, messageType);
      // Our answer (sync step 2, all our local changes) is sent after this handler returns;
      // a save request must go after it, so it is scheduled, not sent here.
      if (emitSynced && syncType === syncProtocol.messageYjsSyncStep1) {
        this.step1Answered = true;
        this.scheduleSaveRequest(0);
      }
    };
    handlers[MESSAGE_SAVED] = (_encoder, decoder) => {
      if (this.tracker.confirm(decoding.readVarUint(decoder))) this.publishUnsaved();
    };
    handlers[MESSAGE_NOTICE] = (_encoder, decoder) => {
      const code = decoding.readVarString(decoder);
      const message = decoding.readVarString(decoder);
      this.notice = { code, message };
      // The close follows; act on the notice already, in case another document's close ends
      // the session (and stops this connection) before this one's close arrives.
      if (ACCESS_ENDED.includes(Number(code))) this.end({ code: Number(code), reason: message });
    };
  }

  private scheduleSaveRequest(delay = SAVE_REQUEST_DELAY_MS): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      this.sendSaveRequest();
    }, delay);
  }

  private sendSaveRequest(): void {
    const ws = this.provider.ws;
    if (!this.provider.wsconnected || !this.provider.synced || !this.step1Answered) return;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    const seq = this.tracker.request();
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SAVED);
    encoding.writeVarUint(encoder, seq);
    ws.send(encoding.toUint8Array(encoder));
  }

  private publishUnsaved(): void {
    this.unsaved = this.tracker.unsaved;
    writeUnsaved(this.name, this.unsaved);
  }
}

function peekVarUint(decoder: decoding.Decoder): number {
  const copy = decoding.clone(decoder);
  return decoding.readVarUint(copy);
}

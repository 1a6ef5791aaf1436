import { MESSAGE_NOTICE, MESSAGE_SAVED } from '@outpost/model';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { IndexeddbPersistence } from 'y-indexeddb';
import * as syncProtocol from 'y-protocols/sync';
import { WebsocketProvider, messageSync } from 'y-websocket';
import * as Y from 'yjs';
import { rememberLocalDocument, readUnsaved, writeUnsaved } from './local-store.ts';
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

  readonly state: ConnectionState = $derived.by(() => this.computeState());

  private readonly tracker: SaveTracker;
  private step1Answered = false;
  private saveTimer: ReturnType<typeof setTimeout> | null = null;
  private destroyed = false;
  private readonly cleanup: (() => void)[] = [];

  constructor(readonly name: string) {
    this.tracker = new SaveTracker(readUnsaved(name));
    this.unsaved = this.tracker.unsaved;
    rememberLocalDocument(name);

    this.persistence = new IndexeddbPersistence(name, this.doc);
    this.persistence.whenSynced.then(
      () => {
        if (!this.destroyed) this.localReady = true;
      },
      () => {
        // IndexedDB unavailable (private mode on some phones): work online only.
        if (!this.destroyed) this.localReady = true;
      },
    );

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
      }
    };
    const onSync = (isSynced: boolean) => {
      this.synced = isSynced;
      if (isSynced) this.scheduleSaveRequest(0);
    };
    const onClosed = (event: { code: number; reason: string }) => {
      this.refused = event;
    };
    this.provider.on('status', onStatus);
    this.provider.on('sync', onSync);
    this.provider.on('closed', onClosed);

    const goOnline = () => {
      this.networkUp = true;
      if (!this.destroyed) this.provider.connect();
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

    if (this.networkUp) this.provider.connect();
  }

  get awareness() {
    return this.provider.awareness;
  }

  /** Tries to connect again after the server refused the connection. */
  retry(): void {
    this.refused = null;
    this.notice = null;
    this.provider.connect();
  }

  destroy(): void {
    this.destroyed = true;
    if (this.saveTimer) clearTimeout(this.saveTimer);
    for (const fn of this.cleanup) fn();
    this.provider.destroy();
    void this.persistence.destroy();
    this.doc.destroy();
  }

  private computeState(): ConnectionState {
    const unsaved = this.unsaved;
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

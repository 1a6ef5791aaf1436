import type { Member, SessionUser } from '@outpost/model';
import { CLOSE } from '@outpost/model';
import { request } from '../api.ts';
import { cacheUser, fetchSession } from '../session.ts';
import type { DocConnection } from '../sync/doc-connection.svelte.ts';
import { combine, handInStoredDocuments, type HandInOutcome } from '../sync/hand-in.ts';
import { forgetLocalDocuments } from '../sync/local-store.ts';

/** Why access ended, as the server said it (`account disabled`, `signed out`, ...), or null. */
export interface AccessEnded {
  reason: string | null;
  /** What became of the unsaved changes on this device. */
  handIn: 'pending' | 'nothing' | HandInOutcome;
}

/**
 * The signed-in person, live. The server is the authority: the user starts as `GET /api/me`
 * said; a change of role or name arrives through the workspace directory (the server writes
 * members there at once) and the grid scope is then fetched again, so the screen follows a
 * role change without a reload. When the server ends the person's access (4401 on any
 * document, or a 401 from the API), the whole app stops: every open document stops syncing,
 * unsaved changes are handed in, local copies are deleted, and a blocking message asks the
 * person to sign in again.
 */
export class SessionState {
  user: SessionUser;
  /** The user came from the cache: the server did not answer. */
  offline: boolean;
  ended = $state.raw<AccessEnded | null>(null);

  /** Plain (not reactive): nothing on screen depends on it. */
  private open: DocConnection[] = [];
  /** Set while this person signs out on purpose: the sockets the server closes are expected. */
  private leaving = false;
  private refreshing: Promise<'ok' | 'offline' | 'signed-out'> | null = null;

  constructor(user: SessionUser, offline: boolean) {
    this.user = $state.raw(user);
    this.offline = $state(offline);
  }

  /** Open documents, so their unsaved changes can be handed in when access ends. */
  track(connection: DocConnection): () => void {
    this.open.push(connection);
    return () => (this.open = this.open.filter((c) => c !== connection));
  }

  /** The signed-in layout loaded the session again. */
  setUser(user: SessionUser, offline: boolean): void {
    this.user = user;
    this.offline = offline;
  }

  /** The person's own record in the workspace directory changed (role or name). */
  applyMember(member: Member): void {
    const user = this.user;
    if (member.role === user.role && member.displayName === user.displayName) return;
    const roleChanged = member.role !== user.role;
    this.user = { ...user, role: member.role, displayName: member.displayName };
    cacheUser(this.user);
    // A new role often comes with a new scope; the directory does not carry scopes.
    if (roleChanged) void this.refresh();
  }

  /** Asks the server who this is now. A 401 ends access. */
  refresh(): Promise<'ok' | 'offline' | 'signed-out'> {
    this.refreshing ??= (async () => {
      try {
        const session = await fetchSession(fetch);
        if (session.kind === 'signed-out') {
          this.endAccess(null);
          return 'signed-out';
        }
        if (session.offline) return 'offline';
        this.user = session.user;
        this.offline = false;
        return 'ok';
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  /** Updates the display name (`PATCH /api/me`). */
  async rename(displayName: string) {
    const result = await request<SessionUser>('/api/me', {
      method: 'PATCH',
      body: { displayName },
    });
    if (result.ok) {
      this.user = { ...this.user, displayName: result.data.displayName };
      cacheUser(this.user);
    }
    return result;
  }

  /**
   * Signing out (here, or everywhere): the server closes this person's sockets with 4401,
   * which must not look like access taken away.
   */
  beginSignOut(): () => void {
    this.leaving = true;
    return () => (this.leaving = false);
  }

  /**
   * The server ended this person's access. Stops every open document, hands in what was not
   * saved, and forgets what this device kept (when the hand-in worked; otherwise the local
   * copies stay so nothing is lost, and the next sign-in on this device can hand them in).
   */
  endAccess(reason: string | null): void {
    if (this.leaving || this.ended) return;
    this.ended = { reason, handIn: 'pending' };
    cacheUser(null);
    void this.handInEverything(reason).then((handIn) => {
      if (this.ended) this.ended = { ...this.ended, handIn };
    });
  }

  private async handInEverything(reason: string | null): Promise<AccessEnded['handIn']> {
    const open = [...this.open];
    // Every open document ends with the session (those the server has not closed yet too).
    for (const connection of open) connection.end({ code: CLOSE.unauthorized, reason });
    const outcomes: (HandInOutcome | 'nothing')[] = [];
    for (const connection of open) outcomes.push(await connection.handIn());
    const stored = await handInStoredDocuments(open.map((c) => c.name));
    const all = outcomes.filter((o): o is HandInOutcome => o !== 'nothing');
    if (all.length === 0 && stored === 'already') return 'nothing';
    const combined = combine([...all, stored]);
    if (combined !== 'failed') await forgetLocalDocuments();
    return combined;
  }
}

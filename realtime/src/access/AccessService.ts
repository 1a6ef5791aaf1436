import {
  CLOSE,
  can,
  inScope,
  WorkspaceDirectory,
  workspaceDocName,
  type BoardSummary,
  type DocumentRef,
} from '@outpost/model';
import type * as Y from 'yjs';
import type { AccountStore, UserRecord } from '../accounts/AccountStore.ts';
import type { AuthContext } from '../core/types.ts';
import type { YjsHub } from '../core/YjsHub.ts';
import { readable, type DocumentDirectory } from '../extensions/AccountAuth.ts';
import type { OutpostIo } from '../http/socketio.ts';
import { rosterReadable } from '../roster/rosterAccess.ts';

/** An account change on one node that every node applies to the connections it holds. */
export type AccountEvent = { kind: 'user'; userId: string } | { kind: 'revoke'; reason: string };

/**
 * Access decisions that need more than one request: which boards exist and who may read them,
 * and what happens to open connections when a person's access changes (live revocation).
 */
export class AccessService implements DocumentDirectory {
  private io: OutpostIo | null = null;
  private hubRef: YjsHub | null = null;
  /**
   * Told of every account change made on this node, so that other nodes (cluster mode) apply
   * it to what they have open too.
   */
  onLocalChange: ((event: AccountEvent) => void) | null = null;
  /** Every account of every workspace as last synced (see `assignable`). */
  private readonly members = new Map<string, UserRecord>();
  /**
   * Boards of each workspace whose directory is in memory, by id. Every board connection is
   * checked against its workspace's directory; reading the document for each would cost a
   * load, a hold and a transaction per connection. An entry lives exactly as long as the
   * directory it was read from stays unchanged in memory: any change to that document (from a
   * client, the API or another node) or its unloading drops it.
   */
  private readonly boardsByWorkspace = new Map<string, ReadonlyMap<string, BoardSummary>>();
  /** Workspaces known to exist (they are never deleted). */
  private readonly knownWorkspaces = new Set<string>();

  constructor(
    private readonly accounts: AccountStore,
    /** Cached credentials, dropped whenever access changes. */
    private readonly credentials?: { forget(): void },
  ) {}

  /** The hub needs this service (to authorise) and this service needs the hub: attached after. */
  attach(hub: YjsHub, io: OutpostIo): void {
    this.hubRef = hub;
    this.io = io;
  }

  private get hub(): YjsHub {
    if (!this.hubRef) throw new Error('AccessService used before attach()');
    return this.hubRef;
  }

  async workspaceExists(workspaceId: string): Promise<boolean> {
    if (this.knownWorkspaces.has(workspaceId)) return true;
    const exists = (await this.accounts.workspace(workspaceId)) !== null;
    if (exists) this.knownWorkspaces.add(workspaceId);
    return exists;
  }

  async board(ref: DocumentRef): Promise<BoardSummary | null> {
    if (ref.kind !== 'board' || !ref.id) return null;
    const boards =
      this.boardsByWorkspace.get(ref.workspaceId) ??
      (await this.hub.read(workspaceDocName(ref.workspaceId), (doc) =>
        this.indexBoards(ref.workspaceId, doc),
      ));
    const board = boards.get(ref.id);
    return board ? { ...board } : null;
  }

  /** Reads the boards of a workspace's directory and keeps them until the document changes. */
  private indexBoards(workspaceId: string, doc: Y.Doc): ReadonlyMap<string, BoardSummary> {
    const known = this.boardsByWorkspace.get(workspaceId);
    if (known) return known;
    const boards = new Map<string, BoardSummary>();
    for (const [id, board] of new WorkspaceDirectory(doc).boards)
      boards.set(id, { ...board, grid: board.grid ?? null });
    const drop = () => {
      if (this.boardsByWorkspace.get(workspaceId) === boards)
        this.boardsByWorkspace.delete(workspaceId);
      doc.off('update', drop);
      doc.off('destroy', drop);
    };
    doc.on('update', drop);
    doc.on('destroy', drop);
    this.boardsByWorkspace.set(workspaceId, boards);
    return boards;
  }

  async gridExists(workspaceId: string, gridId: string): Promise<boolean> {
    return this.hub.read(workspaceDocName(workspaceId), (doc) =>
      new WorkspaceDirectory(doc).grids.has(gridId),
    );
  }

  /** Grids whose roster the person may open. */
  async readableRosters(
    context: Pick<AuthContext, 'workspaceId' | 'role' | 'grids'>,
  ): Promise<string[]> {
    const grids = await this.hub.read(workspaceDocName(context.workspaceId), (doc) =>
      new WorkspaceDirectory(doc).listGrids(),
    );
    return grids.map((g) => g.id).filter((id) => rosterReadable(context, id));
  }

  /**
   * Can this person be assigned a task on a board of `grid`? They must belong to the
   * workspace, be enabled, work in that grid, and be a role that does tasks. Answered from
   * the accounts as `syncMember` last saw them, synchronously (it runs inside update checks).
   */
  assignable(workspaceId: string, grid: string | null, userId: string): boolean {
    const user = this.members.get(userId);
    if (!user || user.disabled || user.workspaceId !== workspaceId) return false;
    if (!can(user, 'tasks', 'work') && !can(user, 'tasks', 'edit')) return false;
    return inScope(user, grid);
  }

  /** Boards of the workspace the person may open. */
  async readableBoards(
    context: Pick<AuthContext, 'workspaceId' | 'role' | 'grids'>,
  ): Promise<BoardSummary[]> {
    const boards = await this.hub.read(workspaceDocName(context.workspaceId), (doc) =>
      new WorkspaceDirectory(doc).listBoards(),
    );
    return boards.map((b) => ({ ...b, grid: b.grid ?? null })).filter((b) => readable(context, b));
  }

  /** Closes every open connection whose credential the account store no longer accepts. */
  async revokeInvalid(reason: string, announce = true): Promise<void> {
    this.credentials?.forget();
    const credentials = new Set<string>();
    // Only collects: the predicate closes nothing.
    this.hub.closeWhere(
      (c) => {
        credentials.add(c.context.credential);
        return false;
      },
      CLOSE.unauthorized,
      reason,
    );
    for (const socket of this.io?.of('/').sockets.values() ?? [])
      credentials.add(socket.data.auth.credential);
    const revoked = new Set<string>();
    for (const credential of credentials)
      if (!(await this.accounts.credentialValid(credential))) revoked.add(credential);
    if (revoked.size) this.revokeWhere((c) => revoked.has(c), reason, false);
    if (announce) this.onLocalChange?.({ kind: 'revoke', reason });
  }

  /** Closes every Yjs and socket.io connection whose credential `isRevoked` says is gone. */
  revokeWhere(isRevoked: (credential: string) => boolean, reason: string, announce = true): void {
    this.credentials?.forget();
    this.hub.closeWhere((c) => isRevoked(c.context.credential), CLOSE.unauthorized, reason);
    for (const socket of this.io?.of('/').sockets.values() ?? []) {
      if (isRevoked(socket.data.auth.credential)) socket.disconnect(true);
    }
    if (announce) this.onLocalChange?.({ kind: 'revoke', reason });
  }

  /**
   * Applies a changed account to everything it has open, at once: a disabled account is cut
   * off (4401); a connection to a board now outside the person's scope is closed (4403); the
   * others carry on with the new role and scope, so the next edit is judged by them.
   */
  async applyUserChange(user: UserRecord, announce = true): Promise<void> {
    this.credentials?.forget();
    const update = (context: AuthContext) => {
      context.role = user.role;
      context.grids = user.grids;
      context.displayName = user.displayName;
    };
    if (user.disabled) {
      this.hub.closeWhere(
        (c) => c.context.userId === user.id,
        CLOSE.unauthorized,
        'account disabled',
      );
      for (const socket of this.io?.of('/').sockets.values() ?? []) {
        if (socket.data.auth.userId === user.id) socket.disconnect(true);
      }
    } else {
      this.hub.closeWhere(
        (c) => {
          if (c.context.userId !== user.id) return false;
          update(c.context);
          if (c.room.ref.kind === 'roster') return !rosterReadable(c.context, c.room.ref.id!);
          return (
            c.room.ref.kind === 'board' &&
            !readable(c.context, { id: '', name: '', grid: c.context.documentGrid })
          );
        },
        CLOSE.forbidden,
        'your access changed: this board is no longer open to you',
      );
      for (const socket of this.io?.of('/').sockets.values() ?? []) {
        if (socket.data.auth.userId === user.id) update(socket.data.auth);
      }
    }
    await this.syncMember(user);
    if (announce) this.onLocalChange?.({ kind: 'user', userId: user.id });
  }

  /**
   * Applies accounts that changed without this process hearing of it (the admin CLI writes to
   * the store directly): new people join the workspace directory, and a changed role, scope or
   * name applies to what the person has open, as `applyUserChange` does.
   */
  async syncAccounts(): Promise<void> {
    for (const workspace of await this.accounts.workspaces()) {
      for (const user of await this.accounts.users(workspace.id)) {
        const known = this.members.get(user.id);
        if (!known || !sameAccount(known, user)) await this.applyUserChange(user, false);
      }
    }
  }

  /** Writes the person into the workspace directory (names shown on cards). */
  async syncMember(user: UserRecord): Promise<void> {
    this.members.set(user.id, user);
    await this.hub.change(workspaceDocName(user.workspaceId), null, (doc) => {
      const directory = new WorkspaceDirectory(doc);
      if (user.disabled) {
        // Kept so old cards still show the name; marked by role only in the account store.
        if (!directory.members.has(user.id)) return;
      }
      const member = {
        id: user.id,
        username: user.username,
        displayName: user.displayName,
        role: user.role,
      };
      if (JSON.stringify(directory.members.get(user.id)) !== JSON.stringify(member))
        directory.setMember(member);
    });
  }
}

/** The fields of an account that anything open depends on. */
function sameAccount(a: UserRecord, b: UserRecord): boolean {
  return (
    a.username === b.username &&
    a.displayName === b.displayName &&
    a.role === b.role &&
    a.disabled === b.disabled &&
    JSON.stringify(a.grids) === JSON.stringify(b.grids)
  );
}

import { can, inScope, type BoardSummary, type DocumentRef } from '@outpost/model';
import type { Authenticator } from '../accounts/Authenticator.ts';
import {
  HookError,
  type AuthContext,
  type Extension,
  type OnAuthenticatePayload,
} from '../core/types.ts';
import { rosterReadable } from '../roster/rosterAccess.ts';

export interface DocumentDirectory {
  /** Is there such a workspace? */
  workspaceExists(workspaceId: string): Promise<boolean>;
  /** The board as listed in its workspace, or null. */
  board(ref: DocumentRef): Promise<BoardSummary | null>;
  /** Is there such a grid in the workspace? */
  gridExists(workspaceId: string, gridId: string): Promise<boolean>;
}

/**
 * Authenticates Yjs upgrades and decides read access before anything is opened: the person
 * must belong to the document's workspace, the document must exist, and a board must be in
 * their grid scope (a workspace-wide board: in a scope of every grid). Refusals are HTTP
 * statuses on the upgrade: 401, 403, 404.
 */
export class AccountAuth implements Extension {
  readonly name = 'account-auth';
  readonly priority = 1000;

  constructor(
    private readonly authenticator: Authenticator,
    private readonly directory: DocumentDirectory,
  ) {}

  async onAuthenticate({ request, ref }: OnAuthenticatePayload): Promise<AuthContext | null> {
    const context = await this.authenticator.authenticate(request);
    if (!context) return null;
    if (context.workspaceId !== ref.workspaceId) {
      throw new HookError(403, 'not a member of this workspace');
    }
    if (!(await this.directory.workspaceExists(ref.workspaceId)))
      throw new HookError(404, 'unknown document');
    if (ref.kind === 'board') {
      const board = await this.directory.board(ref);
      if (!board) throw new HookError(404, 'unknown document');
      if (!readable(context, board)) throw new HookError(403, 'this board is outside your grids');
      context.documentGrid = board.grid;
    }
    if (ref.kind === 'roster') {
      if (!(await this.directory.gridExists(ref.workspaceId, ref.id!)))
        throw new HookError(404, 'unknown document');
      if (!rosterReadable(context, ref.id!))
        throw new HookError(403, 'this roster is outside your grids');
      context.documentGrid = ref.id!;
    }
    return context;
  }
}

/** May this person open this board? */
export function readable(
  context: Pick<AuthContext, 'role' | 'grids'>,
  board: BoardSummary,
): boolean {
  return can(context, 'tasks', 'read') && inScope(context, board.grid);
}

import type { DocumentRef } from '@outpost/model';
import type { Authenticator } from '../accounts/Authenticator.ts';
import {
  HookError,
  type AuthContext,
  type Extension,
  type OnAuthenticatePayload,
} from '../core/types.ts';

/**
 * Authenticates Yjs upgrades with the account store and keeps each user inside their own
 * workspace. (Roles and grid scopes come with the roles extension.)
 */
export class AccountAuth implements Extension {
  readonly name = 'account-auth';
  readonly priority = 1000;

  constructor(
    private readonly authenticator: Authenticator,
    /** Does the document exist (a board listed in its workspace)? Unknown names get 404. */
    private readonly exists: (ref: DocumentRef) => Promise<boolean>,
  ) {}

  async onAuthenticate({ request, ref }: OnAuthenticatePayload): Promise<AuthContext | null> {
    const context = this.authenticator.authenticate(request);
    if (!context) return null;
    if (context.workspaceId !== ref.workspaceId) {
      throw new HookError(403, 'not a member of this workspace');
    }
    if (!(await this.exists(ref))) throw new HookError(404, 'unknown document');
    return context;
  }
}

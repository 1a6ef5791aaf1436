import type { IncomingMessage } from 'node:http';
import { parse as parseCookie } from 'cookie';
import type { AuthContext } from '../core/types.ts';
import type { AccountStore, UserRecord } from './AccountStore.ts';
import { hashSecret } from './tokens.ts';

export const SESSION_COOKIE = 'outpost_session';

/**
 * Resolves the principal behind any request: an `Authorization: Bearer` API token, the session
 * cookie, or (for clients that cannot set headers on a WebSocket) a `token` query parameter.
 */
export class Authenticator {
  constructor(private readonly accounts: AccountStore) {}

  async authenticate(request: IncomingMessage): Promise<AuthContext | null> {
    const header = request.headers.authorization;
    if (typeof header === 'string' && /^bearer /i.test(header)) {
      return this.fromToken(header.slice(7).trim());
    }
    const session = this.sessionToken(request);
    if (session) {
      const user = await this.accounts.userForSession(session);
      if (user) return toContext(user, 'session', sessionCredential(session));
    }
    const query = new URL(request.url ?? '/', 'http://localhost').searchParams.get('token');
    return query ? this.fromToken(query) : null;
  }

  sessionToken(request: IncomingMessage): string | null {
    const header = request.headers.cookie;
    if (!header) return null;
    return parseCookie(header)[SESSION_COOKIE] ?? null;
  }

  private async fromToken(token: string): Promise<AuthContext | null> {
    if (token.length > 200) return null;
    const user = await this.accounts.userForToken(token);
    return user ? toContext(user, 'token', tokenCredential(user.tokenId)) : null;
  }
}

/** `AuthContext.credential` of a session, from the cookie's secret. */
export const sessionCredential = (sessionToken: string) => `s:${hashSecret(sessionToken)}`;
/** `AuthContext.credential` of an API token, from its id. */
export const tokenCredential = (tokenId: string) => `t:${tokenId}`;

function toContext(user: UserRecord, via: AuthContext['via'], credential: string): AuthContext {
  return {
    userId: user.id,
    username: user.username,
    displayName: user.displayName,
    role: user.role,
    grids: user.grids,
    workspaceId: user.workspaceId,
    documentGrid: null,
    via,
    credential,
  };
}

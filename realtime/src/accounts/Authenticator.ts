import type { IncomingMessage } from 'node:http';
import { parse as parseCookie } from 'cookie';
import type { AuthContext } from '../core/types.ts';
import type { AccountStore, UserRecord } from './AccountStore.ts';
import { hashSecret } from './tokens.ts';

export const SESSION_COOKIE = 'outpost_session';

/**
 * How long a credential's answer is reused. Every revocation made by this server (sign-out,
 * password change or reset, token deletion, an account disabled or changed) empties the cache
 * at once through `forget()`; a change made by another process (the admin CLI, another node)
 * is seen by new connections after at most this long, well inside the sweep that closes open
 * sockets.
 */
const CACHE_MS = 1000;
/** Bound on cached credentials (each is a few hundred bytes). */
const CACHE_MAX = 10_000;

interface Found {
  user: UserRecord;
  via: AuthContext['via'];
  credential: string;
}

interface Cached {
  /** The lookup, shared by every request that arrives while it runs. */
  answer: Promise<Found | null>;
  until: number;
}

/**
 * Resolves the principal behind any request: an `Authorization: Bearer` API token, the session
 * cookie, or (for clients that cannot set headers on a WebSocket) a `token` query parameter.
 */
export class Authenticator {
  /**
   * Recent positive answers by secret: a page opening several boards, or a gateway opening
   * thousands of sockets, costs one lookup (a hash and a query) per credential, not per socket.
   */
  private readonly cache = new Map<string, Cached>();
  /** Bumped by `forget()`: a lookup that started before a revocation is not remembered. */
  private generation = 0;

  constructor(private readonly accounts: AccountStore) {}

  async authenticate(request: IncomingMessage): Promise<AuthContext | null> {
    const header = request.headers.authorization;
    if (typeof header === 'string' && /^bearer /i.test(header)) {
      return this.fromToken(header.slice(7).trim());
    }
    const session = this.sessionToken(request);
    if (session) {
      const context = await this.cached(`s ${session}`, async () => {
        const user = await this.accounts.userForSession(session);
        return user && { user, via: 'session', credential: sessionCredential(session) };
      });
      if (context) return context;
    }
    const url = request.url ?? '/';
    const query = url.includes('?')
      ? new URL(url, 'http://localhost').searchParams.get('token')
      : null;
    return query ? this.fromToken(query) : null;
  }

  /** Drops every remembered answer: called whenever a credential or an account changes. */
  forget(): void {
    this.generation++;
    this.cache.clear();
  }

  sessionToken(request: IncomingMessage): string | null {
    const header = request.headers.cookie;
    if (!header) return null;
    return parseCookie(header)[SESSION_COOKIE] ?? null;
  }

  private async fromToken(token: string): Promise<AuthContext | null> {
    if (token.length > 200) return null;
    return this.cached(`t ${token}`, async () => {
      const user = await this.accounts.userForToken(token);
      return user && { user, via: 'token', credential: tokenCredential(user.tokenId) };
    });
  }

  /** A fresh context (each connection mutates its own) from a remembered or new answer. */
  private async cached(
    key: string,
    lookup: () => Promise<Found | null>,
  ): Promise<AuthContext | null> {
    const now = Date.now();
    let entry = this.cache.get(key);
    if (!entry || entry.until <= now) {
      if (this.cache.size >= CACHE_MAX) this.cache.clear();
      const generation = this.generation;
      const answer = lookup();
      entry = { answer, until: now + CACHE_MS };
      const remembered = entry;
      this.cache.set(key, remembered);
      // Only positive answers from before any revocation are kept.
      const drop = () => {
        if (this.cache.get(key) === remembered) this.cache.delete(key);
      };
      answer.then((found) => {
        if (!found || generation !== this.generation) drop();
      }, drop);
    }
    const found = await entry.answer;
    return found && toContext(found.user, found.via, found.credential);
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

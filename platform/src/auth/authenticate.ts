import type { Actor, Ctx } from '../core/context.ts';
import { AppError } from '../core/app-error.ts';
import { getActorProfile } from '../org/index.ts';
import type { Locale } from '../contracts/index.ts';
import { findApiTokenUser } from './api-tokens.ts';
import { API_TOKEN_PREFIX, SESSION_PREFIX } from './secrets.ts';
import { findSession } from './sessions.ts';

export type Credentials = { bearer: string | null; cookie: string | null };

export type Authenticated = {
  actor: Actor;
  locale: Locale | null;
  session: { id: string; csrfToken: string; via: 'cookie' | 'bearer' } | null;
};

const anonymous: Authenticated = { actor: { kind: 'anonymous' }, locale: null, session: null };

/**
 * Resolves who is calling. A presented but unknown, expired or revoked credential is an error, not
 * anonymous access; so is a valid one belonging to a user who is no longer active.
 */
export async function authenticate(ctx: Ctx, credentials: Credentials): Promise<Authenticated> {
  let userId: string | null = null;
  let session: Authenticated['session'] = null;
  if (credentials.bearer) {
    if (credentials.bearer.startsWith(API_TOKEN_PREFIX)) {
      userId = await findApiTokenUser(ctx, credentials.bearer);
    } else if (credentials.bearer.startsWith(SESSION_PREFIX)) {
      const found = await findSession(ctx, credentials.bearer);
      if (found) {
        userId = found.userId;
        session = { id: found.id, csrfToken: found.csrfToken, via: 'bearer' };
      }
    }
    if (!userId) throw new AppError('UNAUTHENTICATED', 401, { details: { reason: 'invalid_token' } });
  } else if (credentials.cookie) {
    const found = await findSession(ctx, credentials.cookie);
    if (!found) return anonymous;
    userId = found.userId;
    session = { id: found.id, csrfToken: found.csrfToken, via: 'cookie' };
  } else {
    return anonymous;
  }
  const user = await getActorProfile(ctx, userId);
  if (!user) throw new AppError('UNAUTHENTICATED', 401, { details: { reason: 'invalid_token' } });
  if (user.status !== 'active') throw new AppError('ACCOUNT_DISABLED', 403);
  return { actor: { kind: 'user', userId: user.id, login: user.login, isAdmin: user.isAdmin }, locale: user.locale, session };
}

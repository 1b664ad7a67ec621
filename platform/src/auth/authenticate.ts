import type { Actor, Ctx } from '../core/context.ts';
import { AppError } from '../core/app-error.ts';
import { getActorProfile } from '../org/index.ts';
import type { Locale } from '../contracts/index.ts';
import { findApiTokenUser } from './api-tokens.ts';
import { recall, remember, type Credential } from './credential-cache.ts';
import { API_TOKEN_PREFIX, SESSION_PREFIX, hashSecret } from './secrets.ts';
import { findSession } from './sessions.ts';

export type Credentials = { bearer: string | null; cookie: string | null };

export type Authenticated = {
  actor: Actor;
  locale: Locale | null;
  session: { id: string; csrfToken: string; via: 'cookie' | 'bearer' } | null;
};

const anonymous: Authenticated = { actor: { kind: 'anonymous' }, locale: null, session: null };
const invalidToken = () => new AppError('UNAUTHENTICATED', 401, { details: { reason: 'invalid_token' } });

/**
 * The live credential behind a secret, or null. A credential whose user is gone or no longer active
 * is an error. Answers from the per-process cache when it can (see credential-cache.ts).
 */
async function credentialOf(ctx: Ctx, kind: 'session' | 'token', secret: string): Promise<Credential | null> {
  const hash = hashSecret(secret);
  const { credential, since } = await recall(ctx, hash);
  if (credential) return credential;
  const session = kind === 'session' ? await findSession(ctx, hash) : null;
  const found = kind === 'session' ? session : await findApiTokenUser(ctx, hash);
  if (!found) return null;
  const user = await getActorProfile(ctx, found.userId);
  if (!user) throw invalidToken();
  if (user.status !== 'active') throw new AppError('ACCOUNT_DISABLED', 403);
  const fresh: Credential = { userId: user.id, login: user.login, isAdmin: user.isAdmin, locale: user.locale, session: session && { id: session.id, csrfToken: session.csrfToken } };
  remember(ctx, hash, fresh, found.expiresAt, since);
  return fresh;
}

function authenticated(credential: Credential, via: 'cookie' | 'bearer'): Authenticated {
  const { userId, login, isAdmin, locale, session } = credential;
  return { actor: { kind: 'user', userId, login, isAdmin }, locale, session: session && { ...session, via } };
}

/**
 * Resolves who is calling. A presented but unknown, expired or revoked credential is an error, not
 * anonymous access; so is a valid one belonging to a user who is no longer active.
 */
export async function authenticate(ctx: Ctx, credentials: Credentials): Promise<Authenticated> {
  if (credentials.bearer) {
    const { bearer } = credentials;
    const kind = bearer.startsWith(API_TOKEN_PREFIX) ? 'token' : bearer.startsWith(SESSION_PREFIX) ? 'session' : null;
    const found = kind && (await credentialOf(ctx, kind, bearer));
    if (!found) throw invalidToken();
    return authenticated(found, 'bearer');
  }
  if (credentials.cookie) {
    const found = await credentialOf(ctx, 'session', credentials.cookie);
    return found ? authenticated(found, 'cookie') : anonymous;
  }
  return anonymous;
}

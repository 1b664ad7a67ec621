import { appendAudit } from '../audit/index.ts';
import type { LoginRequest, User } from '../contracts/index.ts';
import { AppError } from '../core/app-error.ts';
import { inTransaction, type Ctx } from '../core/context.ts';
import { findUserIdByLogin, getUser } from '../org/index.ts';
import { LOCKOUT_MINUTES, clearFailures, getCredentials, recordWrongPassword } from './credentials.ts';
import { spendVerifyTime, verifyPassword } from './passwords.ts';
import { createSession } from './sessions.ts';
import { IP_MAX_FAILURES, IP_WINDOW_MINUTES, ipFailures, recordIpFailure } from './throttle.ts';

export type LoginResult = { user: User; token: string; csrfToken: string; sessionId: string };

/**
 * Checks a password and opens a session. Failures are written (and audited) in their own transaction
 * before the error is thrown, so the lock-out counts survive the failed request.
 */
export async function login(ctx: Ctx, input: LoginRequest, userAgent: string | null): Promise<LoginResult> {
  const ip = ctx.ip ?? 'unknown';
  if ((await ipFailures(ctx, ip)) >= IP_MAX_FAILURES) {
    throw new AppError('TOO_MANY_REQUESTS', 429, { params: { minutes: IP_WINDOW_MINUTES }, details: { retryAfterSeconds: IP_WINDOW_MINUTES * 60 } });
  }
  const userId = await findUserIdByLogin(ctx, input.login);
  const credentials = userId ? await getCredentials(ctx, userId) : undefined;
  if (!userId || !credentials) {
    await spendVerifyTime(input.password);
    await failed(ctx, ip, null, input.login, 'unknown_user');
    throw new AppError('INVALID_CREDENTIALS', 401);
  }
  if (credentials.locked_until && new Date(credentials.locked_until) > new Date()) {
    await failed(ctx, ip, userId, input.login, 'locked');
    throw lockedError(new Date(credentials.locked_until));
  }
  if (!(await verifyPassword(input.password, credentials.password_hash))) {
    const lockedUntil = await failed(ctx, ip, userId, input.login, 'wrong_password');
    throw lockedUntil ? lockedError(lockedUntil) : new AppError('INVALID_CREDENTIALS', 401);
  }
  const user = await getUser(ctx, userId);
  if (user.status !== 'active') {
    await failed(ctx, ip, userId, input.login, 'disabled');
    throw new AppError('ACCOUNT_DISABLED', 403);
  }
  return inTransaction(ctx, async (tx) => {
    await clearFailures(tx, userId);
    const session = await createSession(tx, userId, userAgent);
    await appendAudit(tx, { action: 'auth.login', targetType: 'user', targetId: userId, actorLogin: user.login });
    return { user, token: session.token, csrfToken: session.csrfToken, sessionId: session.id };
  });
}

function lockedError(until: Date): AppError {
  const minutes = Math.max(1, Math.ceil((until.getTime() - Date.now()) / 60_000));
  return new AppError('ACCOUNT_LOCKED', 429, { params: { minutes }, details: { retryAfterSeconds: minutes * 60, lockMinutes: LOCKOUT_MINUTES } });
}

async function failed(ctx: Ctx, ip: string, userId: string | null, login: string, reason: string): Promise<Date | null> {
  return inTransaction(ctx, async (tx) => {
    await recordIpFailure(tx, ip);
    const lockedUntil = userId && reason === 'wrong_password' ? await recordWrongPassword(tx, userId) : null;
    await appendAudit(tx, {
      action: 'auth.login_failed',
      targetType: userId ? 'user' : undefined,
      targetId: userId ?? undefined,
      actorLogin: login.slice(0, 100),
      details: { reason, ...(lockedUntil && { lockedUntil: lockedUntil.toISOString() }) },
    });
    return lockedUntil;
  });
}

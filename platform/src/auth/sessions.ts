import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Ctx } from '../core/context.ts';
import { forgetCredentials } from './credential-cache.ts';
import { SESSION_PREFIX, hashSecret, newSecret } from './secrets.ts';

export type SessionRow = { id: string; userId: string; csrfToken: string; expiresAt: Date };

export async function createSession(ctx: Ctx, userId: string, userAgent: string | null): Promise<{ token: string; csrfToken: string; id: string }> {
  const token = newSecret(SESSION_PREFIX);
  const csrfToken = randomBytes(24).toString('base64url');
  const id = hashSecret(token);
  const days = ctx.platform.config.sessionDays;
  await ctx.db
    .insertInto('sessions')
    .values({
      id,
      user_id: userId,
      csrf_token: csrfToken,
      ip: ctx.ip,
      user_agent: userAgent?.slice(0, 512) ?? null,
      last_seen_at: new Date(),
      expires_at: new Date(Date.now() + days * 86_400_000),
    })
    .execute();
  return { token, csrfToken, id };
}

/** Looks a session up by the hash of its token and slides its expiry, writing at most once a minute. */
export async function findSession(ctx: Ctx, id: string): Promise<SessionRow | null> {
  const row = await ctx.db
    .selectFrom('sessions')
    .select(['id', 'user_id', 'csrf_token', 'last_seen_at', 'expires_at'])
    .where('id', '=', id)
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
  if (!row) return null;
  let expiresAt = new Date(row.expires_at);
  if (Date.now() - new Date(row.last_seen_at).getTime() > 60_000) {
    expiresAt = new Date(Date.now() + ctx.platform.config.sessionDays * 86_400_000);
    await ctx.db.updateTable('sessions').set({ last_seen_at: new Date(), expires_at: expiresAt }).where('id', '=', id).execute();
  }
  return { id: row.id, userId: row.user_id, csrfToken: row.csrf_token, expiresAt };
}

export async function endSession(ctx: Ctx, id: string): Promise<void> {
  const ended = await ctx.db.deleteFrom('sessions').where('id', '=', id).returning('user_id').executeTakeFirst();
  if (ended) await forgetCredentials(ctx, ended.user_id);
}

export async function endUserSessions(ctx: Ctx, userId: string, keepSessionId?: string): Promise<number> {
  let q = ctx.db.deleteFrom('sessions').where('user_id', '=', userId);
  if (keepSessionId) q = q.where('id', '!=', keepSessionId);
  const result = await q.executeTakeFirst();
  await forgetCredentials(ctx, userId);
  return Number(result.numDeletedRows);
}

import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Ctx } from '../core/context.ts';
import { SESSION_PREFIX, hashSecret, newSecret } from './secrets.ts';

export type SessionRow = { id: string; userId: string; csrfToken: string };

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

/** Looks a session up by its token and slides its expiry, writing at most once a minute. */
export async function findSession(ctx: Ctx, token: string): Promise<SessionRow | null> {
  const id = hashSecret(token);
  const row = await ctx.db
    .selectFrom('sessions')
    .select(['id', 'user_id', 'csrf_token', 'last_seen_at'])
    .where('id', '=', id)
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
  if (!row) return null;
  if (Date.now() - new Date(row.last_seen_at).getTime() > 60_000) {
    const days = ctx.platform.config.sessionDays;
    await ctx.db
      .updateTable('sessions')
      .set({ last_seen_at: new Date(), expires_at: new Date(Date.now() + days * 86_400_000) })
      .where('id', '=', id)
      .execute();
  }
  return { id: row.id, userId: row.user_id, csrfToken: row.csrf_token };
}

export async function endSession(ctx: Ctx, id: string): Promise<void> {
  await ctx.db.deleteFrom('sessions').where('id', '=', id).execute();
}

export async function endUserSessions(ctx: Ctx, userId: string, keepSessionId?: string): Promise<number> {
  let q = ctx.db.deleteFrom('sessions').where('user_id', '=', userId);
  if (keepSessionId) q = q.where('id', '!=', keepSessionId);
  const result = await q.executeTakeFirst();
  return Number(result.numDeletedRows);
}

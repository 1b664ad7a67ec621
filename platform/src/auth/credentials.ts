import { sql } from 'kysely';
import { appendAudit } from '../audit/index.ts';
import { inTransaction, type Ctx } from '../core/context.ts';
import { hashPassword } from './passwords.ts';
import { endUserSessions } from './sessions.ts';

export const LOCKOUT_AFTER = 5;
export const LOCKOUT_MINUTES = 15;

/** Sets (or replaces) a user's password and ends their other sessions, keeping `keepSessionId`. */
export async function setPassword(ctx: Ctx, userId: string, password: string, keepSessionId?: string): Promise<void> {
  const hash = await hashPassword(password);
  await inTransaction(ctx, async (tx) => {
    await tx.db
      .insertInto('credentials')
      .values({ user_id: userId, password_hash: hash, changed_at: new Date() })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ password_hash: hash, changed_at: new Date(), failed_logins: 0, locked_until: null }))
      .execute();
    await endUserSessions(tx, userId, keepSessionId);
    await appendAudit(tx, { action: 'user.password_set', targetType: 'user', targetId: userId });
  });
}

export async function getCredentials(ctx: Ctx, userId: string) {
  return ctx.db.selectFrom('credentials').selectAll().where('user_id', '=', userId).executeTakeFirst();
}

/** Counts a wrong password; the fifth in a row locks the account. Returns the lock end, if locked now. */
export async function recordWrongPassword(ctx: Ctx, userId: string): Promise<Date | null> {
  const row = await ctx.db
    .updateTable('credentials')
    .set({
      failed_logins: sql`case when failed_logins + 1 >= ${LOCKOUT_AFTER} then 0 else failed_logins + 1 end`,
      locked_until: sql`case when failed_logins + 1 >= ${LOCKOUT_AFTER} then now() + make_interval(mins => ${LOCKOUT_MINUTES}) else locked_until end`,
    })
    .where('user_id', '=', userId)
    .returning(['locked_until', 'failed_logins'])
    .executeTakeFirst();
  return row?.locked_until && row.failed_logins === 0 && new Date(row.locked_until) > new Date() ? new Date(row.locked_until) : null;
}

export async function clearFailures(ctx: Ctx, userId: string): Promise<void> {
  await ctx.db.updateTable('credentials').set({ failed_logins: 0, locked_until: null }).where('user_id', '=', userId).execute();
}

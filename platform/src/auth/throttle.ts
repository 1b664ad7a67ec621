import { sql } from 'kysely';
import type { Ctx } from '../core/context.ts';

export const IP_WINDOW_MINUTES = 15;
export const IP_MAX_FAILURES = 30;

/** Failed logins from one address in a fixed window, shared by every process through the database. */
export async function ipFailures(ctx: Ctx, ip: string): Promise<number> {
  const row = await ctx.db
    .selectFrom('login_throttle')
    .select('failures')
    .where('key', '=', `ip:${ip}`)
    .where('window_start', '>', sql<Date>`now() - make_interval(mins => ${IP_WINDOW_MINUTES})`)
    .executeTakeFirst();
  return row?.failures ?? 0;
}

export async function recordIpFailure(ctx: Ctx, ip: string): Promise<void> {
  const expired = sql<boolean>`${sql.ref('login_throttle.window_start')} <= now() - make_interval(mins => ${IP_WINDOW_MINUTES})`;
  await ctx.db
    .insertInto('login_throttle')
    .values({ key: `ip:${ip}`, window_start: sql<Date>`now()`, failures: 1 })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        failures: sql`case when ${expired} then 1 else ${sql.ref('login_throttle.failures')} + 1 end`,
        window_start: sql`case when ${expired} then now() else ${sql.ref('login_throttle.window_start')} end`,
      }),
    )
    .execute();
}

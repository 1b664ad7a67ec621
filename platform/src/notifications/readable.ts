import type { Ctx } from '../core/context.ts';
import { toNumber } from '../db/tables.ts';
import { readableThreads, type Reader } from '../threads/index.ts';

/** The people among these ids who are still active, as readers. */
export async function readersOf(ctx: Ctx, ids: string[]): Promise<Map<string, Reader>> {
  if (ids.length === 0) return new Map();
  const rows = await ctx.db.selectFrom('users').select(['id', 'is_admin']).where('id', 'in', [...new Set(ids)]).where('status', '=', 'active').execute();
  return new Map(rows.map((r) => [r.id, { id: r.id, isAdmin: r.is_admin }]));
}

/**
 * The badge: unread notifications in threads the reader may still read. Access can be taken away after
 * a notification was made; its thread then drops out of the list, so it drops out of the count too.
 */
export async function unreadCounts(ctx: Ctx, readers: Reader[]): Promise<Map<string, number>> {
  const counts = new Map(readers.map((r) => [r.id, 0]));
  if (readers.length === 0) return counts;
  const rows = await ctx.db
    .selectFrom('notifications as n')
    .innerJoin('threads as t', 't.id', 'n.thread_id')
    .leftJoin('thread_members as m', (join) => join.onRef('m.thread_id', '=', 'n.thread_id').onRef('m.user_id', '=', 'n.user_id'))
    .select(['n.user_id', 'n.thread_id', 't.kind', 't.object', 't.record_id', 'm.role'])
    .select((eb) => eb.fn.countAll<string | number>().as('unread'))
    .where('n.user_id', 'in', readers.map((r) => r.id))
    .where('n.read_at', 'is', null)
    .groupBy(['n.user_id', 'n.thread_id', 't.kind', 't.object', 't.record_id', 'm.role'])
    .execute();
  const byUser = Map.groupBy(rows, (r) => r.user_id);
  for (const reader of readers) {
    const own = byUser.get(reader.id) ?? [];
    const readable = await readableThreads(ctx, reader, own.map((r) => ({ threadId: r.thread_id, kind: r.kind, object: r.object, recordId: r.record_id, role: r.role })));
    counts.set(reader.id, own.filter((r) => readable.has(r.thread_id)).reduce((sum, r) => sum + toNumber(r.unread), 0));
  }
  return counts;
}

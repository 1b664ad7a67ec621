import { accessOfUser, readableRecords, type ObjectAccess } from '../access/index.ts';
import type { Ctx } from '../core/context.ts';
import { toNumber } from '../db/tables.ts';
import { publishedObjects } from '../meta/index.ts';

/** Someone notifications are for; `isAdmin` decides her access to records. */
export type Reader = { id: string; isAdmin: boolean };

/** A thread as a notification sees it, with the reader's role in it (null: no row in thread_members). */
export type ThreadRef = { threadId: string; kind: string; object: string | null; recordId: string | null; role: string | null };

/** The people among these ids who are still active, as readers. */
export async function readersOf(ctx: Ctx, ids: string[]): Promise<Map<string, Reader>> {
  if (ids.length === 0) return new Map();
  const rows = await ctx.db.selectFrom('users').select(['id', 'is_admin']).where('id', 'in', [...new Set(ids)]).where('status', '=', 'active').execute();
  return new Map(rows.map((r) => [r.id, { id: r.id, isAdmin: r.is_admin }]));
}

/**
 * Which of these threads the reader may read now, each with her access to its record (null for a
 * conversation). The rule is threads' `readableThread` — a record thread's readers are the record's,
 * a conversation's are its members — answered for many threads with one query per object, since
 * lists, badges and deliveries ask it for many threads or many people at once.
 */
export async function readableThreads(ctx: Ctx, reader: Reader, threads: ThreadRef[]): Promise<Map<string, ObjectAccess | null>> {
  const readable = new Map<string, ObjectAccess | null>();
  const records: ThreadRef[] = [];
  for (const t of threads) {
    if (t.kind === 'record') records.push(t);
    else if (t.role && t.role !== 'follower') readable.set(t.threadId, null);
  }
  if (records.length === 0) return readable;
  const { objects } = await publishedObjects(ctx);
  for (const [name, list] of Map.groupBy(records, (t) => t.object!)) {
    const object = objects.get(name);
    if (!object) continue;
    const access = await accessOfUser(ctx, reader.id, object, reader.isAdmin);
    const ids = await readableRecords(ctx, access, [...new Set(list.map((t) => t.recordId!))]);
    for (const t of list) if (ids.has(t.recordId!)) readable.set(t.threadId, access);
  }
  return readable;
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

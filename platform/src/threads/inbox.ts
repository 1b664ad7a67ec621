import { accessTo, readableRecords } from '../access/index.ts';
import type { Thread, ThreadKind } from '../contracts/threads.ts';
import { actorId, type Ctx } from '../core/context.ts';
import { toNumber } from '../db/tables.ts';
import { publishedObjects } from '../meta/index.ts';
import { markRead } from './messages.ts';
import { presentMessages, renderFor } from './message-view.ts';
import { readableThread, type ReadableThread, type ThreadRow } from './thread-access.ts';

type Membership = { last_read_seq: string | number; muted: boolean; role: string } | null;

/** Threads as the API shows them, with members, the reader's unread count and the last message she may see. */
async function describe(ctx: Ctx, threads: { thread: ThreadRow; membership: Membership; access: ReadableThread['access'] }[]): Promise<Thread[]> {
  if (threads.length === 0) return [];
  const ids = threads.map((t) => t.thread.id);
  const [members, lastMessages] = await Promise.all([
    ctx.db.selectFrom('thread_members').select(['thread_id', 'user_id', 'role']).where('thread_id', 'in', ids).orderBy('joined_at').execute(),
    ctx.db
      .selectFrom('messages as msg')
      .innerJoin('threads as th', (join) => join.onRef('th.id', '=', 'msg.thread_id').onRef('th.last_seq', '=', 'msg.seq'))
      .selectAll('msg')
      .where('msg.thread_id', 'in', ids)
      .execute(),
  ]);
  const presented = await presentMessages(ctx, lastMessages, { reader: ctx });
  return threads.map(({ thread, membership, access }) => {
    const lastSeq = toNumber(thread.last_seq);
    const lastRead = Math.min(lastSeq, toNumber(membership?.last_read_seq ?? 0));
    const last = presented.find((m) => m.threadId === thread.id);
    return {
      id: thread.id,
      kind: thread.kind,
      title: thread.title,
      avatarUrl: thread.avatar_url,
      ownerId: thread.owner_id,
      object: thread.object,
      recordId: thread.record_id,
      members: members.filter((m) => m.thread_id === thread.id).map((m) => ({ userId: m.user_id, role: m.role })),
      lastSeq,
      lastReadSeq: lastRead,
      unread: lastSeq - lastRead,
      following: membership !== null,
      muted: membership?.muted ?? false,
      lastMessage: last ? renderFor(last, access) : null,
      lastMessageAt: thread.last_message_at ? new Date(thread.last_message_at).toISOString() : null,
    };
  });
}

export async function getThread(ctx: Ctx, threadId: string): Promise<Thread> {
  const [thread] = await describe(ctx, [await readableThread(ctx, threadId)]);
  return thread!;
}

/**
 * The user's conversations by latest activity: her direct, group and announcement threads and the record
 * threads she follows and may still read (access can change after she followed).
 */
export async function inbox(ctx: Ctx, query: { kind?: ThreadKind; limit: number }): Promise<{ items: Thread[]; unread: number }> {
  const me = actorId(ctx)!;
  let q = ctx.db
    .selectFrom('thread_members as m')
    .innerJoin('threads as t', 't.id', 'm.thread_id')
    .selectAll('t')
    .select(['m.last_read_seq', 'm.muted', 'm.role'])
    .where('m.user_id', '=', me)
    .where((eb) => eb.or([eb('t.kind', '!=', 'record'), eb('t.last_message_at', 'is not', null)]));
  if (query.kind) q = q.where('t.kind', '=', query.kind);
  // Read a little more than a page: record threads the user can no longer read drop out below.
  const rows = await q.orderBy('t.last_message_at', (o) => o.desc().nullsLast()).orderBy('t.id').limit(query.limit * 2).execute();
  const { objects } = await publishedObjects(ctx);
  const kept: Parameters<typeof describe>[1] = [];
  const byObject = Map.groupBy(rows.filter((r) => r.kind === 'record'), (r) => r.object!);
  const readable = new Set<string>();
  const accesses = new Map<string, ReadableThread['access']>();
  for (const [name, list] of byObject) {
    const object = objects.get(name);
    if (!object) continue;
    const access = await accessTo(ctx, object);
    accesses.set(name, access);
    for (const id of (await readableRecords(ctx, access, list.map((r) => r.record_id!))).keys()) readable.add(`${name}:${id}`);
  }
  for (const row of rows) {
    if (row.kind === 'record' && !readable.has(`${row.object}:${row.record_id}`)) continue;
    kept.push({ thread: row, membership: { last_read_seq: row.last_read_seq, muted: row.muted, role: row.role }, access: accesses.get(row.object ?? '') ?? null });
    if (kept.length === query.limit) break;
  }
  const items = await describe(ctx, kept);
  return { items, unread: items.filter((t) => !t.muted).reduce((sum, t) => sum + t.unread, 0) };
}

/** Following a record thread puts it in the inbox; unfollowing takes it out (the read mark goes with it). */
export async function setFollowing(ctx: Ctx, threadId: string, follow: boolean): Promise<Thread> {
  const { thread, membership } = await readableThread(ctx, threadId);
  const me = actorId(ctx)!;
  if (thread.kind === 'record') {
    if (follow && !membership) await markRead(ctx, threadId, me, 0);
    if (!follow) await ctx.db.deleteFrom('thread_members').where('thread_id', '=', threadId).where('user_id', '=', me).execute();
  } else await ctx.db.updateTable('thread_members').set({ muted: !follow }).where('thread_id', '=', threadId).where('user_id', '=', me).execute();
  return getThread(ctx, threadId);
}

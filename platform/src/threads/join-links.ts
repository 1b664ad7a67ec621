import { randomBytes } from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import type { JoinLink, JoinPreview, Thread } from '../contracts/threads.ts';
import { AppError } from '../core/app-error.ts';
import { actorId, type Ctx } from '../core/context.ts';
import type { WorkspaceDB } from '../db/tables.ts';
import { getThread } from './inbox.ts';
import { managedConversation } from './members.ts';

const WHAT = 'share links to join';

const toJoinLink = (row: Selectable<WorkspaceDB['thread_join_links']>): JoinLink => ({
  code: row.code,
  expiresAt: row.expires_at ? new Date(row.expires_at).toISOString() : null,
  createdBy: row.created_by,
  createdAt: new Date(row.created_at).toISOString(),
});

/**
 * A new link to join a group or channel (二维码/链接入群): anyone in the workspace who has it may join.
 * It replaces the conversation's earlier link, which stops working: that is how a leaked link is undone.
 */
export async function createJoinLink(ctx: Ctx, threadId: string, input: { expiresInDays: number | null }): Promise<JoinLink> {
  await managedConversation(ctx, threadId, WHAT);
  const values = {
    code: randomBytes(16).toString('base64url'),
    expires_at: input.expiresInDays === null ? null : new Date(Date.now() + input.expiresInDays * 86_400_000),
    created_by: actorId(ctx)!,
    created_at: new Date(),
  };
  const row = await ctx.db
    .insertInto('thread_join_links')
    .values({ thread_id: threadId, ...values })
    .onConflict((oc) => oc.column('thread_id').doUpdateSet(values))
    .returningAll()
    .executeTakeFirstOrThrow();
  return toJoinLink(row);
}

/** The conversation's current link, for its owner and admins to share again. */
export async function getJoinLink(ctx: Ctx, threadId: string): Promise<JoinLink> {
  await managedConversation(ctx, threadId, WHAT);
  const row = await ctx.db.selectFrom('thread_join_links').selectAll().where('thread_id', '=', threadId).executeTakeFirst();
  if (!row) throw new AppError('JOIN_LINK_INVALID', 404);
  return toJoinLink(row);
}

/** Turns the link off: nobody joins by it any more (those who joined stay). */
export async function deleteJoinLink(ctx: Ctx, threadId: string): Promise<void> {
  await managedConversation(ctx, threadId, WHAT);
  await ctx.db.deleteFrom('thread_join_links').where('thread_id', '=', threadId).execute();
}

/** The conversation a working link leads to. A wrong, replaced, turned-off or expired code is one answer. */
async function linked(ctx: Ctx, code: string) {
  const row = await ctx.db
    .selectFrom('thread_join_links as l')
    .innerJoin('threads as t', 't.id', 'l.thread_id')
    .select(['t.id', 't.kind', 't.title', 't.avatar_url'])
    .where('l.code', '=', code)
    .where((eb) => eb.or([eb('l.expires_at', 'is', null), eb('l.expires_at', '>', sql<Date>`now()`)]))
    .executeTakeFirst();
  if (!row) throw new AppError('JOIN_LINK_INVALID', 404);
  return row;
}

/** What the link leads to, before joining ("Join 华东销售群, 12 members?"). */
export async function previewJoin(ctx: Ctx, code: string): Promise<JoinPreview> {
  const thread = await linked(ctx, code);
  const members = await ctx.db
    .selectFrom('thread_members')
    .select(['user_id'])
    .where('thread_id', '=', thread.id)
    .where('role', '<>', 'follower')
    .execute();
  const me = actorId(ctx);
  return { threadId: thread.id, kind: thread.kind, title: thread.title, avatarUrl: thread.avatar_url, members: members.length, joined: members.some((m) => m.user_id === me) };
}

/** Joins by a link: a member of a group, a reader of a channel. Joining again changes nothing. */
export async function joinByLink(ctx: Ctx, code: string): Promise<Thread> {
  const thread = await linked(ctx, code);
  const role = thread.kind === 'announcement' ? ('reader' as const) : ('member' as const);
  await ctx.db
    .insertInto('thread_members')
    .values({ thread_id: thread.id, user_id: actorId(ctx)!, role })
    .onConflict((oc) => oc.columns(['thread_id', 'user_id']).doUpdateSet({ role }).where('thread_members.role', '=', 'follower'))
    .execute();
  return getThread(ctx, thread.id);
}

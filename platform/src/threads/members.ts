import { shareRecord } from '../access/index.ts';
import { AppError } from '../core/app-error.ts';
import { actorId, inTransaction, type Ctx } from '../core/context.ts';
import { assertActiveUsers } from './conversations.ts';
import { membersAdded, membersChanged, threadUpdated } from './member-events.ts';
import { readableThread } from './thread-access.ts';

const MANAGERS = ['owner', 'admin'];

/** A group or channel that the acting user manages (its owner or an admin), for `what` (the refusal's reason). */
export async function managedConversation(ctx: Ctx, threadId: string, what: string) {
  const { thread, membership } = await readableThread(ctx, threadId);
  if (thread.kind !== 'group' && thread.kind !== 'announcement') throw new AppError('FORBIDDEN', 403, { details: { reason: `only groups and channels ${what}` } });
  if (!MANAGERS.includes(membership!.role)) throw new AppError('FORBIDDEN', 403, { details: { reason: `only the owner and admins of a group ${what}` } });
  return thread;
}

/**
 * Adds people. To a group or channel: its owner and admins add members (readers of a channel). To a
 * record's thread: inviting someone shares the record with her for reading (audited as a share) and
 * makes her follow it — so only those who may share the record may invite.
 */
export async function addMembers(ctx: Ctx, threadId: string, userIds: string[]): Promise<void> {
  const { thread, membership } = await readableThread(ctx, threadId);
  const people = [...new Set(userIds)];
  await assertActiveUsers(ctx, people);
  if (thread.kind === 'direct') throw new AppError('FORBIDDEN', 403, { details: { reason: 'a direct thread has two people' } });
  await inTransaction(ctx, async (tx) => {
    if (thread.kind === 'record') {
      for (const id of people) await shareRecord(tx, thread.object!, thread.record_id!, { grantee: { kind: 'user', id }, access: 'read' });
    } else if (!MANAGERS.includes(membership!.role)) throw new AppError('FORBIDDEN', 403, { details: { reason: 'only the owner and admins add members' } });
    const role = thread.kind === 'record' ? ('follower' as const) : thread.kind === 'announcement' ? ('reader' as const) : ('member' as const);
    const added = await tx.db
      .insertInto('thread_members')
      .values(people.map((user_id) => ({ thread_id: threadId, user_id, role })))
      .onConflict((oc) => oc.columns(['thread_id', 'user_id']).doNothing())
      .returning('user_id')
      .execute();
    await membersAdded(tx, threadId, added.map((m) => m.user_id));
  });
}

/** Leaving a group or channel (anyone but its owner), or removing someone from it (its owner and admins). */
export async function removeMember(ctx: Ctx, threadId: string, userId: string): Promise<void> {
  const { thread, membership } = await readableThread(ctx, threadId);
  if (thread.kind !== 'group' && thread.kind !== 'announcement') throw new AppError('FORBIDDEN', 403, { details: { reason: 'only groups and channels have members to remove' } });
  const self = userId === actorId(ctx);
  const target = await ctx.db.selectFrom('thread_members').select('role').where('thread_id', '=', threadId).where('user_id', '=', userId).executeTakeFirst();
  if (!target) throw new AppError('USER_NOT_FOUND', 404);
  if (target.role === 'owner') throw new AppError('FORBIDDEN', 403, { details: { reason: 'the owner cannot leave or be removed' } });
  if (!self && !MANAGERS.includes(membership!.role)) throw new AppError('FORBIDDEN', 403, { details: { reason: 'only the owner and admins remove members' } });
  await inTransaction(ctx, async (tx) => {
    await tx.db.deleteFrom('thread_members').where('thread_id', '=', threadId).where('user_id', '=', userId).execute();
    await membersChanged(tx, threadId);
  });
}

/** A group's or channel's title and avatar are for its owner and admins to change. */
export async function updateThread(ctx: Ctx, threadId: string, input: { title?: string; avatarUrl?: string | null }): Promise<void> {
  const thread = await managedConversation(ctx, threadId, 'change the title and avatar');
  await inTransaction(ctx, async (tx) => {
    await tx.db.updateTable('threads').set({ title: input.title ?? thread.title, avatar_url: input.avatarUrl === undefined ? thread.avatar_url : input.avatarUrl }).where('id', '=', threadId).execute();
    await threadUpdated(tx, threadId);
  });
}

const ROLES_BY_KIND: Record<string, string[]> = { group: ['admin', 'member'], announcement: ['admin', 'publisher', 'reader'] };

/**
 * Gives a member another role: the owner makes and unmakes admins; the owner and admins choose a channel's
 * publishers. The owner's own role does not change here.
 */
export async function setMemberRole(ctx: Ctx, threadId: string, userId: string, role: 'admin' | 'member' | 'publisher' | 'reader'): Promise<void> {
  const { thread, membership } = await readableThread(ctx, threadId);
  const allowed = ROLES_BY_KIND[thread.kind];
  if (!allowed) throw new AppError('FORBIDDEN', 403, { details: { reason: 'only groups and channels have member roles' } });
  if (!allowed.includes(role)) throw new AppError('FAILED_VALIDATION', 400, { params: { fields: 'role' }, details: { allowed } });
  const target = await ctx.db.selectFrom('thread_members').select('role').where('thread_id', '=', threadId).where('user_id', '=', userId).executeTakeFirst();
  if (!target) throw new AppError('USER_NOT_FOUND', 404);
  if (target.role === 'owner') throw new AppError('FORBIDDEN', 403, { details: { reason: "the owner's role does not change" } });
  const ownerOnly = role === 'admin' || target.role === 'admin';
  if (ownerOnly ? membership!.role !== 'owner' : !MANAGERS.includes(membership!.role)) throw new AppError('FORBIDDEN', 403, { details: { reason: ownerOnly ? 'only the owner makes or unmakes admins' : 'only the owner and admins change roles' } });
  await inTransaction(ctx, async (tx) => {
    await tx.db.updateTable('thread_members').set({ role }).where('thread_id', '=', threadId).where('user_id', '=', userId).execute();
    await threadUpdated(tx, threadId);
  });
}

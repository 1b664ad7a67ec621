import type { Selectable } from 'kysely';
import type { Message, NotificationKind, NotificationLevel } from '../contracts/index.ts';
import type { Ctx } from '../core/context.ts';
import { toNumber, type WorkspaceDB } from '../db/tables.ts';
import { readableThreads, renderFor, type Reader } from '../threads/index.ts';
import { readersOf } from './readable.ts';

export type NotifiedThread = { id: string; kind: Selectable<WorkspaceDB['threads']>['kind']; object: string | null; recordId: string | null };
export type Recipient = { reader: Reader; kind: NotificationKind };
type Membership = Pick<Selectable<WorkspaceDB['thread_members']>, 'notify' | 'muted'>;

/** When one message concerns someone in several ways, the most personal wins: one notification per message. */
const RANK: Record<NotificationKind, number> = { mention: 0, reminder: 0, reply: 1, direct: 2, message: 2, activity: 2 };
/** Kinds that are about the person herself, which the `mentions` level keeps. */
export const isPersonal = (kind: NotificationKind) => RANK[kind] < 2;
export const PERSONAL = (Object.keys(RANK) as NotificationKind[]).filter(isPersonal);

/**
 * The level that applies. No row means the default (`all`): a record reader who is mentioned or replied
 * to without following. Muting a conversation (threads' unfollow) predates levels; it keeps mentions.
 */
export function levelOf(membership: Membership | undefined): NotificationLevel {
  if (!membership) return 'all';
  return membership.muted && membership.notify === 'all' ? 'mentions' : membership.notify;
}

/**
 * Who is notified of a message, and as what. A message's mentions (a person's, or a flow's addressees); the author of
 * the message it replies to, and — at level `all` — the other person of a direct thread, the members of a
 * group or channel, the followers of a record. A system message: a record's followers at level `all`.
 * Never its author. Nobody learns of a message she would not be shown: she must read the thread now, and
 * a change of fields hidden from her only is no message to her (threads' `renderFor`).
 */
export async function recipientsOf(ctx: Ctx, thread: NotifiedThread, message: Message): Promise<Recipient[]> {
  // Recalled before this consumer got to it: there is nothing left to tell.
  if (message.recalled || (message.kind === 'system' && thread.kind !== 'record')) return [];
  const members = await ctx.db.selectFrom('thread_members').select(['user_id', 'role', 'notify', 'muted', 'last_read_seq', 'joined_at']).where('thread_id', '=', thread.id).execute();
  const membership = new Map(members.map((m) => [m.user_id, m]));
  const wanted = new Map<string, NotificationKind>();
  const want = (userId: string, kind: NotificationKind) => {
    const had = wanted.get(userId);
    if (had === undefined || RANK[kind] < RANK[had]) wanted.set(userId, kind);
  };
  // Only people and automations (a flow's notify step) mention anyone: a system message's mentions are its addressees.
  for (const id of message.mentions) want(id, 'mention');
  if (message.kind === 'user') {
    if (message.replyTo) {
      const replied = await ctx.db.selectFrom('messages').select('author_id').where('id', '=', message.replyTo).executeTakeFirst();
      if (replied?.author_id) want(replied.author_id, 'reply');
    }
  }
  const everyone: NotificationKind = thread.kind === 'record' ? 'activity' : thread.kind === 'direct' ? 'direct' : 'message';
  for (const m of members) want(m.user_id, everyone);
  if (message.authorId) wanted.delete(message.authorId);
  for (const [userId, kind] of wanted) {
    const m = membership.get(userId);
    const level = levelOf(m);
    if (level === 'none' || (level === 'mentions' && !isPersonal(kind))) wanted.delete(userId);
    // The consumer may run a while after the message: by then she may have read past it, or have joined
    // the thread since (its activity from before she joined is no news to her).
    else if (m && (toNumber(m.last_read_seq) >= message.seq || (!isPersonal(kind) && new Date(m.joined_at) > new Date(message.createdAt)))) wanted.delete(userId);
  }

  const readers = await readersOf(ctx, [...wanted.keys()]);
  const recipients: Recipient[] = [];
  for (const [userId, kind] of wanted) {
    const reader = readers.get(userId);
    if (!reader) continue;
    const ref = { threadId: thread.id, kind: thread.kind, object: thread.object, recordId: thread.recordId, role: membership.get(userId)?.role ?? null };
    const readable = await readableThreads(ctx, reader, [ref]);
    if (readable.has(thread.id) && renderFor(message, readable.get(thread.id) ?? null)) recipients.push({ reader, kind });
  }
  return recipients;
}

import { inOneStatement, type Ctx } from '../core/context.ts';
import { errorFields } from '../core/logger.ts';
import { appendMessages, type AppendedRow, type NewMessage, type SentBy } from './append.ts';
import type { MessageRow } from './message-view.ts';
import type { ReadableThread } from './thread-access.ts';

export type Stored = { row: MessageRow; created: boolean };

/**
 * Told after people's messages are stored, outside their statement, so that another domain can follow
 * a thread's activity (flows' inactivity triggers) without threads knowing it. A listener that fails is
 * logged: the messages are stored, and their sender is not told otherwise.
 */
export type SentListener = (ctx: Ctx, thread: ReadableThread['thread'], rows: readonly AppendedRow[]) => Promise<void>;
const sentListeners: SentListener[] = [];
export function onMessagesSent(listener: SentListener): void {
  if (!sentListeners.includes(listener)) sentListeners.push(listener);
}

/** What goes with people's messages in a thread: authors' read marks, and on a record the mentioned follow it. */
export const sentBy = (readable: ReadableThread): SentBy =>
  readable.thread.kind === 'record' ? { readMarkRole: 'follower', followMentions: true } : { readMarkRole: 'member', followMentions: false };

/**
 * People's messages to one thread, written by one statement (see `appendMessages`). This process then
 * delivers them to the thread's room itself, rather than wake the dispatcher to read them back.
 */
export async function writeSent(ctx: Ctx, readable: ReadableThread, messages: NewMessage[]): Promise<AppendedRow[]> {
  const { realtime } = ctx.platform;
  const live = realtime.liveDelivery(ctx, readable.thread.id);
  const rows = await inOneStatement(ctx, (tx) => appendMessages(tx, readable.thread.id, messages, { ...sentBy(readable), live }));
  if (live) realtime.deliverSent(ctx, readable.thread.id, rows);
  for (const listener of sentListeners) await listener(ctx, readable.thread, rows).catch((error: unknown) => ctx.platform.log.error('a sent-message listener failed', errorFields(error)));
  return rows;
}

/**
 * Stores a person's message at most once per clientId, on its own. A resend (or two sends racing) of one
 * clientId: the unique key refuses the copy, whose seq is rolled back with it, and the answer is the
 * message stored first. Checking before writing would cost every send a round trip for the rare resend.
 */
export async function storeOnce(ctx: Ctx, readable: ReadableThread, message: NewMessage & { clientId: string }): Promise<Stored> {
  try {
    return { row: (await writeSent(ctx, readable, [message]))[0]!, created: true };
  } catch (error) {
    const winner =
      (error as { code?: string }).code === '23505'
        ? await ctx.db.selectFrom('messages').selectAll().where('thread_id', '=', readable.thread.id).where('author_id', '=', message.authorId).where('client_id', '=', message.clientId).executeTakeFirst()
        : undefined;
    if (winner) return { row: winner, created: false };
    throw error;
  }
}

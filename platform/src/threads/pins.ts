import { AppError } from '../core/app-error.ts';
import { actorId, inTransaction, type Ctx } from '../core/context.ts';
import type { Message } from '../contracts/threads.ts';
import { assertLive, messageChanged, messageIn } from './message-changes.ts';
import { presentMessages, renderFor } from './message-view.ts';
import { assertMayPost, readableThread, type ReadableThread } from './thread-access.ts';

export const PIN_LIMIT = 50;

/** In groups and channels pinning is for their owner and admins (and a channel's publishers); elsewhere for anyone who may post. */
function assertMayPin(readable: ReadableThread): void {
  assertMayPost(readable);
  const { thread, membership } = readable;
  if ((thread.kind === 'group' || thread.kind === 'announcement') && !['owner', 'admin', 'publisher'].includes(membership?.role ?? '')) {
    throw new AppError('FORBIDDEN', 403, { details: { reason: 'only the owner and admins pin messages' } });
  }
}

/** Pins or unpins a message; pinning a pinned message (or unpinning one that is not) changes nothing. */
export async function setPinned(ctx: Ctx, threadId: string, messageId: string, pinned: boolean): Promise<void> {
  assertMayPin(await readableThread(ctx, threadId));
  await inTransaction(ctx, async (tx) => {
    // The thread's row serialises pinning in it, so the limit holds under concurrent pins.
    await tx.db.selectFrom('threads').select('id').where('id', '=', threadId).forUpdate().execute();
    const row = await messageIn(tx, threadId, messageId, true);
    if ((row.pinned_at !== null) === pinned) return;
    if (pinned) {
      assertLive(row);
      const { count } = await tx.db.selectFrom('messages').select((eb) => eb.fn.countAll<string>().as('count')).where('thread_id', '=', threadId).where('pinned_at', 'is not', null).executeTakeFirstOrThrow();
      if (Number(count) >= PIN_LIMIT) throw new AppError('PIN_LIMIT_REACHED', 422, { params: { limit: PIN_LIMIT } });
    }
    await messageChanged(tx, row, pinned ? 'pinned' : 'unpinned', pinned ? { pinned_at: new Date(), pinned_by: actorId(ctx) } : { pinned_at: null, pinned_by: null });
  });
}

/** The thread's pinned messages, latest pin first. */
export async function listPins(ctx: Ctx, threadId: string): Promise<{ items: Message[] }> {
  const { access } = await readableThread(ctx, threadId);
  const rows = await ctx.db.selectFrom('messages').selectAll().where('thread_id', '=', threadId).where('pinned_at', 'is not', null).orderBy('pinned_at', 'desc').execute();
  const items = (await presentMessages(ctx, rows, { reader: ctx })).map((m) => renderFor(m, access)).filter((m): m is Message => m !== null);
  return { items };
}

import { AppError } from '../core/app-error.ts';
import { actorId, type Ctx } from '../core/context.ts';
import { spendUserToken } from '../core/rate-limit.ts';
import type { Message } from '../contracts/threads.ts';
import { messageIn } from './message-changes.ts';
import { presentMessages } from './message-view.ts';
import { storeOnce } from './store-message.ts';
import { assertMayPost, readableThread } from './thread-access.ts';

/**
 * Forwards a person's message to other conversations as a message of the forwarder's, with its text,
 * files and record links and the original author and time. Every target is checked before anything is
 * sent, so a refused target sends nothing; the clientId makes it idempotent per target thread.
 */
export async function forwardMessage(ctx: Ctx, threadId: string, messageId: string, input: { threadIds: string[]; clientId: string }): Promise<{ items: Message[] }> {
  spendUserToken(ctx, ctx.platform.messageRate);
  await readableThread(ctx, threadId);
  const source = await messageIn(ctx, threadId, messageId);
  if (source.recalled_at) throw new AppError('MESSAGE_RECALLED', 409);
  if (source.kind !== 'user') throw new AppError('MESSAGE_NOT_FORWARDABLE', 422);
  const targets = [];
  for (const id of new Set(input.threadIds)) {
    const target = await readableThread(ctx, id);
    assertMayPost(target);
    targets.push(target);
  }
  const forwardedFrom = source.forwarded_from ?? { authorId: source.author_id, createdAt: new Date(source.created_at).toISOString() };
  const rows = [];
  for (const target of targets) {
    const { row } = await storeOnce(ctx, target, { kind: 'user', authorId: actorId(ctx)!, clientId: input.clientId, body: source.body, attachments: source.attachments, links: source.links, forwardedFrom });
    rows.push(row);
  }
  return { items: await presentMessages(ctx, rows, { reader: ctx }) };
}

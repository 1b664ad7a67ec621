import type { Ctx } from '../core/context.ts';
import { publishEvent } from '../events/index.ts';

/** Tells realtime to re-check the room: someone removed must leave it at once. */
export const membersChanged = (tx: Ctx, threadId: string) =>
  publishEvent(tx, { aggregateType: 'thread', aggregateId: threadId, type: 'thread.members_changed', payload: { threadId } });

/** Tells realtime that a conversation's title, avatar or roles changed: its members' screens read it again. */
export const threadUpdated = (tx: Ctx, threadId: string) =>
  publishEvent(tx, { aggregateType: 'thread', aggregateId: threadId, type: 'thread.updated', payload: { threadId } });

/** Tells realtime to put the conversation in the new members' inboxes now, not at its next message. */
export async function membersAdded(tx: Ctx, threadId: string, userIds: string[]): Promise<void> {
  if (userIds.length) await publishEvent(tx, { aggregateType: 'thread', aggregateId: threadId, type: 'thread.members_added', payload: { threadId, userIds } });
}

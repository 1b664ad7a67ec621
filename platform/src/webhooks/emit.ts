import { v7 as uuidv7 } from 'uuid';
import type { Ctx } from '../core/context.ts';
import { jsonb } from '../db/tables.ts';

export const DELIVERY_JOB = 'webhooks.deliver';

/** Queues the job that delivers (or retries) a delivery, in the caller's transaction. */
export async function queueDelivery(tx: Ctx, deliveryId: string, at?: Date): Promise<void> {
  await tx.platform.jobs.send(tx, DELIVERY_JOB, { workspaceId: tx.workspace.id, jobId: deliveryId }, at ? { startAfter: at } : {});
}

/** A delivery of an existing event to one subscription, queued at once. */
export async function addDelivery(tx: Ctx, subscriptionId: string, eventId: string, replayOf: string | null = null): Promise<string> {
  const id = uuidv7();
  await tx.db.insertInto('webhook_deliveries').values({ id, subscription_id: subscriptionId, event_id: eventId, status: 'pending', next_attempt_at: new Date(), leased_until: null, last_attempt_at: null, response_status: null, error: null, duration_ms: null, finished_at: null, replay_of: replayOf }).execute();
  await queueDelivery(tx, id);
  return id;
}

/** Writes an event and a delivery to each of `subscriptionIds`, in the caller's transaction. Answers the delivery ids. */
export async function writeEvent(tx: Ctx, type: string, data: Record<string, unknown>, subscriptionIds: readonly string[]): Promise<string[]> {
  const eventId = uuidv7();
  await tx.db.insertInto('webhook_events').values({ id: eventId, type, payload: jsonb(data) }).execute();
  const ids: string[] = [];
  for (const subscriptionId of subscriptionIds) ids.push(await addDelivery(tx, subscriptionId, eventId));
  return ids;
}

/** What an event is about, for subscriptions that filter by object or by flow. */
export type EventSubject = { object?: string; flow?: string };

/**
 * Hands an event to every active subscription that wants it, in the transaction of the change it
 * describes: the change, the event and its deliveries commit together, or none of them does.
 */
export async function emitEvent(tx: Ctx, type: string, data: Record<string, unknown>, subject: EventSubject): Promise<void> {
  const subscriptions = await tx.db.selectFrom('webhook_subscriptions').select(['id', 'events', 'objects', 'flows']).where('active', '=', true).execute();
  const wanted = subscriptions.filter((s) => {
    const objects = s.objects as string[];
    const flows = s.flows as string[];
    if (!(s.events as string[]).includes(type)) return false;
    if (subject.object !== undefined && objects.length > 0 && !objects.includes(subject.object)) return false;
    return subject.flow === undefined || flows.length === 0 || flows.includes(subject.flow);
  });
  if (wanted.length > 0) await writeEvent(tx, type, data, wanted.map((s) => s.id));
}

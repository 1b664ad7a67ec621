import { appendAudit } from '../audit/index.ts';
import type { WebhookDelivery, WebhookDeliveryDetail, WebhookDeliveryStatus } from '../contracts/index.ts';
import { AppError } from '../core/app-error.ts';
import { inTransaction, type Ctx } from '../core/context.ts';
import { decodeCursor, encodeCursor } from '../core/cursor.ts';
import { requireAdmin } from '../core/guards.ts';
import { envelopeOf } from './deliver.ts';
import { addDelivery, writeEvent } from './emit.ts';
import { subscriptionRow } from './subscriptions.ts';

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

function selectDeliveries(ctx: Ctx) {
  return ctx.db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhook_events as e', 'e.id', 'd.event_id')
    .selectAll('d')
    .select(['e.type as event_type']);
}
type DeliveryRow = Awaited<ReturnType<ReturnType<typeof selectDeliveries>['executeTakeFirstOrThrow']>>;

function toDelivery(row: DeliveryRow): WebhookDelivery {
  return {
    id: row.id,
    webhookId: row.subscription_id,
    eventId: row.event_id,
    eventType: row.event_type,
    status: row.status,
    attempts: row.attempts,
    responseStatus: row.response_status,
    error: row.error,
    durationMs: row.duration_ms === null ? null : Number(row.duration_ms),
    createdAt: iso(row.created_at)!,
    lastAttemptAt: iso(row.last_attempt_at),
    nextAttemptAt: row.status === 'pending' ? iso(row.next_attempt_at) : null,
    finishedAt: iso(row.finished_at),
    replayOf: row.replay_of,
  };
}

async function deliveryById(ctx: Ctx, id: string): Promise<WebhookDelivery> {
  const row = await selectDeliveries(ctx).where('d.id', '=', id).executeTakeFirst();
  if (!row) throw new AppError('WEBHOOK_DELIVERY_NOT_FOUND', 404);
  return toDelivery(row);
}

/** `GET /api/v1/webhooks/{id}/deliveries`: newest first, paged by delivery id (time-ordered), optionally by status. */
export async function listDeliveries(ctx: Ctx, webhookId: string, query: { status?: WebhookDeliveryStatus; cursor?: string; limit: number }) {
  requireAdmin(ctx);
  await subscriptionRow(ctx, webhookId);
  let q = selectDeliveries(ctx).where('d.subscription_id', '=', webhookId);
  if (query.status) q = q.where('d.status', '=', query.status);
  if (query.cursor) q = q.where('d.id', '<', decodeCursor(query.cursor, ['uuid'])[0]);
  const rows = await q.orderBy('d.id', 'desc').limit(query.limit + 1).execute();
  const page = rows.slice(0, query.limit);
  return { items: page.map(toDelivery), nextCursor: rows.length > query.limit ? encodeCursor([page.at(-1)!.id]) : null };
}

/** One delivery with the body it sends and every attempt made. */
export async function getDelivery(ctx: Ctx, id: string): Promise<WebhookDeliveryDetail> {
  requireAdmin(ctx);
  const delivery = await deliveryById(ctx, id);
  const event = await ctx.db.selectFrom('webhook_events').selectAll().where('id', '=', delivery.eventId).executeTakeFirstOrThrow();
  const attempts = await ctx.db.selectFrom('webhook_attempts').selectAll().where('delivery_id', '=', id).orderBy('attempt').execute();
  return {
    ...delivery,
    payload: envelopeOf(event, ctx.workspace.slug),
    history: attempts.map((a) => ({
      attempt: a.attempt,
      startedAt: iso(a.started_at)!,
      durationMs: a.duration_ms === null ? null : Number(a.duration_ms),
      responseStatus: a.response_status,
      error: a.error,
      responseBody: a.response_body,
    })),
  };
}

/**
 * Sends a finished delivery's event again to the same subscription, as a new delivery (with its own id,
 * which tells the receiver that this is a requested repeat rather than a retry) that points back at it.
 */
export async function replayDelivery(ctx: Ctx, id: string): Promise<WebhookDelivery> {
  requireAdmin(ctx);
  const replayId = await inTransaction(ctx, async (tx) => {
    const original = await tx.db.selectFrom('webhook_deliveries').select(['subscription_id', 'event_id', 'status']).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!original) throw new AppError('WEBHOOK_DELIVERY_NOT_FOUND', 404);
    if (original.status !== 'delivered' && original.status !== 'failed') throw new AppError('WEBHOOK_DELIVERY_OPEN', 409, { params: { status: original.status } });
    const subscription = await subscriptionRow(tx, original.subscription_id);
    if (!subscription.active) throw new AppError('WEBHOOK_INACTIVE', 409, { params: { name: subscription.name } });
    const added = await addDelivery(tx, original.subscription_id, original.event_id, id);
    await appendAudit(tx, { action: 'webhooks.replay', targetType: 'webhook_delivery', targetId: added, details: { replayOf: id, webhook: original.subscription_id } });
    return added;
  });
  return deliveryById(ctx, replayId);
}

/** Sends a `webhook.test` event to this one subscription, whatever it subscribes to, so an admin can check the receiver. */
export async function sendTestEvent(ctx: Ctx, webhookId: string): Promise<WebhookDelivery> {
  const actor = requireAdmin(ctx);
  const deliveryId = await inTransaction(ctx, async (tx) => {
    const subscription = await subscriptionRow(tx, webhookId);
    if (!subscription.active) throw new AppError('WEBHOOK_INACTIVE', 409, { params: { name: subscription.name } });
    const [id] = await writeEvent(tx, 'webhook.test', { webhook: { id: subscription.id, name: subscription.name }, sentBy: actor.login }, [subscription.id]);
    await appendAudit(tx, { action: 'webhooks.test', targetType: 'webhook', targetId: webhookId, details: { delivery: id } });
    return id!;
  });
  return deliveryById(ctx, deliveryId);
}

import type { Selectable } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { appendAudit } from '../audit/index.ts';
import type { CreateWebhook, UpdateWebhook, Webhook, WebhookEventType, WebhookWithSecret } from '../contracts/index.ts';
import { AppError } from '../core/app-error.ts';
import { inTransaction, type Ctx } from '../core/context.ts';
import { requireAdmin } from '../core/guards.ts';
import { jsonb, type WorkspaceDB } from '../db/tables.ts';
import { publishedObjects } from '../meta/index.ts';
import { hintOf, newSigningSecret } from './signature.ts';

type Row = Selectable<WorkspaceDB['webhook_subscriptions']>;

const iso = (d: Date | string) => new Date(d).toISOString();

function toWebhook(row: Row): Webhook {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    url: row.url,
    events: row.events as WebhookEventType[],
    objects: row.objects as string[],
    flows: row.flows as string[],
    active: row.active,
    retry: { attempts: row.retry_attempts, backoffSeconds: row.backoff_seconds },
    timeoutSeconds: row.timeout_seconds,
    secretHint: hintOf(row.secret),
    createdBy: row.created_by,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

/** Filters must name what is published: a typo would otherwise make a subscription that never fires. */
async function checkFilters(ctx: Ctx, objects: readonly string[] | undefined, flows: readonly string[] | undefined): Promise<void> {
  const published = await publishedObjects(ctx);
  const object = objects?.find((name) => !published.objects.has(name));
  if (object !== undefined) throw new AppError('OBJECT_NOT_FOUND', 422, { params: { object }, details: { field: 'objects' } });
  const flow = flows?.find((name) => !published.flows.some((f) => f.name === name));
  if (flow !== undefined) throw new AppError('FLOW_NOT_FOUND', 422, { params: { flow }, details: { field: 'flows' } });
}

/** A subscription, locked for the rest of the transaction when `lock`; 404 when there is none. */
export async function subscriptionRow(ctx: Ctx, id: string, lock = false): Promise<Row> {
  let query = ctx.db.selectFrom('webhook_subscriptions').selectAll().where('id', '=', id);
  if (lock) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) throw new AppError('WEBHOOK_NOT_FOUND', 404);
  return row;
}

export async function listWebhooks(ctx: Ctx): Promise<{ items: Webhook[] }> {
  requireAdmin(ctx);
  const rows = await ctx.db.selectFrom('webhook_subscriptions').selectAll().orderBy('created_at').orderBy('id').execute();
  return { items: rows.map(toWebhook) };
}

export async function getWebhook(ctx: Ctx, id: string): Promise<Webhook> {
  requireAdmin(ctx);
  return toWebhook(await subscriptionRow(ctx, id));
}

/** Creates a subscription with a fresh signing secret, which this answer alone shows. Audited (never the secret). */
export async function createWebhook(ctx: Ctx, input: CreateWebhook): Promise<WebhookWithSecret> {
  const actor = requireAdmin(ctx);
  await checkFilters(ctx, input.objects, input.flows);
  const secret = newSigningSecret();
  return inTransaction(ctx, async (tx) => {
    const row = await tx.db
      .insertInto('webhook_subscriptions')
      .values({
        id: uuidv7(),
        name: input.name,
        description: input.description ?? null,
        url: input.url,
        events: jsonb(input.events),
        objects: jsonb(input.objects),
        flows: jsonb(input.flows),
        active: input.active,
        secret,
        retry_attempts: input.retry.attempts,
        backoff_seconds: input.retry.backoffSeconds,
        timeout_seconds: input.timeoutSeconds,
        created_by: actor.userId,
        updated_at: new Date(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendAudit(tx, { action: 'webhooks.create', targetType: 'webhook', targetId: row.id, details: { name: input.name, url: input.url, events: input.events } });
    return { ...toWebhook(row), secret };
  });
}

/** Changes what is given; deliveries already written keep going to the subscription as it is when each is sent. */
export async function updateWebhook(ctx: Ctx, id: string, input: UpdateWebhook): Promise<Webhook> {
  requireAdmin(ctx);
  await checkFilters(ctx, input.objects, input.flows);
  return inTransaction(ctx, async (tx) => {
    await subscriptionRow(tx, id, true);
    const row = await tx.db
      .updateTable('webhook_subscriptions')
      .set({
        ...(input.name !== undefined && { name: input.name }),
        ...(input.description !== undefined && { description: input.description }),
        ...(input.url !== undefined && { url: input.url }),
        ...(input.events !== undefined && { events: jsonb(input.events) }),
        ...(input.objects !== undefined && { objects: jsonb(input.objects) }),
        ...(input.flows !== undefined && { flows: jsonb(input.flows) }),
        ...(input.active !== undefined && { active: input.active }),
        ...(input.retry !== undefined && { retry_attempts: input.retry.attempts, backoff_seconds: input.retry.backoffSeconds }),
        ...(input.timeoutSeconds !== undefined && { timeout_seconds: input.timeoutSeconds }),
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendAudit(tx, { action: 'webhooks.update', targetType: 'webhook', targetId: id, details: { changed: Object.keys(input) } });
    return toWebhook(row);
  });
}

/** Deletes a subscription with its delivery log, and the events no other subscription still has a delivery of. */
export async function deleteWebhook(ctx: Ctx, id: string): Promise<void> {
  requireAdmin(ctx);
  await inTransaction(ctx, async (tx) => {
    const row = await subscriptionRow(tx, id, true);
    const events = await tx.db.selectFrom('webhook_deliveries').select('event_id').distinct().where('subscription_id', '=', id).execute();
    await tx.db.deleteFrom('webhook_subscriptions').where('id', '=', id).execute();
    const eventIds = events.map((e) => e.event_id);
    for (let i = 0; i < eventIds.length; i += 1000) {
      const chunk = eventIds.slice(i, i + 1000);
      await tx.db
        .deleteFrom('webhook_events')
        .where('id', 'in', chunk)
        .where('id', 'not in', tx.db.selectFrom('webhook_deliveries').select('event_id').where('event_id', 'in', chunk))
        .execute();
    }
    await appendAudit(tx, { action: 'webhooks.delete', targetType: 'webhook', targetId: id, details: { name: row.name, url: row.url } });
  });
}

/** A new signing secret, shown in this answer only; every attempt from now on is signed with it. */
export async function rotateSecret(ctx: Ctx, id: string): Promise<WebhookWithSecret> {
  requireAdmin(ctx);
  const secret = newSigningSecret();
  return inTransaction(ctx, async (tx) => {
    await subscriptionRow(tx, id, true);
    const row = await tx.db.updateTable('webhook_subscriptions').set({ secret, updated_at: new Date() }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    await appendAudit(tx, { action: 'webhooks.rotate_secret', targetType: 'webhook', targetId: id });
    return { ...toWebhook(row), secret };
  });
}

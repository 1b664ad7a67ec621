import { timingSafeEqual } from 'node:crypto';
import type { FlowWebhook } from '../contracts/flow-hooks.ts';
import { appendAudit } from '../audit/index.ts';
import { AppError } from '../core/app-error.ts';
import { actorId, inTransaction, type Ctx } from '../core/context.ts';
import { requireAdmin } from '../core/guards.ts';
import { publishedObjects } from '../meta/index.ts';
import { startRun } from './engine.ts';
import { payloadErrors } from './inbound-payload.ts';
import { newWebhookSecret } from './timers-plan.ts';

export const hookPath = (flow: string, secret: string) => `/api/v1/hooks/flows/${flow}/${secret}`;

/** Unknown flow, flow of another kind, inactive flow or wrong secret: one answer, so a caller learns nothing. */
const noHook = () => new AppError('FLOW_HOOK_NOT_FOUND', 404);

/** Compared against when a flow has no secret, so that an unknown flow takes as long as a wrong secret. */
const NO_SECRET = newWebhookSecret();

function sameSecret(stored: string | undefined, presented: string): boolean {
  const expected = Buffer.from(stored ?? NO_SECRET);
  const given = Buffer.from(presented);
  // Every secret has the same length: comparing lengths first tells a caller nothing.
  return expected.length === given.length && timingSafeEqual(expected, given) && stored !== undefined;
}

/**
 * A POST to a webhook flow's secret URL: the payload checked against the flow's JSON Schema (400 with
 * the schema's errors), then a run started with it as its start step's `payload`. Answers the run's id.
 */
export async function receiveWebhook(ctx: Ctx, name: string, secret: string, payload: unknown): Promise<{ runId: string }> {
  const { flows, version } = await publishedObjects(ctx);
  const stored = await ctx.db.selectFrom('flow_webhooks').select('secret').where('flow', '=', name).executeTakeFirst();
  const flow = flows.find((f) => f.name === name && f.active && f.trigger.type === 'webhook');
  if (!sameSecret(stored?.secret, secret) || !flow || flow.trigger.type !== 'webhook') throw noHook();
  if (flow.trigger.payloadSchema) {
    const errors = payloadErrors(flow.trigger.payloadSchema, payload);
    if (errors.length) throw new AppError('FLOW_PAYLOAD_INVALID', 400, { params: { count: errors.length }, details: { errors } });
  }
  const runId = await inTransaction(ctx, (tx) => startRun(tx, flow, version, { trigger: { kind: 'webhook', payload, receivedAt: new Date().toISOString() }, object: null, recordId: null, startedBy: null }));
  return { runId };
}

async function webhookFlow(ctx: Ctx, name: string) {
  const { flows } = await publishedObjects(ctx);
  const flow = flows.find((f) => f.name === name);
  if (!flow) throw new AppError('FLOW_NOT_FOUND', 404, { params: { flow: name.slice(0, 64) } });
  if (flow.trigger.type !== 'webhook') throw new AppError('FLOW_NOT_WEBHOOK', 409, { params: { flow: name } });
  return flow;
}

const shown = (row: { flow: string; secret: string; rotated_at: Date | string }): FlowWebhook => ({
  flow: row.flow,
  path: hookPath(row.flow, row.secret),
  secret: row.secret,
  rotatedAt: new Date(row.rotated_at).toISOString(),
});

/** A webhook flow's secret URL, for administrators; made now if the flow's publish has not made it yet. */
export async function getWebhook(ctx: Ctx, name: string): Promise<FlowWebhook> {
  requireAdmin(ctx);
  await webhookFlow(ctx, name);
  await ctx.db.insertInto('flow_webhooks').values({ flow: name, secret: newWebhookSecret(), rotated_by: null }).onConflict((oc) => oc.column('flow').doNothing()).execute();
  return shown(await ctx.db.selectFrom('flow_webhooks').selectAll().where('flow', '=', name).executeTakeFirstOrThrow());
}

/** A new secret for a webhook flow: the old URL stops working at once. Audited (without the secret). */
export async function rotateWebhook(ctx: Ctx, name: string): Promise<FlowWebhook> {
  requireAdmin(ctx);
  await webhookFlow(ctx, name);
  return inTransaction(ctx, async (tx) => {
    const values = { flow: name, secret: newWebhookSecret(), rotated_at: new Date(), rotated_by: actorId(tx) };
    const row = await tx.db
      .insertInto('flow_webhooks')
      .values(values)
      .onConflict((oc) => oc.column('flow').doUpdateSet({ secret: values.secret, rotated_at: values.rotated_at, rotated_by: values.rotated_by }))
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendAudit(tx, { action: 'flow.webhook_rotate', targetType: 'flow', targetId: name, details: {} });
    return shown(row);
  });
}

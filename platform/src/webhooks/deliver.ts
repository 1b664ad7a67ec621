import type { Selectable } from 'kysely';
import { inTransaction, systemCtx, type Ctx } from '../core/context.ts';
import { errorFields } from '../core/logger.ts';
import type { Platform } from '../core/platform.ts';
import type { WorkspaceDB } from '../db/tables.ts';
import type { JobMessage, JobQueue } from '../jobs/index.ts';
import { guardedFetch } from '../scripts/index.ts';
import { DELIVERY_JOB, queueDelivery } from './emit.ts';
import { signature } from './signature.ts';

/** Time a claimed delivery stays with its worker beyond the attempt's own timeout, before another may take it. */
const LEASE_MARGIN_MS = 15_000;
const MAX_BACKOFF_MS = 6 * 3600_000;
const RESPONSE_EXCERPT = 1000;
const MAX_REQUEST_BYTES = 4 * 1024 * 1024;
const MAX_RESPONSE_BYTES = 1024 * 1024;
export const INTERRUPTED = 'The process stopped during this attempt; it was made again.';
const DEACTIVATED = 'The webhook was deactivated before this delivery was sent.';

type Subscription = Selectable<WorkspaceDB['webhook_subscriptions']>;
type Claim = { deliveryId: string; attempt: number; subscription: Subscription; event: Selectable<WorkspaceDB['webhook_events']> };
type Outcome = { result: 'delivered' | 'retry' | 'failed'; status: number | null; error: string | null; body: string | null; durationMs: number; retryAfterMs: number };

/**
 * Takes a delivery for one attempt, in a transaction of its own that commits before the request goes out:
 * the attempt is counted and leased first, so a process killed during the request leaves a delivery that
 * another worker takes up again once the lease runs out (at least once; the delivery id lets receivers
 * drop the repeat). Answers null when there is nothing to send now.
 */
async function claim(tx: Ctx, deliveryId: string): Promise<Claim | null> {
  const delivery = await tx.db.selectFrom('webhook_deliveries').selectAll().where('id', '=', deliveryId).forUpdate().executeTakeFirst();
  if (!delivery || delivery.status === 'delivered' || delivery.status === 'failed') return null;
  const now = new Date();
  // A job that comes early (a duplicate of a later retry's) leaves the delivery to that retry's job.
  if (delivery.status === 'pending' && delivery.next_attempt_at && new Date(delivery.next_attempt_at).getTime() > now.getTime() + 1000) return null;
  if (delivery.status === 'delivering') {
    const leasedUntil = delivery.leased_until ? new Date(delivery.leased_until) : now;
    if (leasedUntil > now) {
      // Another worker holds it (or held it and died): look again when its lease runs out.
      await queueDelivery(tx, deliveryId, leasedUntil);
      return null;
    }
    await tx.db.updateTable('webhook_attempts').set({ error: INTERRUPTED }).where('delivery_id', '=', deliveryId).where('attempt', '=', delivery.attempts).where('duration_ms', 'is', null).execute();
  }
  const subscription = await tx.db.selectFrom('webhook_subscriptions').selectAll().where('id', '=', delivery.subscription_id).executeTakeFirstOrThrow();
  if (!subscription.active) {
    await tx.db.updateTable('webhook_deliveries').set({ status: 'failed', error: DEACTIVATED, next_attempt_at: null, leased_until: null, finished_at: now }).where('id', '=', deliveryId).execute();
    return null;
  }
  const attempt = delivery.attempts + 1;
  const leasedUntil = new Date(now.getTime() + subscription.timeout_seconds * 1000 + LEASE_MARGIN_MS);
  await tx.db.updateTable('webhook_deliveries').set({ status: 'delivering', attempts: attempt, last_attempt_at: now, leased_until: leasedUntil, next_attempt_at: null }).where('id', '=', deliveryId).execute();
  await tx.db.insertInto('webhook_attempts').values({ delivery_id: deliveryId, attempt, started_at: now, duration_ms: null, response_status: null, error: null, response_body: null }).execute();
  const event = await tx.db.selectFrom('webhook_events').selectAll().where('id', '=', delivery.event_id).executeTakeFirstOrThrow();
  return { deliveryId, attempt, subscription, event };
}

/** What every attempt sends: the same each time, so receivers may compare repeats. */
export function envelopeOf(event: Claim['event'], workspace: string) {
  return { id: event.id, type: event.type, occurredAt: new Date(event.created_at).toISOString(), workspace, data: event.payload };
}

/** `Retry-After` in seconds (the HTTP-date form is rare from APIs and ignored). */
function retryAfterMs(header: string | undefined): number {
  const seconds = Number(header);
  return header !== undefined && Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds * 1000, MAX_BACKOFF_MS) : 0;
}

/** What a guard refusal means for a webhook, which has no allow-list of its own but its URL. */
function failureOf(error: unknown, timeoutSeconds: number): Pick<Outcome, 'result' | 'error'> {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  switch (code) {
    case 'SCRIPT_HTTP_TIMEOUT':
      return { result: 'retry', error: `No complete answer within ${timeoutSeconds} s.` };
    case 'SCRIPT_HTTP_PRIVATE_ADDRESS':
      return { result: 'failed', error: 'The URL leads to a loopback, private or otherwise non-public address; the operator allows those with TB_SCRIPT_HTTP_PRIVATE=1.' };
    case 'SCRIPT_HTTP_HOST_NOT_ALLOWED':
      return { result: 'failed', error: "The receiver redirected to another host or port; webhooks follow redirects only on their URL's own." };
    case 'SCRIPT_HTTP_INVALID':
      return { result: 'failed', error: message };
    default:
      // Connection refused or reset, a name that does not resolve, an answer too large: may pass.
      return { result: 'retry', error: message };
  }
}

async function send(claimed: Claim, workspace: string, allowPrivateAddresses: boolean): Promise<Outcome> {
  const { subscription, event } = claimed;
  const body = JSON.stringify(envelopeOf(event, workspace));
  const timestamp = String(Math.floor(Date.now() / 1000));
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'Threadbase-Webhooks/1',
    'x-threadbase-event': event.type,
    'x-threadbase-delivery': claimed.deliveryId,
    'x-threadbase-timestamp': timestamp,
    'x-threadbase-signature': signature(subscription.secret, timestamp, body),
  };
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  if (Buffer.byteLength(body, 'utf8') > MAX_REQUEST_BYTES) {
    return { result: 'failed', status: null, error: `The event is larger than ${MAX_REQUEST_BYTES} bytes.`, body: null, durationMs: 0, retryAfterMs: 0 };
  }
  // The subscription's URL is the administrator's explicit choice, so its host is the whole allow-list;
  // the scripts' list governs code that builds URLs from data, which a webhook does not do.
  const policy = { allowHosts: [new URL(subscription.url).host], allowPrivateAddresses, timeoutMs: subscription.timeout_seconds * 1000, maxResponseBytes: MAX_RESPONSE_BYTES, maxRequestBytes: MAX_REQUEST_BYTES };
  try {
    const response = await guardedFetch(subscription.url, { method: 'POST', headers, body }, policy);
    const status = response.status;
    const excerpt = response.body.slice(0, RESPONSE_EXCERPT) || null;
    if (status >= 200 && status < 300) return { result: 'delivered', status, error: null, body: excerpt, durationMs: elapsed(), retryAfterMs: 0 };
    const retry = status === 408 || status === 429 || status >= 500;
    return { result: retry ? 'retry' : 'failed', status, error: `The receiver answered ${status}.`, body: excerpt, durationMs: elapsed(), retryAfterMs: retry ? retryAfterMs(response.headers['retry-after']) : 0 };
  } catch (error) {
    return { ...failureOf(error, subscription.timeout_seconds), status: null, body: null, durationMs: elapsed(), retryAfterMs: 0 };
  }
}

/** The wait before attempt `attempt + 1`: backoff × 2^(attempt−1), at most six hours, or longer if the receiver asked. */
export function backoffMs(backoffSeconds: number, attempt: number, retryAfter = 0): number {
  return Math.max(Math.min(backoffSeconds * 1000 * 2 ** (attempt - 1), MAX_BACKOFF_MS), retryAfter);
}

/** Writes the attempt's outcome and moves the delivery on: delivered, failed, or pending its next attempt. */
async function settle(tx: Ctx, claimed: Claim, outcome: Outcome): Promise<void> {
  const { deliveryId, attempt, subscription } = claimed;
  await tx.db
    .updateTable('webhook_attempts')
    .set({ duration_ms: outcome.durationMs, response_status: outcome.status, error: outcome.error, response_body: outcome.body })
    .where('delivery_id', '=', deliveryId)
    .where('attempt', '=', attempt)
    .execute();
  const delivery = await tx.db.selectFrom('webhook_deliveries').select(['status', 'attempts']).where('id', '=', deliveryId).forUpdate().executeTakeFirst();
  // Deleted meanwhile, or taken by another worker after this one overran its lease: the attempt row is all that is ours.
  if (!delivery || delivery.status !== 'delivering' || delivery.attempts !== attempt) return;
  const now = new Date();
  const last = { response_status: outcome.status, error: outcome.error, duration_ms: outcome.durationMs, leased_until: null };
  if (outcome.result === 'retry' && attempt < subscription.retry_attempts) {
    const next = new Date(now.getTime() + backoffMs(subscription.backoff_seconds, attempt, outcome.retryAfterMs));
    await tx.db.updateTable('webhook_deliveries').set({ ...last, status: 'pending', next_attempt_at: next }).where('id', '=', deliveryId).execute();
    await queueDelivery(tx, deliveryId, next);
    return;
  }
  const status = outcome.result === 'delivered' ? 'delivered' : 'failed';
  await tx.db.updateTable('webhook_deliveries').set({ ...last, status, next_attempt_at: null, finished_at: now }).where('id', '=', deliveryId).execute();
}

/** One attempt at one delivery: claim it, POST it, record what happened. */
export async function deliver(platform: Platform, message: JobMessage): Promise<void> {
  const workspace = platform.workspaces.list().find((w) => w.id === message.workspaceId);
  if (!workspace) return;
  const base = systemCtx(platform, workspace);
  const claimed = await inTransaction(base, (tx) => claim(tx, message.jobId));
  if (!claimed) return;
  const outcome = await send(claimed, workspace.slug, platform.config.scriptHttpPrivate);
  await inTransaction(base, (tx) => settle(tx, claimed, outcome));
}

export function registerDeliveryJob(queue: JobQueue): void {
  queue.register(
    DELIVERY_JOB,
    async (platform, message) => {
      await deliver(platform, message).catch((error: unknown) => {
        platform.log.error('webhook delivery failed to run', { delivery: message.jobId, ...errorFields(error) });
        throw error;
      });
    },
    { delayed: true, concurrency: 8 },
  );
}

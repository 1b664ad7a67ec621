import { sql, type Kysely } from 'kysely';
import { systemCtx, type Ctx, type Workspace } from '../core/context.ts';
import { errorFields } from '../core/logger.ts';
import type { Platform } from '../core/platform.ts';
import { toNumber, type WorkspaceDB } from '../db/tables.ts';
import { OUTBOX_CHANNEL } from './publish-event.ts';

export type DeliveredEvent = {
  id: number;
  aggregateType: string;
  aggregateId: string;
  aggregateSeq: number;
  type: string;
  payload: Record<string, unknown>;
  actorId: string | null;
  createdAt: Date;
  attempt: number;
};

export type ConsumerOptions = {
  /** Attempts before the delivery is dead-lettered. */
  maxAttempts?: number;
  /** Delay before retry `attempt` (1-based), in ms. */
  backoffMs?: (attempt: number) => number;
  /** How long a claimed delivery is leased before another process may retry it. */
  leaseMs?: number;
};

type Consumer = { name: string; handle: (event: DeliveredEvent, ctx: Ctx) => Promise<void> } & Required<ConsumerOptions>;

const BATCH = 50;
const defaultBackoff = (attempt: number) => Math.min(60_000 * 10, 500 * 2 ** (attempt - 1));

/**
 * Delivers committed outbox events to registered consumers, at least once, in order per aggregate.
 * It is woken right after a local commit and by NOTIFY from other processes; the only timers it sets
 * are for a known moment (a retry or a lease running out), never a polling interval.
 */
export class OutboxDispatcher {
  #consumers = new Map<string, Consumer>();
  #platform: Platform | null = null;
  #running = new Map<string, Promise<void>>();
  #again = new Set<string>();
  #timers = new Map<string, NodeJS.Timeout>();
  #unlisten: (() => Promise<void>) | null = null;
  #stopped = true;

  register(name: string, handle: Consumer['handle'], options: ConsumerOptions = {}): void {
    if (this.#consumers.has(name)) throw new Error(`Outbox consumer ${name} is already registered`);
    this.#consumers.set(name, {
      name,
      handle,
      maxAttempts: options.maxAttempts ?? 8,
      backoffMs: options.backoffMs ?? defaultBackoff,
      leaseMs: options.leaseMs ?? 60_000,
    });
  }

  consumerNames(): string[] {
    return [...this.#consumers.keys()];
  }

  async start(platform: Platform): Promise<void> {
    this.#platform = platform;
    this.#stopped = false;
    this.#unlisten = await platform.db.listen(OUTBOX_CHANNEL, (schema) => this.wake(schema));
    for (const workspace of platform.workspaces.list()) this.wake(workspace.schemas.system);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    await this.#unlisten?.();
    this.#unlisten = null;
    await Promise.allSettled(this.#running.values());
  }

  /** Resolves once every delivery that is due now has been attempted (for tests and shutdown). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled(this.#running.values());
  }

  wake(schema: string): void {
    if (this.#stopped || !this.#platform) return;
    if (this.#running.has(schema)) {
      this.#again.add(schema);
      return;
    }
    const run = this.#drainLoop(schema).finally(() => this.#running.delete(schema));
    this.#running.set(schema, run);
  }

  async #drainLoop(schema: string): Promise<void> {
    const platform = this.#platform!;
    const workspace = platform.workspaces.list().find((w) => w.schemas.system === schema) ?? (await this.#reloadFor(schema));
    if (!workspace) return;
    do {
      this.#again.delete(schema);
      try {
        while (!this.#stopped && (await this.#drainBatch(workspace)) > 0);
        await this.#scheduleNext(workspace);
      } catch (error) {
        platform.log.error('outbox dispatch failed', { schema, ...errorFields(error) });
      }
    } while (this.#again.has(schema) && !this.#stopped);
  }

  async #reloadFor(schema: string): Promise<Workspace | undefined> {
    const all = await this.#platform!.workspaces.reload();
    return all.find((w) => w.schemas.system === schema);
  }

  /** Claims due deliveries whose earlier events (same aggregate, same consumer) are all settled. */
  async #claim(db: Kysely<WorkspaceDB>, workspace: Workspace) {
    const names = this.consumerNames();
    if (names.length === 0) return [];
    const t = (name: string) => sql.table(`${workspace.schemas.system}.${name}`);
    const leaseCases = sql.join(
      names.map((n) => sql`when ${n} then ${this.#consumers.get(n)!.leaseMs}`),
      sql` `,
    );
    const claimed = await sql<{
      event_id: string | number;
      consumer: string;
      attempts: number;
    }>`
      update ${t('outbox_deliveries')} as d
      set attempts = d.attempts + 1,
          next_attempt_at = now() + make_interval(secs => (case d.consumer ${leaseCases} else 60000 end) / 1000.0)
      where (d.event_id, d.consumer) in (
        select d1.event_id, d1.consumer
        from ${t('outbox_deliveries')} d1
        join ${t('outbox_events')} e1 on e1.id = d1.event_id
        where d1.status = 'pending' and d1.next_attempt_at <= now() and d1.consumer in (${sql.join(names)})
          and not exists (
            select 1 from ${t('outbox_deliveries')} d2
            join ${t('outbox_events')} e2 on e2.id = d2.event_id
            where d2.consumer = d1.consumer and d2.status = 'pending'
              and e2.aggregate_type = e1.aggregate_type and e2.aggregate_id = e1.aggregate_id
              and e2.aggregate_seq < e1.aggregate_seq
          )
        order by d1.event_id
        limit ${BATCH}
        for update of d1 skip locked
      )
      returning d.event_id, d.consumer, d.attempts`.execute(db);
    return claimed.rows;
  }

  async #drainBatch(workspace: Workspace): Promise<number> {
    const platform = this.#platform!;
    const ctx = systemCtx(platform, workspace);
    const claimed = await this.#claim(ctx.db, workspace);
    if (claimed.length === 0) return 0;
    const ids = [...new Set(claimed.map((c) => toNumber(c.event_id)))];
    const events = await ctx.db.selectFrom('outbox_events').selectAll().where('id', 'in', ids).execute();
    const byId = new Map(events.map((e) => [toNumber(e.id), e]));
    const ordered = [...claimed].sort((a, b) => toNumber(a.event_id) - toNumber(b.event_id));
    for (const delivery of ordered) {
      const row = byId.get(toNumber(delivery.event_id))!;
      const consumer = this.#consumers.get(delivery.consumer)!;
      const event: DeliveredEvent = {
        id: toNumber(row.id),
        aggregateType: row.aggregate_type,
        aggregateId: row.aggregate_id,
        aggregateSeq: toNumber(row.aggregate_seq),
        type: row.type,
        payload: row.payload as unknown as Record<string, unknown>,
        actorId: row.actor_id,
        createdAt: new Date(row.created_at),
        attempt: delivery.attempts,
      };
      await this.#deliver(ctx, consumer, event);
    }
    return claimed.length;
  }

  async #deliver(ctx: Ctx, consumer: Consumer, event: DeliveredEvent): Promise<void> {
    const where = { event_id: event.id, consumer: consumer.name };
    try {
      await consumer.handle(event, ctx);
      await ctx.db
        .updateTable('outbox_deliveries')
        .set({ status: 'done', delivered_at: new Date(), last_error: null })
        .where('event_id', '=', where.event_id)
        .where('consumer', '=', where.consumer)
        .execute();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const dead = event.attempt >= consumer.maxAttempts;
      if (dead) ctx.platform.log.warn('outbox delivery dead-lettered', { consumer: consumer.name, eventId: event.id, error: message });
      await ctx.db
        .updateTable('outbox_deliveries')
        .set({
          status: dead ? 'dead' : 'pending',
          last_error: message.slice(0, 2000),
          next_attempt_at: new Date(Date.now() + (dead ? 0 : consumer.backoffMs(event.attempt))),
        })
        .where('event_id', '=', where.event_id)
        .where('consumer', '=', where.consumer)
        .execute();
    }
  }

  /**
   * Sets one timer for the earliest pending delivery in the future: a retry or an expiring lease.
   * Deliveries due now but waiting behind an earlier event of their aggregate are not counted: they are
   * claimed by whichever process settles that earlier event.
   */
  async #scheduleNext(workspace: Workspace): Promise<void> {
    const schema = workspace.schemas.system;
    const ctx = systemCtx(this.#platform!, workspace);
    const next = await ctx.db
      .selectFrom('outbox_deliveries')
      .select((eb) => eb.fn.min('next_attempt_at').as('at'))
      .where('status', '=', 'pending')
      .where('next_attempt_at', '>', sql<Date>`now()`)
      .executeTakeFirst();
    clearTimeout(this.#timers.get(schema));
    this.#timers.delete(schema);
    if (!next?.at || this.#stopped) return;
    const delay = Math.max(0, Math.min(new Date(next.at).getTime() - Date.now(), 2 ** 31 - 1));
    const timer = setTimeout(() => {
      this.#timers.delete(schema);
      this.wake(schema);
    }, delay + 5);
    timer.unref();
    this.#timers.set(schema, timer);
  }
}

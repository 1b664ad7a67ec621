import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { systemCtx, type Ctx, type Workspace } from '../core/context.ts';
import { errorFields } from '../core/logger.ts';
import type { Platform } from '../core/platform.ts';
import { ordinarily, urgently } from '../db/lanes.ts';
import { toNumber, type WorkspaceDB } from '../db/tables.ts';
import { DISPATCHING, OUTBOX_CHANNEL } from './publish-event.ts';

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
  /** Deliveries someone is waiting for (realtime): on the embedded database their statements go first (db/lanes.ts). */
  urgent?: boolean;
  /** The event types it handles; others are never written for it (nor claimed, settled or woken for). All when left out. */
  types?: readonly string[];
};

/**
 * A consumer takes one event at a time; `batch` is every event of the claim it belongs to (the same
 * array for each), so that a consumer may load what all of them need at once.
 */
export type ConsumerHandler = (event: DeliveredEvent, ctx: Ctx, batch: readonly DeliveredEvent[]) => Promise<void>;
type Consumer = { name: string; handle: ConsumerHandler; types: readonly string[] | null } & Required<Omit<ConsumerOptions, 'types'>>;
/** Which consumers an event is written for (the outbox writes read it). */
export type ConsumerInterest = { consumer: string; types: readonly string[] | null };

/** A claimed delivery with its event (the claim reads them in the same statement). */
type Claimed = {
  consumer: string;
  attempts: number;
  aggregate_type: string;
  aggregate_id: string;
  aggregate_seq: string | number;
  type: string;
  payload: Record<string, unknown>;
  actor_id: string | null;
  created_at: Date | string;
};

/** Runs (consumer × aggregate) one claim takes, and deliveries per run. */
const RUNS = 50;
const RUN_LENGTH = 200;
/** How long a process waits before standing in for another, dispatching process that committed events. */
const STAND_IN_WAKE_MS = 100;
/**
 * How often, at most, a consumer looks for the next future moment to wake at (a retry, a lease running
 * out) after deliveries that all went through: one look per busy second instead of one per event.
 */
const PLAN_EVERY_MS = 1000;
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
  #soon = new Map<string, NodeJS.Timeout>();
  /** When each consumer last looked for its next moment, and the look it has put off meanwhile. */
  #planned = new Map<string, number>();
  #planLater = new Map<string, NodeJS.Timeout>();
  #unlisten: (() => Promise<void>) | null = null;
  #stopped = true;

  register(name: string, handle: ConsumerHandler, options: ConsumerOptions = {}): void {
    if (this.#consumers.has(name)) throw new Error(`Outbox consumer ${name} is already registered`);
    this.#consumers.set(name, {
      name,
      handle,
      maxAttempts: options.maxAttempts ?? 8,
      backoffMs: options.backoffMs ?? defaultBackoff,
      leaseMs: options.leaseMs ?? 60_000,
      urgent: options.urgent ?? false,
      types: options.types ?? null,
    });
  }

  /** Names this dispatcher in the NOTIFY of its own commits: it wakes itself after commit, not a second time. */
  readonly tag = randomUUID();

  consumerInterests(): ConsumerInterest[] {
    return [...this.#consumers.values()].map(({ name, types }) => ({ consumer: name, types }));
  }

  /** Whether this dispatcher delivers what its own process commits (a one-shot CLI process does not). */
  get dispatching(): boolean {
    return !this.#stopped && this.#platform !== null;
  }

  async start(platform: Platform): Promise<void> {
    this.#platform = platform;
    this.#stopped = false;
    this.#unlisten = await platform.db.listen(OUTBOX_CHANNEL, (payload) => {
      const [schema, from, writer] = payload.split(' ');
      if (!schema || from === this.tag) return;
      // A dispatching writer delivers its own events at once; this process is its stand-in (should it
      // die), and one wake for a burst of its commits is enough. Nobody else delivers a CLI's events.
      if (writer === DISPATCHING) this.#wakeSoon(schema);
      else this.wake(schema);
    });
    for (const workspace of platform.workspaces.list()) this.wake(workspace.schemas.system);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const timer of [...this.#timers.values(), ...this.#soon.values(), ...this.#planLater.values()]) clearTimeout(timer);
    this.#timers.clear();
    this.#soon.clear();
    this.#planLater.clear();
    await this.#unlisten?.();
    this.#unlisten = null;
    await Promise.allSettled(this.#running.values());
  }

  /** Resolves once every delivery that is due now has been attempted (for tests and shutdown). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled(this.#running.values());
  }

  /**
   * Wakes the consumers of the workspace (those that handle one of `types`, when the events written are
   * known). Each drains on its own, so a slow one (notifications of a big group) never holds back another (realtime).
   */
  wake(schema: string, types?: readonly string[]): void {
    if (this.#stopped || !this.#platform) return;
    for (const consumer of this.#consumers.values()) {
      if (!types || !consumer.types || types.some((type) => consumer.types!.includes(type))) this.#wakeConsumer(schema, consumer.name);
    }
  }

  #wakeSoon(schema: string): void {
    if (this.#soon.has(schema)) return;
    const timer = setTimeout(() => {
      this.#soon.delete(schema);
      this.wake(schema);
    }, STAND_IN_WAKE_MS);
    timer.unref();
    this.#soon.set(schema, timer);
  }

  #wakeConsumer(schema: string, consumer: string): void {
    const key = `${schema}\u0000${consumer}`;
    if (this.#running.has(key)) {
      this.#again.add(key);
      return;
    }
    // In the consumer's own lane, whatever the lane of the work that woke it.
    const lane = this.#consumers.get(consumer)!.urgent ? urgently : ordinarily;
    const run = lane(() => this.#drainLoop(schema, consumer, key)).finally(() => this.#running.delete(key));
    this.#running.set(key, run);
  }

  async #drainLoop(schema: string, consumer: string, key: string): Promise<void> {
    const platform = this.#platform!;
    const workspace = platform.workspaces.list().find((w) => w.schemas.system === schema) ?? (await this.#reloadFor(schema));
    if (!workspace) return;
    do {
      this.#again.delete(key);
      try {
        let failed = false;
        // A claim that took less than it could found nothing more due: what is committed after it wakes
        // the consumer again (`#again`), so there is no second claim just to find it empty.
        for (let batch = { more: true, failed: false }; batch.more && !this.#stopped; failed ||= batch.failed) batch = await this.#drainBatch(workspace, consumer);
        await this.#planNext(workspace, consumer, key, failed);
      } catch (error) {
        platform.log.error('outbox dispatch failed', { schema, consumer, ...errorFields(error) });
      }
    } while (this.#again.has(key) && !this.#stopped);
  }

  async #reloadFor(schema: string): Promise<Workspace | undefined> {
    const all = await this.#platform!.workspaces.reload();
    return all.find((w) => w.schemas.system === schema);
  }

  /**
   * Claims runs of one consumer's due deliveries, a run per aggregate. The run's lease row is taken by an
   * UPDATE that re-checks it against concurrent claims (another process that leased it first makes this
   * one skip it), so one process at a time delivers an aggregate's events to a consumer. A run is the
   * aggregate's pending deliveries in event order up to the first that is not due (one backing off after
   * a failure holds back those after it); each claimed delivery is leased too, so that a process that
   * dies while delivering has its claims taken up again when the lease runs out.
   */
  async #claim(db: Kysely<WorkspaceDB>, workspace: Workspace, consumer: string) {
    const t = (name: string) => sql.table(`${workspace.schemas.system}.${name}`);
    const lease = sql`make_interval(secs => ${this.#consumers.get(consumer)!.leaseMs / 1000})`;
    const { rows } = await sql<Claimed & { event_id: string | number | null }>`
      with due as (
        select consumer, aggregate_type, aggregate_id, min(event_id) as first_event
        from ${t('outbox_deliveries')}
        where status = 'pending' and consumer = ${consumer}
        group by consumer, aggregate_type, aggregate_id
        having min(event_id) = min(event_id) filter (where next_attempt_at <= now())
        order by first_event
        limit ${RUNS}
      ), leased as (
        update ${t('outbox_leases')} as l set leased_until = now() + ${lease}
        from due
        where l.consumer = due.consumer and l.aggregate_type = due.aggregate_type and l.aggregate_id = due.aggregate_id and l.leased_until <= now()
        returning l.consumer, l.aggregate_type, l.aggregate_id
      ), runs as (
        select d.event_id, d.consumer,
          row_number() over w as position,
          count(*) filter (where d.next_attempt_at > now()) over w as held
        from ${t('outbox_deliveries')} d
        join leased using (consumer, aggregate_type, aggregate_id)
        where d.status = 'pending'
        window w as (partition by d.consumer, d.aggregate_type, d.aggregate_id order by d.event_id)
      ), claimed as (
        update ${t('outbox_deliveries')} as d
        set attempts = d.attempts + 1, next_attempt_at = now() + ${lease}
        from runs
        where d.event_id = runs.event_id and d.consumer = runs.consumer and d.status = 'pending' and runs.held = 0 and runs.position <= ${RUN_LENGTH}
        returning d.event_id, d.consumer, d.attempts, d.aggregate_type, d.aggregate_id
      )
      select c.event_id, c.consumer, c.attempts, c.aggregate_type, c.aggregate_id, e.aggregate_seq, e.type, e.payload, e.actor_id, e.created_at
      from claimed c join ${t('outbox_events')} e on e.id = c.event_id
      union all
      select null, consumer, 0, aggregate_type, aggregate_id, null, null, null, null, null from leased`.execute(db);
    const deliveries = rows.filter((r) => r.event_id !== null) as (Claimed & { event_id: string | number })[];
    // A run found settled meanwhile by the process that held it before (it read an older snapshot):
    // its lease is given back at once rather than left to run out.
    const runs = new Set(deliveries.map((d) => `${d.consumer}:${d.aggregate_type}:${d.aggregate_id}`));
    const idle = rows.filter((r) => r.event_id === null && !runs.has(`${r.consumer}:${r.aggregate_type}:${r.aggregate_id}`));
    if (idle.length) await this.#settle(db, workspace, consumer, [], [], idle);
    // Took all it could: as many runs as a claim takes, or a run at its longest. Then more may be due.
    const perRun = new Map<string, number>();
    for (const d of deliveries) perRun.set(`${d.aggregate_type}:${d.aggregate_id}`, (perRun.get(`${d.aggregate_type}:${d.aggregate_id}`) ?? 0) + 1);
    const full = rows.length - deliveries.length >= RUNS || [...perRun.values()].some((n) => n >= RUN_LENGTH);
    return { deliveries, full };
  }

  /**
   * Delivers a claimed batch in event order. A failed delivery holds back the rest of its aggregate's
   * run, which is handed back untried; successes are settled and the runs' leases given back in one
   * statement.
   */
  async #drainBatch(workspace: Workspace, name: string): Promise<{ more: boolean; failed: boolean }> {
    const ctx = systemCtx(this.#platform!, workspace);
    const { deliveries: claimed, full } = await this.#claim(ctx.db, workspace, name);
    if (claimed.length === 0) return { more: false, failed: false };
    const consumer = this.#consumers.get(name)!;
    const done: number[] = [];
    const untried: number[] = [];
    const held = new Set<string>();
    const batch: DeliveredEvent[] = [...claimed]
      .sort((a, b) => toNumber(a.event_id) - toNumber(b.event_id))
      .map((row) => ({
        id: toNumber(row.event_id),
        aggregateType: row.aggregate_type,
        aggregateId: row.aggregate_id,
        aggregateSeq: toNumber(row.aggregate_seq),
        type: row.type,
        payload: row.payload,
        actorId: row.actor_id,
        createdAt: new Date(row.created_at),
        attempt: row.attempts,
      }));
    for (const event of batch) {
      const aggregate = `${event.aggregateType}:${event.aggregateId}`;
      if (held.has(aggregate)) untried.push(event.id);
      else if (await this.#deliver(ctx, consumer, event, batch)) done.push(event.id);
      else held.add(aggregate);
    }
    await this.#settle(ctx.db, workspace, name, done, untried, claimed);
    // Deliveries handed back untried are due again at once (behind a dead letter, they go on now).
    return { more: full || untried.length > 0, failed: done.length < claimed.length };
  }

  /** Hands one event to a consumer: true when it took it; a failure is recorded for a retry, or dead-lettered. */
  async #deliver(ctx: Ctx, consumer: Consumer, event: DeliveredEvent, batch: readonly DeliveredEvent[]): Promise<boolean> {
    try {
      await consumer.handle(event, ctx, batch);
      return true;
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
        .where('event_id', '=', event.id)
        .where('consumer', '=', consumer.name)
        .execute();
      return false;
    }
  }

  /** Marks deliveries done, hands untried ones back as due now, and releases the runs' leases. */
  async #settle(db: Kysely<WorkspaceDB>, workspace: Workspace, consumer: string, done: number[], untried: number[], runs: { aggregate_type: string; aggregate_id: string }[]): Promise<void> {
    const t = (name: string) => sql.table(`${workspace.schemas.system}.${name}`);
    const aggregates = [...new Map(runs.map((r) => [`${r.aggregate_type}:${r.aggregate_id}`, r])).values()];
    const idList = (list: number[]) => (list.length ? sql.join(list) : sql`null`);
    await sql`
      with finished as (
        update ${t('outbox_deliveries')} set status = 'done', delivered_at = now(), last_error = null
        where consumer = ${consumer} and event_id in (${idList(done)})
      ), handed_back as (
        update ${t('outbox_deliveries')} set attempts = attempts - 1, next_attempt_at = now()
        where consumer = ${consumer} and event_id in (${idList(untried)})
      )
      update ${t('outbox_leases')} set leased_until = '-infinity'
      where consumer = ${consumer} and (aggregate_type, aggregate_id) in (${sql.join(aggregates.map((a) => sql`(${a.aggregate_type}, ${a.aggregate_id})`))})`.execute(db);
  }

  /**
   * Looks for the next moment to wake at now after a failure (its retry is due then), else at most every
   * PLAN_EVERY_MS: the moments that need a look without a failure here are other processes' leases
   * running out (should one die), and those are seconds away.
   */
  async #planNext(workspace: Workspace, consumer: string, key: string, failed: boolean): Promise<void> {
    const wait = (this.#planned.get(key) ?? -Infinity) + PLAN_EVERY_MS - Date.now();
    if (failed || wait <= 0) {
      clearTimeout(this.#planLater.get(key));
      this.#planLater.delete(key);
      this.#planned.set(key, Date.now());
      return this.#scheduleNext(workspace, consumer, key);
    }
    if (this.#planLater.has(key)) return;
    // Moments that pass while the look waits count too (they wake the consumer at once); from a second
    // before now, lest the database's clock be behind this one's.
    const since = new Date(Date.now() - PLAN_EVERY_MS);
    const timer = setTimeout(() => {
      this.#planLater.delete(key);
      if (this.#stopped) return;
      this.#planned.set(key, Date.now());
      this.#scheduleNext(workspace, consumer, key, since).catch((error) => this.#platform?.log.error('outbox planning failed', { consumer, ...errorFields(error) }));
    }, wait);
    timer.unref();
    this.#planLater.set(key, timer);
  }

  /**
   * Sets one timer for the earliest pending delivery in the future: a retry or an expiring lease.
   * Deliveries due now but waiting behind an earlier event of their aggregate are not counted: their
   * commits woke the processes (the one delivering that event claims them next). `since`: from then, not
   * from now, for a look that was put off.
   */
  async #scheduleNext(workspace: Workspace, consumer: string, key: string, since?: Date): Promise<void> {
    const ctx = systemCtx(this.#platform!, workspace);
    const next = await ctx.db
      .selectFrom('outbox_deliveries')
      .select((eb) => eb.fn.min('next_attempt_at').as('at'))
      .where('consumer', '=', consumer)
      .where('status', '=', 'pending')
      .where('next_attempt_at', '>', since ?? sql<Date>`now()`)
      .executeTakeFirst();
    clearTimeout(this.#timers.get(key));
    this.#timers.delete(key);
    if (!next?.at || this.#stopped) return;
    const delay = Math.max(0, Math.min(new Date(next.at).getTime() - Date.now(), 2 ** 31 - 1));
    const timer = setTimeout(() => {
      this.#timers.delete(key);
      this.#wakeConsumer(workspace.schemas.system, consumer);
    }, delay + 5);
    timer.unref();
    this.#timers.set(key, timer);
  }
}


import { randomBytes } from 'node:crypto';
import { sql, type RawBuilder } from 'kysely';
import type { FlowDefinition, FlowTrigger } from '../contracts/flow-definitions.ts';
import type { ObjectDefinition } from '../contracts/meta.ts';
import { inTransaction, systemCtx, type Ctx } from '../core/context.ts';
import { errorFields } from '../core/logger.ts';
import type { Platform } from '../core/platform.ts';
import type { JobMessage, JobQueue } from '../jobs/index.ts';
import { publishedObjects } from '../meta/index.ts';
import { nextScheduled, workspaceTimeZone } from './schedule.ts';

export const PLAN_JOB = 'flows.timers.plan';
/** Records planned per job: one short transaction each, so that planning 100,000 records never holds the database. */
export const PLAN_BATCH = 2000;

export type DateTrigger = Extract<FlowTrigger, { type: 'date' }>;
export type QuietTrigger = Extract<FlowTrigger, { type: 'inactivity' }>;
export type TimedFlow = { flow: FlowDefinition; plan: string };

const UNIT_SECONDS = { minutes: 60, hours: 3600, days: 86_400 } as const;
/** How long a record must stay quiet before an inactivity trigger fires. */
export const quietSeconds = (t: QuietTrigger) => t.amount * UNIT_SECONDS[t.unit];

const dateField = (t: DateTrigger, objects: ReadonlyMap<string, ObjectDefinition>) => {
  const field = objects.get(t.object)?.fields.find((f) => f.name === t.field && !f.archived);
  return field && (field.type === 'date' || field.type === 'datetime') ? field.type : null;
};

/**
 * What a flow's timers are planned from, as text: its timers follow one plan, and a publish that changes
 * it plans them again. Null for a flow without timers (or whose trigger no longer fits its object).
 * A condition is not part of it: it is read when a timer fires.
 */
export function timerPlan(flow: FlowDefinition, objects: ReadonlyMap<string, ObjectDefinition>, timeZone: string): string | null {
  const t = flow.trigger;
  if (t.type === 'schedule') return `schedule ${timeZone} ${t.cron.trim().split(/\s+/).join(' ')}`;
  if (t.type === 'inactivity') return objects.has(t.object) ? `inactivity ${t.object} ${quietSeconds(t)}s` : null;
  if (t.type !== 'date') return null;
  const type = dateField(t, objects);
  return type && `date ${t.object}.${t.field} ${type} ${t.direction} ${t.amount} ${t.unit} ${t.time ?? '00:00'} ${timeZone}`;
}

/**
 * When a date trigger fires for a field value (a column or a parameter), in SQL: whole days are counted
 * on the calendar of the workspace's time zone (so "1 day before" keeps the time of day across a change
 * of summer time), minutes and hours as elapsed time. A date field's day starts at the trigger's `time`.
 */
export function dueSql(value: RawBuilder<unknown>, t: DateTrigger, type: 'date' | 'datetime', timeZone: string): RawBuilder<Date | null> {
  const offset = `${t.direction === 'before' ? '-' : ''}${t.amount} ${t.unit}`;
  const local = type === 'date' ? sql`((${value})::date + cast(${t.time ?? '00:00'} as time))` : sql`((${value})::timestamptz at time zone ${timeZone})`;
  if (t.unit === 'days') return sql<Date | null>`((${local} + cast(${offset} as interval)) at time zone ${timeZone})`;
  return sql<Date | null>`((${local} at time zone ${timeZone}) + cast(${offset} as interval))`;
}

export function dateTiming(flow: FlowDefinition, objects: ReadonlyMap<string, ObjectDefinition>) {
  const t = flow.trigger as DateTrigger;
  return { trigger: t, type: dateField(t, objects)! };
}

const timers = (ctx: Ctx) => sql.table(`${ctx.workspace.schemas.system}.flow_timers`);
const records = (ctx: Ctx, object: string) => sql.table(`${ctx.workspace.schemas.data}.${object}`);

/** The time a person last wrote in the thread of record `id` (a column of the query's records), if ever. */
export const lastPersonMessage = (ctx: Ctx, object: string, id: RawBuilder<unknown>) =>
  sql<Date | null>`(select m.created_at from ${sql.table(`${ctx.workspace.schemas.system}.threads`)} th
    join ${sql.table(`${ctx.workspace.schemas.system}.messages`)} m on m.thread_id = th.id
    where th.object = ${object} and th.record_id = ${id} and m.kind = 'user' order by m.seq desc limit 1)`;

const sendPlanJob = (tx: Ctx, flow: string) => tx.platform.jobs.send(tx, PLAN_JOB, { workspaceId: tx.workspace.id, jobId: flow });

/** Which meta version each workspace's timers were last brought in line with, in this process. */
const plannedVersions = new Map<string, number>();

/**
 * Brings the timers in line with the published flows (after a publish, at start, and whenever a
 * process sees a version it has not planned): a flow whose timer plan changed, or that was archived
 * or deactivated, loses its timers; a new plan gets its schedule's next time at once, and the existing
 * records of a date or inactivity trigger in the background, in batches (PLAN_JOB). Webhook flows get
 * their secret. Idempotent, and serialised per workspace, so every process may run it.
 */
export async function planFlowTimers(ctx: Ctx, now = new Date()): Promise<void> {
  const { flows, objects, version } = await publishedObjects(ctx);
  const timeZone = workspaceTimeZone(ctx);
  const wanted = new Map<string, TimedFlow>();
  for (const flow of flows) {
    const plan = flow.active ? timerPlan(flow, objects, timeZone) : null;
    if (plan) wanted.set(flow.name, { flow, plan });
  }
  await inTransaction(ctx, async (tx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${`threadbase:flow-timers:${tx.workspace.schemas.system}`}))`.execute(tx.db);
    const plans = await tx.db.selectFrom('flow_timer_plans').select(['flow', 'plan']).execute();
    const kept = new Set(plans.filter((p) => wanted.get(p.flow)?.plan === p.plan).map((p) => p.flow));
    const stale = plans.filter((p) => !kept.has(p.flow)).map((p) => p.flow);
    if (stale.length) {
      await tx.db.deleteFrom('flow_timers').where('flow', 'in', stale).execute();
      await tx.db.deleteFrom('flow_timer_plans').where('flow', 'in', stale).execute();
    }
    for (const [name, { flow, plan }] of wanted) {
      if (kept.has(name)) continue;
      const t = flow.trigger;
      await tx.db.insertInto('flow_timer_plans').values({ flow: name, plan, cursor: null, done: t.type === 'schedule' }).execute();
      if (t.type === 'schedule') {
        await tx.db.deleteFrom('flow_timers').where('flow', '=', name).execute();
        await tx.db.insertInto('flow_timers').values({ flow: name, record_id: null, kind: 'schedule', object: null, plan, due_at: nextScheduled(t.cron, timeZone, now), activity_at: null }).execute();
      } else await sendPlanJob(tx, name);
    }
    const hooks = flows.filter((f) => f.active && f.trigger.type === 'webhook').map((f) => ({ flow: f.name, secret: newWebhookSecret(), rotated_by: null }));
    if (hooks.length) await tx.db.insertInto('flow_webhooks').values(hooks).onConflict((oc) => oc.column('flow').doNothing()).execute();
  });
  plannedVersions.set(ctx.workspace.schemas.system, version);
}

/** Plans again only when the published version moved since this process last planned. */
export async function planIfPublished(ctx: Ctx): Promise<void> {
  const { version } = await publishedObjects(ctx);
  if (plannedVersions.get(ctx.workspace.schemas.system) !== version) await planFlowTimers(ctx);
}

/** 32 random bytes: long enough that guessing one is hopeless, short enough for a URL. */
export const newWebhookSecret = () => randomBytes(32).toString('base64url');

/** How long one planning job goes on batch after batch before it hands over to the next job. */
const PLAN_JOB_MS = 2000;

/**
 * Plans the next batch of existing records of one flow, after the plan's cursor by id, in a transaction
 * of its own that moves the cursor; answers whether records are left. `on conflict do nothing`: a timer
 * a record's own save planned meanwhile is newer than what this batch read, and stays. Past date times
 * are skipped; records quiet for longer than the trigger's time fire at once.
 */
async function planBatch(ctx: Ctx, name: string, handOver: (tx: Ctx) => Promise<boolean>): Promise<boolean> {
  return inTransaction(ctx, async (tx) => {
    // Locked: two jobs of one flow (a retry beside a resumed chain) take turns and never plan a batch twice.
    const row = await tx.db.selectFrom('flow_timer_plans').selectAll().where('flow', '=', name).forUpdate().executeTakeFirst();
    if (!row || row.done) return false;
    const { flows, objects } = await publishedObjects(tx);
    const flow = flows.find((f) => f.name === name && f.active);
    // Planned for settings that changed since: the next planning replaces it.
    if (!flow || timerPlan(flow, objects, workspaceTimeZone(tx)) !== row.plan) return false;
    const t = flow.trigger as DateTrigger | QuietTrigger;
    const after = row.cursor ? sql`where id > ${row.cursor}` : sql``;
    const batch = sql`batch as (select * from ${records(tx, t.object)} ${after} order by id limit ${PLAN_BATCH})`;
    let insert: RawBuilder<unknown>;
    if (t.type === 'date') {
      const { type } = dateTiming(flow, objects);
      const due = dueSql(sql.ref(`batch.${t.field}`), t, type, workspaceTimeZone(tx));
      insert = sql`insert into ${timers(tx)} (flow, record_id, kind, object, plan, due_at)
        select ${name}, id, 'date', ${t.object}, ${row.plan}, due from (select batch.id, ${due} as due from batch) d where due > ${new Date()}`;
    } else {
      const activity = sql`greatest(batch.updated_at, ${lastPersonMessage(tx, t.object, sql.ref('batch.id'))})`;
      insert = sql`insert into ${timers(tx)} (flow, record_id, kind, object, plan, due_at, activity_at)
        select ${name}, id, 'inactivity', ${t.object}, ${row.plan}, at + make_interval(secs => ${quietSeconds(t)}), at from (select batch.id, ${activity} as at from batch) a`;
    }
    const { rows } = await sql<{ last: string | null; n: number }>`with ${batch}, planned as (${insert} on conflict (flow, record_id) do nothing)
      select (select id from batch order by id desc limit 1)::text as last, (select count(*) from batch)::int as n`.execute(tx.db);
    const { last, n } = rows[0]!;
    const done = Number(n) < PLAN_BATCH;
    await tx.db.updateTable('flow_timer_plans').set({ cursor: last ?? row.cursor, done }).where('flow', '=', name).execute();
    return !done && (await handOver(tx));
  });
}

/**
 * One planning job: batches for a while, then queues the next job in its last batch's transaction. A
 * job that dies half-way is retried by the queue and goes on from the cursor.
 */
async function planRecords(platform: Platform, message: JobMessage): Promise<void> {
  const workspace = platform.workspaces.list().find((w) => w.id === message.workspaceId);
  if (!workspace) return;
  const ctx = systemCtx(platform, workspace);
  const until = performance.now() + PLAN_JOB_MS;
  const handOver = async (tx: Ctx) => {
    if (performance.now() < until) return true;
    await sendPlanJob(tx, message.jobId);
    return false;
  };
  while (await planBatch(ctx, message.jobId, handOver));
}

export function registerTimerJobs(queue: JobQueue): void {
  queue.register(PLAN_JOB, async (platform, message) => {
    await planRecords(platform, message).catch((error: unknown) => {
      platform.log.error('flow timers: planning records failed', { job: message.jobId, ...errorFields(error) });
      throw error;
    });
  });
}

/** At start: a planning chain whose job was lost (its retries used up) goes on from where it stopped. */
export async function resumeTimerPlans(ctx: Ctx): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const open = await tx.db.selectFrom('flow_timer_plans').select('flow').where('done', '=', false).execute();
    for (const p of open) await sendPlanJob(tx, p.flow);
  });
}

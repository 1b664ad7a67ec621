import { sql, type Selectable } from 'kysely';
import type { FlowDefinition } from '../contracts/flow-definitions.ts';
import type { ObjectDefinition } from '../contracts/meta.ts';
import { inTransaction, systemCtx, type Ctx } from '../core/context.ts';
import { errorFields } from '../core/logger.ts';
import type { Platform } from '../core/platform.ts';
import type { WorkspaceDB } from '../db/tables.ts';
import type { JobQueue } from '../jobs/index.ts';
import { onPublished, publishedObjects } from '../meta/index.ts';
import { getRecord } from '../records/service.ts';
import { startRun, startRuns } from './engine.ts';
import { evaluate } from './expressions.ts';
import { nextScheduled, workspaceTimeZone } from './schedule.ts';
import { registerTimerHooks } from './timers-hooks.ts';
import { dateTiming, dueSql, lastPersonMessage, planFlowTimers, planIfPublished, quietSeconds, registerTimerJobs, timerPlan, type QuietTrigger } from './timers-plan.ts';

type Timer = Selectable<WorkspaceDB['flow_timers']>;
type Published = { flow: FlowDefinition; plan: string; version: number; objects: ReadonlyMap<string, ObjectDefinition>; timeZone: string };

/**
 * Timers claimed per transaction. A batch costs a few statements whatever its size (its runs are started
 * together); its rows stay locked while it runs, a fraction of a second, which a save of one of those
 * records waits out.
 */
export const FIRE_BATCH = 1000;
/** A timer whose time, looked at again, is this close is due: clocks of two processes differ a little. */
const SLACK_MS = 1000;
/** How long a flow's timers wait before they are tried again after failing to fire. */
export const RETRY_MS = 60_000;
const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

/** A flow's timers act as the system: the records they look at are the flow's, not anyone's. */
const asSystem = (tx: Ctx): Ctx => ({ ...tx, actor: { kind: 'system' } });

/** The records of `ids` whose trigger condition holds now; a condition that fails counts as false. */
async function holding(tx: Ctx, flow: FlowDefinition, object: string, ids: string[], condition: string | undefined): Promise<Set<string>> {
  if (!condition) return new Set(ids);
  const passed = new Set<string>();
  for (const id of ids) {
    const record = await getRecord(asSystem(tx), object, id).catch(() => null);
    if (!record) continue;
    try {
      const [result] = await evaluate(tx, [condition], { record, steps: {} });
      if (result === true) passed.add(id);
    } catch (error) {
      tx.platform.log.warn('flow timer condition failed', { flow: flow.name, record: id, ...errorFields(error) });
    }
  }
  return passed;
}

const forRecords = (tx: Ctx, flow: string, ids: string[]) => tx.db.deleteFrom('flow_timers').where('flow', '=', flow).where('record_id', 'in', ids);

async function fireSchedule(tx: Ctx, p: Published, timer: Timer, now: Date): Promise<number> {
  const t = p.flow.trigger as { cron: string };
  // A plan made for other settings is not fired: its time was not this schedule's.
  const fire = timer.plan === p.plan;
  if (fire) await startRun(tx, p.flow, p.version, { trigger: { kind: 'schedule', at: iso(timer.due_at) }, object: null, recordId: null, startedBy: null });
  // Times missed while no process ran are fired once, not once each: the next is after now.
  await tx.db.updateTable('flow_timers').set({ due_at: nextScheduled(t.cron, p.timeZone, now), plan: p.plan }).where('flow', '=', p.flow.name).where('record_id', 'is', null).execute();
  return fire ? 1 : 0;
}

/** A date timer: the field is read again (its save re-plans it, but the definition may have moved since). */
async function fireDates(tx: Ctx, p: Published, group: Timer[], now: Date): Promise<number> {
  const { trigger: t, type } = dateTiming(p.flow, p.objects);
  const ids = group.map((g) => g.record_id!);
  // A date as its text (no driver shifts it through a time zone), a datetime as an instant.
  const value = type === 'date' ? sql`${sql.ref(t.field)}::text` : sql.ref(t.field);
  const { rows } = await sql<{ id: string; value: string | Date; due: Date | string | null }>`select id, ${value} as value, ${dueSql(sql.ref(t.field), t, type, p.timeZone)} as due
    from ${sql.table(`${tx.workspace.schemas.data}.${t.object}`)} where id in (${sql.join(ids)})`.execute(tx.db);
  const found = new Map(rows.map((r) => [r.id, r]));
  const due: string[] = [];
  const gone: string[] = [];
  for (const id of ids) {
    const row = found.get(id);
    const at = row?.due ? new Date(row.due) : null;
    if (!at) gone.push(id);
    else if (at.getTime() > now.getTime() + SLACK_MS) await replan(tx, p, id, at, null);
    else due.push(id);
  }
  const passing = await holding(tx, p.flow, t.object, due, t.condition);
  await startRuns(
    tx,
    p.flow,
    p.version,
    [...passing].map((id) => {
      const row = found.get(id)!;
      return { object: t.object, recordId: id, trigger: { kind: 'date', field: t.field, value: type === 'date' ? row.value : iso(row.value), at: iso(row.due) } };
    }),
  );
  // Fired, or its time came while the condition did not hold: either way this date's time is spent.
  const spent = [...gone, ...due];
  if (spent.length) await forRecords(tx, p.flow.name, spent).execute();
  return passing.size;
}

/**
 * An inactivity timer: its time is when the record went quiet plus the trigger's time. Saves and
 * people's messages move it on as they happen; the thread is read again here too, so that a message
 * whose move was lost (its process died right after it) still counts.
 */
async function fireQuiet(tx: Ctx, p: Published, group: Timer[], now: Date): Promise<number> {
  const t = p.flow.trigger as QuietTrigger;
  const quietMs = quietSeconds(t) * 1000;
  const ids = group.map((g) => g.record_id!);
  const { rows } = await sql<{ id: string; last: Date | string | null }>`select r.id, ${lastPersonMessage(tx, t.object, sql.ref('r.id'))} as last
    from ${sql.table(`${tx.workspace.schemas.data}.${t.object}`)} r where r.id in (${sql.join(ids)})`.execute(tx.db);
  const found = new Map(rows.map((r) => [r.id, r.last === null ? null : new Date(r.last)]));
  const gone: string[] = [];
  const due: { id: string; since: Date }[] = [];
  for (const timer of group) {
    const id = timer.record_id!;
    if (!found.has(id)) {
      gone.push(id);
      continue;
    }
    const last = found.get(id) ?? null;
    const since = new Date(Math.max(timer.activity_at ? new Date(timer.activity_at).getTime() : 0, last?.getTime() ?? 0, 0));
    const at = new Date(since.getTime() + quietMs);
    if (at.getTime() > now.getTime() + SLACK_MS) await replan(tx, p, id, at, since);
    else due.push({ id, since });
  }
  const passing = await holding(tx, p.flow, t.object, due.map((d) => d.id), t.condition);
  const starts = due.filter((d) => passing.has(d.id)).map(({ id, since }) => ({ object: t.object, recordId: id, trigger: { kind: 'inactivity', quietSince: since.toISOString(), at: new Date(since.getTime() + quietMs).toISOString() } }));
  await startRuns(tx, p.flow, p.version, starts);
  // One firing per quiet period: the timer sleeps until the next activity arms it again.
  if (due.length) await tx.db.updateTable('flow_timers').set({ due_at: null }).where('flow', '=', p.flow.name).where('record_id', 'in', due.map((d) => d.id)).execute();
  if (gone.length) await forRecords(tx, p.flow.name, gone).execute();
  return passing.size;
}

async function replan(tx: Ctx, p: Published, id: string, at: Date, since: Date | null): Promise<void> {
  await tx.db.updateTable('flow_timers').set({ due_at: at, plan: p.plan, ...(since && { activity_at: since }) }).where('flow', '=', p.flow.name).where('record_id', '=', id).execute();
}

/**
 * Claims up to FIRE_BATCH due timers (`for update skip locked`: processes firing at once take different
 * ones) and, in the same transaction, starts their runs and moves or clears them: each due time
 * starts one run, whatever the number of processes, and a crash leaves none of it.
 */
async function fireBatch(ctx: Ctx, now: Date): Promise<{ claimed: number; started: number }> {
  return inTransaction(ctx, async (tx) => {
    const claimed = await tx.db.selectFrom('flow_timers').selectAll().where('due_at', '<=', now).orderBy('due_at').limit(FIRE_BATCH).forUpdate().skipLocked().execute();
    if (claimed.length === 0) return { claimed: 0, started: 0 };
    const { flows, objects, version } = await publishedObjects(tx);
    const timeZone = workspaceTimeZone(tx);
    const groups = Map.groupBy(claimed, (t) => t.flow);
    let started = 0;
    for (const [name, group] of groups) {
      const flow = flows.find((f) => f.name === name && f.active);
      const plan = flow ? timerPlan(flow, objects, timeZone) : null;
      if (!flow || !plan || flow.trigger.type !== group[0]!.kind) {
        // Left over from a flow archived or changed since: planning drops these too; they never fire.
        await tx.db.deleteFrom('flow_timers').where('flow', '=', name).where('due_at', '<=', now).execute();
        continue;
      }
      const p = { flow, plan, version, objects, timeZone };
      // A flow whose timers fail to fire (its table renamed under it, say) must not hold up the others
      // for ever: its part of the batch is undone and tried again a minute later.
      await sql`savepoint flow_timers`.execute(tx.db);
      try {
        if (flow.trigger.type === 'schedule') started += await fireSchedule(tx, p, group[0]!, now);
        else if (flow.trigger.type === 'date') started += await fireDates(tx, p, group, now);
        else started += await fireQuiet(tx, p, group, now);
        await sql`release savepoint flow_timers`.execute(tx.db);
      } catch (error) {
        await sql`rollback to savepoint flow_timers`.execute(tx.db);
        tx.platform.log.error('flow timers of a flow failed to fire; trying again later', { flow: name, ...errorFields(error) });
        const ids = group.flatMap((g) => (g.record_id ? [g.record_id] : []));
        const later = tx.db.updateTable('flow_timers').set({ due_at: new Date(now.getTime() + RETRY_MS) }).where('flow', '=', name);
        await (ids.length ? later.where('record_id', 'in', ids) : later.where('record_id', 'is', null)).execute();
      }
    }
    return { claimed: claimed.length, started };
  });
}

/** Whether any timer of the workspace is due: one look at the due-time index, before any transaction. */
export async function anyDue(ctx: Ctx, now: Date): Promise<boolean> {
  // Ordered by due time, so that the planner walks the index from its start and stops at once.
  return (await ctx.db.selectFrom('flow_timers').select('due_at').where('due_at', '<=', now).orderBy('due_at').limit(1).executeTakeFirst()) !== undefined;
}

/**
 * Transactions that claim batches at once in one process: on PostgreSQL `skip locked` keeps them apart
 * and their round trips overlap; the embedded database runs one statement at a time anyway.
 */
const DRAINS = { postgres: 2, pglite: 1 } as const;

/**
 * Fires every timer due at `now` in every workspace, batch after batch; answers the runs started.
 * Tests pass a later `now` to see what would happen then. A workspace that fails is logged and the
 * others are still fired.
 */
export async function fireDueTimers(platform: Platform, now = new Date()): Promise<number> {
  let started = 0;
  for (const workspace of platform.workspaces.list()) {
    const ctx = systemCtx(platform, workspace);
    try {
      if (!(await anyDue(ctx, now))) continue;
      const drain = async () => {
        for (;;) {
          const batch = await fireBatch(ctx, now);
          started += batch.started;
          if (batch.claimed < FIRE_BATCH) return;
        }
      };
      await Promise.all(Array.from({ length: DRAINS[platform.db.dialect] }, drain));
    } catch (error) {
      platform.log.error('flow timers failed', { schema: workspace.schemas.system, ...errorFields(error) });
    }
  }
  return started;
}

/** How often each process looks at the due-time index: a timer fires at most this late (plus the work before it). */
const TICK_MS = 1000;

/**
 * Each process looks every second for timers that are due (an index probe that reads nothing when
 * none is) and fires them, and plans timers again when it sees a publish it has not planned.
 */
export class FlowTimers {
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> = Promise.resolve();
  #stopped = true;

  start(platform: Platform): void {
    this.#stopped = false;
    const tick = async () => {
      for (const workspace of platform.workspaces.list()) {
        await planIfPublished(systemCtx(platform, workspace)).catch((error: unknown) => platform.log.error('flow timers: planning failed', { schema: workspace.schemas.system, ...errorFields(error) }));
      }
      await fireDueTimers(platform);
    };
    const loop = () => {
      if (this.#stopped) return;
      this.#running = tick().finally(() => {
        if (!this.#stopped) this.#timer = setTimeout(loop, TICK_MS);
      });
    };
    loop();
  }

  /** Stops looking and waits for a pass under way. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running;
  }
}

/**
 * Time triggers' parts that every process registers: the planning job, the hooks on saves and
 * people's messages, and planning right after a publish (each process also plans on its next tick
 * when it sees a version it has not planned, so a publish from a process that dies at once is planned too).
 */
export function registerFlowTimers(queue: JobQueue): void {
  registerTimerJobs(queue);
  registerTimerHooks();
  onPublished((ctx) => {
    if (!ctx.platform.jobs.started) return;
    planFlowTimers({ ...ctx, actor: { kind: 'system' } }).catch((error: unknown) => ctx.platform.log.error('flow timers: planning after a publish failed', errorFields(error)));
  });
}

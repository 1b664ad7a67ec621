import { sql } from 'kysely';
import type { FlowDefinition } from '../contracts/flow-definitions.ts';
import type { ObjectDefinition } from '../contracts/meta.ts';
import type { Ctx } from '../core/context.ts';
import { errorFields } from '../core/logger.ts';
import { publishedObjects } from '../meta/index.ts';
import { addSaveHooks, type AfterDelete, type AfterSave } from '../records/save-hooks.ts';
import { onMessagesSent, type SentListener } from '../threads/index.ts';
import { workspaceTimeZone } from './schedule.ts';
import { dateTiming, dueSql, quietSeconds, timerPlan, type QuietTrigger } from './timers-plan.ts';

type Timed = { flow: FlowDefinition; plan: string };
type OnObject = { dates: Timed[]; quiet: Timed[] };
const NONE: OnObject = { dates: [], quiet: [] };

/** The date and inactivity flows of each object, worked out once per published version and time zone. */
const byObjectCache = new WeakMap<readonly FlowDefinition[], { timeZone: string; byObject: Map<string, OnObject> }>();

async function timedFlows(tx: Ctx, object: string): Promise<{ on: OnObject; objects: ReadonlyMap<string, ObjectDefinition> }> {
  const { flows, objects } = await publishedObjects(tx);
  const timeZone = workspaceTimeZone(tx);
  let cached = byObjectCache.get(flows);
  if (!cached || cached.timeZone !== timeZone) {
    const byObject = new Map<string, OnObject>();
    for (const flow of flows) {
      const t = flow.trigger;
      if (!flow.active || (t.type !== 'date' && t.type !== 'inactivity')) continue;
      const plan = timerPlan(flow, objects, timeZone);
      if (!plan) continue;
      const on = byObject.get(t.object) ?? { dates: [], quiet: [] };
      (t.type === 'date' ? on.dates : on.quiet).push({ flow, plan });
      byObject.set(t.object, on);
    }
    byObjectCache.set(flows, (cached = { timeZone, byObject }));
  }
  return { on: cached.byObject.get(object) ?? NONE, objects };
}

/** A date field set or changed: its timer moves to the new time, or goes when that time is past or the date empty. */
async function planDate(tx: Ctx, { flow, plan }: Timed, objects: ReadonlyMap<string, ObjectDefinition>, id: string, value: unknown): Promise<void> {
  const { trigger: t, type } = dateTiming(flow, objects);
  await tx.db.deleteFrom('flow_timers').where('flow', '=', flow.name).where('record_id', '=', id).execute();
  if (value === null || value === undefined || value === '') return;
  const due = dueSql(sql`${String(value)}`, t, type, workspaceTimeZone(tx));
  await sql`insert into ${sql.table(`${tx.workspace.schemas.system}.flow_timers`)} (flow, record_id, kind, object, plan, due_at)
    select ${flow.name}, ${id}, 'date', ${t.object}, ${plan}, due from (select ${due} as due) d where due > ${new Date()}`.execute(tx.db);
}

/** Activity on a record: its quiet period starts again now, fired or not. */
async function arm(tx: Ctx, { flow, plan }: Timed, id: string, now: Date): Promise<void> {
  const t = flow.trigger as QuietTrigger;
  const due = new Date(now.getTime() + quietSeconds(t) * 1000);
  await tx.db
    .insertInto('flow_timers')
    .values({ flow: flow.name, record_id: id, kind: 'inactivity', object: t.object, plan, due_at: due, activity_at: now })
    .onConflict((oc) => oc.columns(['flow', 'record_id']).doUpdateSet({ due_at: due, activity_at: now, plan }))
    .execute();
}

/**
 * In the save's transaction. A date trigger's timer follows its field. An inactivity timer is armed when
 * a record is created and when a person changes it; changes by flows and system scripts are automation,
 * not activity (a flow that marks the record it reminds about would otherwise never let it go quiet).
 */
async function afterSave(tx: Ctx, e: AfterSave): Promise<void> {
  const { on, objects } = await timedFlows(tx, e.object.name);
  if (on === NONE) return;
  for (const timed of on.dates) {
    const field = (timed.flow.trigger as { field: string }).field;
    if (e.mode === 'create' || e.changed.includes(field)) await planDate(tx, timed, objects, e.id, e.stored[field]);
  }
  if (e.mode === 'create' || tx.actor.kind === 'user') {
    const now = new Date();
    for (const timed of on.quiet) await arm(tx, timed, e.id, now);
  }
}

async function afterDelete(tx: Ctx, e: AfterDelete): Promise<void> {
  const { on } = await timedFlows(tx, e.object.name);
  if (on !== NONE) await tx.db.deleteFrom('flow_timers').where('record_id', '=', e.id).where('object', '=', e.object.name).execute();
}

/** A person wrote in a record's thread: that record's quiet period starts again. */
const messagesSent: SentListener = async (ctx, thread) => {
  if (thread.kind !== 'record' || !thread.object || !thread.record_id) return;
  const { on } = await timedFlows(ctx, thread.object);
  const now = new Date();
  for (const timed of on.quiet) {
    await arm(ctx, timed, thread.record_id, now).catch((error: unknown) => ctx.platform.log.warn('flow timer not moved by a message', { flow: timed.flow.name, ...errorFields(error) }));
  }
};

const hooks = { afterSave, afterDelete };

export function registerTimerHooks(): void {
  addSaveHooks(hooks);
  onMessagesSent(messagesSent);
}

import { sql } from 'kysely';
import { accessTo, readableRecords } from '../access/index.ts';
import type { Approval, ApprovalMyAction, ApprovalSummary } from '../contracts/approvals.ts';
import { AppError } from '../core/app-error.ts';
import { actorId, type Ctx } from '../core/context.ts';
import { decodeCursor, encodeCursor } from '../core/cursor.ts';
import { requireUser } from '../core/guards.ts';
import { publishedObject, publishedObjects } from '../meta/index.ts';
import { levelsOf } from './publish.ts';
import { isOpen, readApproval, type ApprovalRow, type Outcome, type State } from './state.ts';

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

/**
 * Who sees an approval: administrators, its submitter, everyone it ever asked (or asked on their behalf),
 * and whoever may read its record.
 */
export async function mayView(ctx: Ctx, st: State): Promise<boolean> {
  if (ctx.actor.kind === 'system') return true;
  if (ctx.actor.kind !== 'user') return false;
  const me = ctx.actor.userId;
  if (ctx.actor.isAdmin || st.approval.submitter_id === me || st.tasks.some((t) => t.assignee_id === me || t.on_behalf_of === me)) return true;
  const object = (await publishedObjects(ctx)).objects.get(st.approval.object);
  if (!object) return false;
  return (await readableRecords(ctx, await accessTo(ctx, object), [st.approval.record_id])).has(st.approval.record_id);
}

/** The approval for someone who may see it; 404 for anyone else, as for an id that does not exist. */
export async function visibleApproval(ctx: Ctx, id: string): Promise<State> {
  requireUser(ctx);
  const st = await readApproval(ctx, id);
  if (!st || !(await mayView(ctx, st))) throw new AppError('APPROVAL_NOT_FOUND', 404);
  return st;
}

function myActions(ctx: Ctx, st: State): ApprovalMyAction[] {
  const me = actorId(ctx);
  const a = st.approval;
  const actions: ApprovalMyAction[] = [];
  if (a.status === 'pending' && st.tasks.some((t) => t.assignee_id === me && t.status === 'pending')) actions.push('approve', 'reject', 'return', 'transfer', 'add_signer');
  const submitter = a.submitter_id === me;
  if (submitter && isOpen(a)) actions.push('recall');
  if (submitter && a.status === 'returned') actions.push('resubmit');
  if (a.status === 'pending' && (submitter || (ctx.actor.kind === 'user' && ctx.actor.isAdmin))) actions.push('urge');
  actions.push('comment');
  return actions;
}

function toSummary(a: ApprovalRow, current: string[]): ApprovalSummary {
  return {
    id: a.id,
    title: a.title,
    status: a.status,
    flow: a.flow,
    object: a.object,
    recordId: a.record_id,
    submitterId: a.submitter_id,
    currentLevels: current,
    createdAt: iso(a.created_at)!,
    updatedAt: iso(a.updated_at)!,
    finishedAt: iso(a.finished_at),
  };
}

/** The summary fields as submitted, labelled, without those the reader may not see. */
async function summaryFor(ctx: Ctx, st: State): Promise<Approval['summary']> {
  const object = await publishedObject(ctx, st.approval.object).catch(() => null);
  if (!object) return [];
  const access = await accessTo(ctx, object);
  const values = st.approval.summary;
  return st.def.summaryFields.flatMap((name) => {
    const field = access.view.fields.find((f) => f.name === name && !f.archived);
    return field ? [{ field: name, label: field.label, value: values[name] ?? null }] : [];
  });
}

export async function presentApproval(ctx: Ctx, st: State): Promise<Approval> {
  const history = await ctx.db.selectFrom('approval_history').selectAll().where('approval_id', '=', st.approval.id).orderBy('id').execute();
  const keyOf = (idx: number | null) => (idx === null ? null : (st.levels[idx]?.key ?? null));
  return {
    ...toSummary(st.approval, st.levels.filter((l) => l.status === 'active').map((l) => l.key)),
    runId: st.approval.run_id,
    lock: st.def.lock,
    outcome: (st.approval.outcome as Outcome | null) ?? null,
    summary: await summaryFor(ctx, st),
    levels: levelsOf(st),
    history: history.map((h) => ({ id: h.id, action: h.action as Approval['history'][number]['action'], actorId: h.actor_id, level: keyOf(h.level_idx), comment: h.comment, details: h.details, at: iso(h.created_at)! })),
    myActions: myActions(ctx, st),
    cardMessageId: st.approval.card_message_id,
  };
}

export async function getApproval(ctx: Ctx, id: string): Promise<Approval> {
  return presentApproval(ctx, await visibleApproval(ctx, id));
}

const ACTED = ['approved', 'rejected', 'returned', 'transferred'] as const;

async function withCurrentLevels(ctx: Ctx, rows: ApprovalRow[]): Promise<ApprovalSummary[]> {
  const active = rows.length
    ? await ctx.db.selectFrom('approval_levels').select(['approval_id', 'key']).where('approval_id', 'in', rows.map((r) => r.id)).where('status', '=', 'active').orderBy('idx').execute()
    : [];
  return rows.map((r) => toSummary(r, active.filter((l) => l.approval_id === r.id).map((l) => l.key)));
}

/**
 * "My approvals": `pending`, the open ones waiting for my decision; `done`, those I decided (approved,
 * rejected, returned or passed on); `submitted`, mine. Newest first, paged by approval id (time-ordered).
 */
export async function listApprovals(ctx: Ctx, query: { box: 'pending' | 'done' | 'submitted'; cursor?: string; limit: number }) {
  const me = requireUser(ctx).userId;
  let q = ctx.db.selectFrom('approvals as a').selectAll('a');
  const myTasks = (statuses: readonly string[]) =>
    sql<boolean>`exists (select 1 from ${sql.table(`${ctx.workspace.schemas.system}.approval_tasks`)} t where t.approval_id = a.id and t.assignee_id = ${me} and t.status in (${sql.join(statuses)}))`;
  if (query.box === 'pending') q = q.where('a.status', '=', 'pending').where(myTasks(['pending']));
  else if (query.box === 'done') q = q.where(myTasks(ACTED));
  else q = q.where('a.submitter_id', '=', me);
  if (query.cursor) q = q.where('a.id', '<', decodeCursor(query.cursor, ['uuid'])[0]);
  const rows = await q.orderBy('a.id', 'desc').limit(query.limit + 1).execute();
  const page = rows.slice(0, query.limit);
  return { items: await withCurrentLevels(ctx, page), nextCursor: rows.length > query.limit ? encodeCursor([page.at(-1)!.id]) : null };
}

/** A record's approvals, newest first, for whoever may read the record. */
export async function recordApprovals(ctx: Ctx, objectName: string, recordId: string) {
  requireUser(ctx);
  const object = await publishedObject(ctx, objectName);
  if (!(await readableRecords(ctx, await accessTo(ctx, object), [recordId])).has(recordId)) throw new AppError('RECORD_NOT_FOUND', 404);
  const rows = await ctx.db.selectFrom('approvals').selectAll().where('object', '=', object.name).where('record_id', '=', recordId).orderBy('id', 'desc').limit(100).execute();
  return { items: await withCurrentLevels(ctx, rows) };
}

import { sql, type Selectable } from 'kysely';
import type { FlowRun, FlowRunDetail, FlowStep } from '../contracts/flows.ts';
import { cancelApprovalsOfRun } from '../approvals/index.ts';
import { appendAudit } from '../audit/index.ts';
import { AppError } from '../core/app-error.ts';
import { actorId, inTransaction, type Ctx } from '../core/context.ts';
import { decodeCursor, encodeCursor } from '../core/cursor.ts';
import { requireAdmin, requireUser } from '../core/guards.ts';
import { jsonb, type WorkspaceDB } from '../db/tables.ts';
import { publishedObjects } from '../meta/index.ts';
import { getRecord } from '../records/service.ts';
import { startRun, STEP_JOB } from './engine.ts';

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

function toRun(r: Selectable<WorkspaceDB['flow_runs']>): FlowRun {
  return {
    id: r.id,
    flow: r.flow,
    metaVersion: r.meta_version,
    status: r.status,
    object: r.object,
    recordId: r.record_id,
    startedBy: r.started_by,
    trigger: r.trigger,
    error: (r.error as FlowRun['error']) ?? null,
    startedAt: iso(r.started_at)!,
    updatedAt: iso(r.updated_at)!,
    finishedAt: iso(r.finished_at),
  };
}

function toStep(s: Selectable<WorkspaceDB['flow_steps']>, nodeType: string): FlowStep {
  return {
    id: s.id,
    nodeId: s.node_id,
    nodeType,
    seq: s.seq,
    status: s.status,
    attempts: s.attempts,
    output: s.output,
    error: (s.error as FlowStep['error']) ?? null,
    dueAt: iso(s.due_at),
    createdAt: iso(s.created_at)!,
    startedAt: iso(s.started_at),
    finishedAt: iso(s.finished_at),
  };
}

async function publishedFlow(ctx: Ctx, name: string) {
  const { flows, version } = await publishedObjects(ctx);
  const flow = flows.find((f) => f.name === name);
  if (!flow) throw new AppError('FLOW_NOT_FOUND', 404, { params: { flow: name.slice(0, 64) } });
  return { flow, version };
}

export async function listFlows(ctx: Ctx) {
  requireAdmin(ctx);
  const { flows, version } = await publishedObjects(ctx);
  const open = await ctx.db.selectFrom('flow_runs').select(['flow', sql<number>`count(*)::int`.as('n')]).where('status', 'in', ['running', 'waiting', 'needs_attention']).groupBy('flow').execute();
  const counts = new Map(open.map((o) => [o.flow, Number(o.n)]));
  return { items: flows.map((f) => ({ name: f.name, label: f.label, active: f.active, trigger: f.trigger, openRuns: counts.get(f.name) ?? 0 })), metaVersion: version };
}

/** `GET /api/v1/flows/{id}/runs`: newest first, paged by run id (time-ordered). */
export async function listRuns(ctx: Ctx, flow: string, query: { status?: FlowRun['status']; cursor?: string; limit: number }) {
  requireAdmin(ctx);
  let q = ctx.db.selectFrom('flow_runs').selectAll().where('flow', '=', flow);
  if (query.status) q = q.where('status', '=', query.status);
  if (query.cursor) q = q.where('id', '<', decodeCursor(query.cursor, ['uuid'])[0]);
  const rows = await q.orderBy('id', 'desc').limit(query.limit + 1).execute();
  const page = rows.slice(0, query.limit);
  return { items: page.map(toRun), nextCursor: rows.length > query.limit ? encodeCursor([page.at(-1)!.id]) : null };
}

export async function getRun(ctx: Ctx, id: string): Promise<FlowRunDetail> {
  requireAdmin(ctx);
  return runDetail(ctx, id);
}

async function runDetail(ctx: Ctx, id: string): Promise<FlowRunDetail> {
  const run = await ctx.db.selectFrom('flow_runs').selectAll().where('id', '=', id).executeTakeFirst();
  if (!run) throw new AppError('FLOW_RUN_NOT_FOUND', 404);
  const steps = await ctx.db.selectFrom('flow_steps').selectAll().where('run_id', '=', id).orderBy('seq').execute();
  const types = new Map(((run.definition as { nodes: { id: string; type: string }[] }).nodes ?? []).map((n) => [n.id, n.type]));
  return { ...toRun(run), steps: steps.map((s) => toStep(s, types.get(s.node_id) ?? 'unknown')) };
}

/**
 * A manual start: on a record of the flow's object by anyone who may read it, or on nothing by an
 * administrator. Audited.
 */
export async function startManually(ctx: Ctx, name: string, recordId: string | undefined): Promise<FlowRunDetail> {
  const user = requireUser(ctx);
  const { flow, version } = await publishedFlow(ctx, name);
  if (flow.trigger.type !== 'manual' || !flow.active) throw new AppError('FLOW_NOT_MANUAL', 409, { params: { flow: name } });
  const object = flow.trigger.object ?? null;
  if (object) {
    if (!recordId) throw new AppError('FLOW_RECORD_REQUIRED', 400, { params: { flow: name, object } });
    await getRecord(ctx, object, recordId);
  } else requireAdmin(ctx);
  const id = await inTransaction(ctx, async (tx) => {
    const started = await startRun(tx, flow, version, { trigger: { kind: 'manual', by: user.userId }, object, recordId: object ? recordId : null, startedBy: actorId(tx) });
    await appendAudit(tx, { action: 'flow.start', targetType: 'flow_run', targetId: started, details: { flow: name, recordId: recordId ?? null } });
    return started;
  });
  // Whoever started it sees the run she started, administrator or not.
  return runDetail(ctx, id);
}

/** An administrator sends a run that needs attention back to its failed step, tried afresh. */
export async function retryRun(ctx: Ctx, id: string): Promise<FlowRunDetail> {
  requireAdmin(ctx);
  await inTransaction(ctx, async (tx) => {
    const run = await tx.db.selectFrom('flow_runs').select(['status']).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!run) throw new AppError('FLOW_RUN_NOT_FOUND', 404);
    if (run.status !== 'needs_attention') throw new AppError('FLOW_RUN_NOT_FAILED', 409, { params: { status: run.status } });
    const step = await tx.db.selectFrom('flow_steps').select('id').where('run_id', '=', id).where('status', '=', 'failed').orderBy('seq', 'desc').executeTakeFirstOrThrow();
    await tx.db.updateTable('flow_steps').set({ status: 'queued', attempts: 0, due_at: null, error: null, finished_at: null }).where('id', '=', step.id).execute();
    await tx.db.updateTable('flow_runs').set({ status: 'running', error: null, updated_at: new Date() }).where('id', '=', id).execute();
    await tx.platform.jobs.send(tx, STEP_JOB, { workspaceId: tx.workspace.id, jobId: step.id });
    await appendAudit(tx, { action: 'flow.retry', targetType: 'flow_run', targetId: id, details: { step: step.id } });
  });
  return getRun(ctx, id);
}

/** Cancels an open run: its open steps are cancelled and a job that comes for one does nothing. */
export async function cancelRun(ctx: Ctx, id: string): Promise<FlowRunDetail> {
  requireAdmin(ctx);
  await inTransaction(ctx, async (tx) => {
    // First, before the run's row: an approver's action locks the approval, then the run.
    await cancelApprovalsOfRun(tx, id);
    const run = await tx.db.selectFrom('flow_runs').select(['status']).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!run) throw new AppError('FLOW_RUN_NOT_FOUND', 404);
    if (run.status === 'done' || run.status === 'cancelled') throw new AppError('FLOW_RUN_CLOSED', 409, { params: { status: run.status } });
    const now = new Date();
    await tx.db.updateTable('flow_steps').set({ status: 'cancelled', finished_at: now }).where('run_id', '=', id).where('status', 'in', ['queued', 'running', 'waiting']).execute();
    await tx.db.updateTable('flow_runs').set({ status: 'cancelled', updated_at: now, finished_at: now, error: jsonb(null) }).where('id', '=', id).execute();
    await appendAudit(tx, { action: 'flow.cancel', targetType: 'flow_run', targetId: id, details: {} });
  });
  return getRun(ctx, id);
}

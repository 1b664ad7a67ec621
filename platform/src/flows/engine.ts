import { v7 as uuidv7 } from 'uuid';
import type { FlowDefinition, FlowNode } from '../contracts/flow-definitions.ts';
import { inTransaction, systemCtx, type Ctx } from '../core/context.ts';
import { errorFields } from '../core/logger.ts';
import type { Platform } from '../core/platform.ts';
import { jsonb } from '../db/tables.ts';
import type { JobMessage, JobQueue } from '../jobs/index.ts';
import { executeNode, nextNode, type RunRow, type StepRow } from './nodes.ts';
import { StepError } from './step-error.ts';

export const STEP_JOB = 'flows.step';

export type RunStart = {
  trigger: Record<string, unknown>;
  object?: string | null;
  recordId?: string | null;
  startedBy?: string | null;
};

/** Queues a step's job in the caller's transaction: the step runs only if what led to it commits. */
async function enqueue(tx: Ctx, stepId: string, at?: Date): Promise<void> {
  await tx.platform.jobs.send(tx, STEP_JOB, { workspaceId: tx.workspace.id, jobId: stepId }, at ? { startAfter: at } : {});
}

async function addStep(tx: Ctx, runId: string, nodeId: string, seq: number): Promise<void> {
  const id = uuidv7();
  await tx.db.insertInto('flow_steps').values({ id, run_id: runId, node_id: nodeId, seq, status: 'queued', output: null, error: null, due_at: null, started_at: null, finished_at: null }).execute();
  await enqueue(tx, id);
}

/**
 * Starts a run of `flow` in the caller's transaction (the record change that triggered it, say): the
 * run keeps the definition as it is now, and its first step is queued. Answers the run's id.
 */
export async function startRun(tx: Ctx, flow: FlowDefinition, version: number, start: RunStart): Promise<string> {
  const id = uuidv7();
  await tx.db
    .insertInto('flow_runs')
    .values({
      id,
      flow: flow.name,
      meta_version: version,
      definition: jsonb(flow),
      status: 'running',
      object: start.object ?? null,
      record_id: start.recordId ?? null,
      started_by: start.startedBy ?? null,
      trigger: jsonb(start.trigger),
      error: null,
      finished_at: null,
    })
    .execute();
  const first = flow.nodes.find((n) => n.type === 'start')!;
  await addStep(tx, id, first.id, 1);
  return id;
}

/** A step done: its output kept, the run moved on to the next node, or finished. */
async function complete(tx: Ctx, run: RunRow, step: StepRow, node: FlowNode, output: unknown): Promise<void> {
  const now = new Date();
  await tx.db.updateTable('flow_steps').set({ status: 'done', output: jsonb(output ?? null), error: null, finished_at: now }).where('id', '=', step.id).execute();
  const next = nextNode(run.definition as FlowDefinition, node, output);
  if (next) {
    await addStep(tx, run.id, next, step.seq + 1);
    await tx.db.updateTable('flow_runs').set({ status: 'running', updated_at: now }).where('id', '=', run.id).execute();
  } else {
    await tx.db.updateTable('flow_runs').set({ status: 'done', updated_at: now, finished_at: now }).where('id', '=', run.id).execute();
  }
}

/** A step that must wait: the same step's job comes back at `until`. */
async function suspend(tx: Ctx, run: RunRow, step: StepRow, until: Date): Promise<void> {
  await tx.db.updateTable('flow_steps').set({ status: 'waiting', due_at: until }).where('id', '=', step.id).execute();
  await tx.db.updateTable('flow_runs').set({ status: 'waiting', updated_at: new Date() }).where('id', '=', run.id).execute();
  await enqueue(tx, step.id, until);
}

/**
 * A failed step is tried again later, waiting twice as long each time, until the flow's attempts are used;
 * then the run parks in "needs attention" with the error, for an administrator to retry or cancel.
 */
async function fail(base: Ctx, run: RunRow, step: StepRow, error: unknown): Promise<void> {
  const flow = run.definition as FlowDefinition;
  const code = error instanceof StepError ? error.code : ((error as { code?: string }).code ?? 'FLOW_STEP_FAILED');
  const message = error instanceof Error ? error.message : String(error);
  const retry = !(error instanceof StepError) || error.retry;
  await inTransaction(base, async (tx) => {
    const attempts = step.attempts + (step.node_type === 'http_call' ? 0 : 1);
    const now = new Date();
    if (retry && attempts < flow.retry.attempts) {
      const due = new Date(now.getTime() + flow.retry.backoffSeconds * 1000 * 2 ** (attempts - 1));
      await tx.db.updateTable('flow_steps').set({ status: 'queued', attempts, due_at: due, error: jsonb({ code, message }) }).where('id', '=', step.id).execute();
      await enqueue(tx, step.id, due);
      return;
    }
    await tx.db.updateTable('flow_steps').set({ status: 'failed', attempts, error: jsonb({ code, message }), finished_at: now }).where('id', '=', step.id).execute();
    await tx.db.updateTable('flow_runs').set({ status: 'needs_attention', error: jsonb({ code, message, node: step.node_id }), updated_at: now }).where('id', '=', run.id).execute();
  });
}

const depthOf = (run: RunRow) => Number((run.trigger as { depth?: number } | null)?.depth ?? 0);

class StepFailure {
  readonly run: RunRow;
  readonly step: StepRow;
  readonly error: unknown;
  constructor(run: RunRow, step: StepRow, error: unknown) {
    this.run = run;
    this.step = step;
    this.error = error;
  }
}

async function lockedStep(tx: Ctx, stepId: string): Promise<{ run: RunRow; step: StepRow; node: FlowNode } | null> {
  const step = await tx.db.selectFrom('flow_steps').selectAll().where('id', '=', stepId).forUpdate().executeTakeFirst();
  if (!step) return null;
  const run = (await tx.db.selectFrom('flow_runs').selectAll().where('id', '=', step.run_id).executeTakeFirstOrThrow()) as unknown as RunRow;
  const node = (run.definition as FlowDefinition).nodes.find((n) => n.id === step.node_id)!;
  return { run, step: { ...step, node_type: node.type } as StepRow, node };
}

/**
 * Carries out one step. Everything a step does inside the database (record writes, messages, the next
 * step and its job) commits in one transaction with the step's completion, so a process killed at any
 * point leaves either none of it or all of it, and the job's retry finds the step done. Only an outbound
 * HTTP call happens outside, before its completion: that one is at least once (it carries the step id
 * as its idempotency key).
 */
export async function runStep(platform: Platform, message: JobMessage): Promise<void> {
  const workspace = platform.workspaces.list().find((w) => w.id === message.workspaceId);
  if (!workspace) return;
  const base = systemCtx(platform, workspace);
  const outcome = await inTransaction(base, async (tx) => {
    const found = await lockedStep(tx, message.jobId);
    if (!found) return null;
    const { run, step, node } = found;
    const open = step.status === 'queued' || step.status === 'waiting' || (step.status === 'running' && node.type === 'http_call');
    if (!open) return null;
    if (run.status === 'cancelled') {
      await tx.db.updateTable('flow_steps').set({ status: 'cancelled', finished_at: new Date() }).where('id', '=', step.id).execute();
      return null;
    }
    if (step.due_at && new Date(step.due_at).getTime() > Date.now() + 1000) return null;
    if (node.type === 'http_call') {
      await tx.db.updateTable('flow_steps').set({ status: 'running', attempts: step.attempts + 1, started_at: new Date() }).where('id', '=', step.id).execute();
      return { run, step: { ...step, attempts: step.attempts + 1 }, node };
    }
    try {
      await tx.db.updateTable('flow_steps').set({ started_at: new Date(), attempts: step.attempts + 1 }).where('id', '=', step.id).execute();
      const result = await executeNode({ ...tx, flowDepth: depthOf(run) + 1 }, run, step, node);
      if (result.waitUntil) await suspend(tx, run, step, result.waitUntil);
      else await complete(tx, run, step, node, result.output);
    } catch (error) {
      // Thrown to roll the step's work back; recorded after, in a transaction of its own.
      throw new StepFailure(run, step, error);
    }
    return null;
  }).catch((error: unknown) => {
    if (error instanceof StepFailure) return error;
    throw error;
  });
  if (outcome instanceof StepFailure) return fail(base, outcome.run, outcome.step, outcome.error);
  const external = outcome;
  if (!external) return;
  try {
    const result = await executeNode(base, external.run, external.step, external.node);
    await inTransaction(base, async (tx) => {
      const still = await lockedStep(tx, external.step.id);
      if (still?.step.status === 'running') await complete(tx, external.run, external.step, external.node, result.output);
    });
  } catch (error) {
    await fail(base, external.run, external.step, error);
  }
}

export function registerFlowJobs(queue: JobQueue): void {
  queue.register(STEP_JOB, async (platform, message) => {
    await runStep(platform, message).catch((error: unknown) => {
      platform.log.error('flow step failed to run', { step: message.jobId, ...errorFields(error) });
      throw error;
    });
  }, { delayed: true, concurrency: 4 });
}

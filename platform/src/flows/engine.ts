import { sql } from 'kysely';
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

/** A run that ended (done) or parked (needs_attention), told in the transaction that moved it. */
export type RunListener = (tx: Ctx, run: { id: string; flow: string; object: string | null; recordId: string | null; status: 'done' | 'needs_attention'; error: unknown }) => Promise<void>;
const runListeners: RunListener[] = [];
/** Each listener once, however many platforms a process starts (tests start several). */
export function addRunListener(listener: RunListener): void {
  if (!runListeners.includes(listener)) runListeners.push(listener);
}
async function tell(tx: Ctx, run: RunRow, status: 'done' | 'needs_attention', error: unknown = null): Promise<void> {
  for (const listener of runListeners) await listener(tx, { id: run.id, flow: run.flow, object: run.object, recordId: run.record_id, status, error });
}

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

/**
 * How long the job of a step that is run at once (by its predecessor's worker, or by the process whose
 * transaction queued it) waits before it runs the step itself: only if that process died first (a step
 * found done does nothing).
 */
const INLINE_SAFETY_MS = 30_000;
/** A run that takes more steps than this is going round a cycle (through a loop's "done" branch, say). */
const MAX_RUN_STEPS = 10_000;
/** Steps of one run a worker takes in a row before it leaves the rest to the queue, for other runs' sake. */
const INLINE_STEPS = 20;
/** Runs a process starts at once, right after the transaction that queued their step commits; more wait for their job. */
const KICKS = 16;
let kicking = 0;

/**
 * How a new step is run: `queued`, by its job; `inline`, by the caller at once; `kicked`, by this process
 * as soon as the caller's transaction commits (a record save that starts a run, an approval that resumes
 * one), sparing the job queue's pick-up, while a kick is free.
 */
type StepStart = 'queued' | 'inline' | 'kicked';

type DoneStep = { nodeId: string; output: unknown };

/** Adds the step of `nodeId`, after `done` (a step already carried out, written in the same statement) if given. */
async function addStep(tx: Ctx, runId: string, nodeId: string, seq: number, start: StepStart = 'queued', done?: DoneStep): Promise<string> {
  const id = uuidv7();
  const now = new Date();
  const queued = { id, run_id: runId, node_id: nodeId, seq, status: 'queued' as const, output: null, error: null, due_at: null, started_at: null, finished_at: null, attempts: 0 };
  const before = done && { ...queued, id: uuidv7(), node_id: done.nodeId, seq: seq - 1, status: 'done' as const, output: jsonb(done.output ?? null), started_at: now, finished_at: now, attempts: 1 };
  await tx.db.insertInto('flow_steps').values(before ? [before, queued] : [queued]).execute();
  const kick = start === 'kicked' && tx.afterCommit !== null && kicking < KICKS;
  await enqueue(tx, id, start === 'inline' || kick ? new Date(Date.now() + INLINE_SAFETY_MS) : undefined);
  if (kick) {
    const { platform, workspace } = tx;
    tx.afterCommit!.push(() => {
      kicking++;
      void runStep(platform, { workspaceId: workspace.id, jobId: id })
        .catch((error: unknown) => platform.log.warn('a flow step run at once failed; its job will retry it', { step: id, ...errorFields(error) }))
        .finally(() => kicking--);
    });
  }
  return id;
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
  // The start node only hands the trigger on, so its step is written done with the run: the first node
  // that does something runs in the next transaction rather than the one after.
  const next = nextNode(flow, first, start.trigger);
  if (next) await addStep(tx, id, next, 2, 'kicked', { nodeId: first.id, output: start.trigger });
  else await addStep(tx, id, first.id, 1, 'kicked');
  return id;
}

/**
 * Starts one run of `flow` per entry, in the caller's transaction, like `startRun` but in three
 * statements whatever their number, each run's start step left to its job: timers that fall due together
 * (a bulk import an hour before an inactivity trigger's hour, say) start without a round trip per run.
 */
export async function startRuns(tx: Ctx, flow: FlowDefinition, version: number, starts: readonly RunStart[]): Promise<void> {
  if (starts.length === 0) return;
  const first = flow.nodes.find((n) => n.type === 'start')!;
  const rows = starts.map((s) => ({ id: uuidv7(), step: uuidv7(), object: s.object ?? null, record_id: s.recordId ?? null, started_by: s.startedBy ?? null, trigger: s.trigger }));
  const t = (name: string) => sql.table(`${tx.workspace.schemas.system}.${name}`);
  await sql`with r as (
      select * from jsonb_to_recordset(cast(cast(${JSON.stringify(rows)} as text) as jsonb)) as r(id uuid, step uuid, object text, record_id uuid, started_by uuid, trigger jsonb)
    ), runs as (
      insert into ${t('flow_runs')} (id, flow, meta_version, definition, status, object, record_id, started_by, trigger, error, finished_at)
      select id, ${flow.name}, ${version}, cast(cast(${JSON.stringify(flow)} as text) as jsonb), 'running', object, record_id, started_by, trigger, null, null from r
      returning id
    )
    insert into ${t('flow_steps')} (id, run_id, node_id, seq, status, output, error, due_at, started_at, finished_at)
    select r.step, r.id, ${first.id}, 1, 'queued', null, null, null, null, null from r join runs on runs.id = r.id`.execute(tx.db);
  await tx.platform.jobs.sendMany(tx, STEP_JOB, rows.map((r) => ({ workspaceId: tx.workspace.id, jobId: r.step })));
}

/**
 * A step done: its output kept, the run moved on to the next node, or finished. Answers the next step's
 * id when `inline` (the caller runs it at once), else null.
 */
async function complete(tx: Ctx, run: RunRow, step: StepRow, node: FlowNode, output: unknown, inline = false, start: StepStart = inline ? 'inline' : 'queued'): Promise<string | null> {
  const now = new Date();
  await tx.db.updateTable('flow_steps').set({ status: 'done', output: jsonb(output ?? null), error: null, finished_at: now }).where('id', '=', step.id).execute();
  const next = nextNode(run.definition as FlowDefinition, node, output);
  if (next) {
    if (step.seq >= MAX_RUN_STEPS) throw new StepError('FLOW_TOO_MANY_STEPS', `A run takes at most ${MAX_RUN_STEPS} steps.`, { retry: false });
    const id = await addStep(tx, run.id, next, step.seq + 1, start);
    await tx.db.updateTable('flow_runs').set({ status: 'running', updated_at: now }).where('id', '=', run.id).execute();
    return inline ? id : null;
  }
  await tx.db.updateTable('flow_runs').set({ status: 'done', updated_at: now, finished_at: now }).where('id', '=', run.id).execute();
  await tell(tx, run, 'done');
  return null;
}

/**
 * A step that must wait: the same step's job comes back at `until`; without `until` the step waits for
 * an event (an approval's outcome, say) whose handler calls `resumeStep`.
 */
async function suspend(tx: Ctx, run: RunRow, step: StepRow, until: Date | null): Promise<void> {
  await tx.db.updateTable('flow_steps').set({ status: 'waiting', due_at: until }).where('id', '=', step.id).execute();
  await tx.db.updateTable('flow_runs').set({ status: 'waiting', updated_at: new Date() }).where('id', '=', run.id).execute();
  if (until) await enqueue(tx, step.id, until);
}

/**
 * Ends a step that waits for an event with that event's `output`, in the caller's transaction (the
 * event's own), and moves its run on. Answers false when the step no longer waits (cancelled, or
 * already resumed): an event delivered twice moves the run once.
 */
export async function resumeStep(tx: Ctx, stepId: string, output: unknown): Promise<boolean> {
  const found = await lockedStep(tx, stepId);
  if (!found || found.step.status !== 'waiting' || found.run.status !== 'waiting') return false;
  await complete(tx, found.run, found.step, found.node, output, false, 'kicked');
  return true;
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
    await tell(tx, run, 'needs_attention', { code, message, node: step.node_id });
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
 *
 * The worker then runs the run's next step at once, up to INLINE_STEPS in a row: the next step's job is
 * still queued with it, but delayed, so it runs the step only if this worker died before it could.
 */
export async function runStep(platform: Platform, message: JobMessage): Promise<void> {
  const workspace = platform.workspaces.list().find((w) => w.id === message.workspaceId);
  if (!workspace) return;
  const base = systemCtx(platform, workspace);
  let next: string | null = message.jobId;
  for (let left = INLINE_STEPS; next && left > 0; left--) next = await runOneStep(base, next, left > 1);
}

async function runOneStep(base: Ctx, stepId: string, inline: boolean): Promise<string | null> {
  const outcome = await inTransaction(base, async (tx) => {
    const found = await lockedStep(tx, stepId);
    if (!found) return null;
    const { run, step, node } = found;
    // A step waiting for an event (no due time) moves only by `resumeStep`.
    const open = step.status === 'queued' || (step.status === 'waiting' && step.due_at !== null) || (step.status === 'running' && node.type === 'http_call');
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
      if (result.waitUntil || result.awaitEvent) await suspend(tx, run, step, result.waitUntil ?? null);
      else return { next: await complete(tx, run, step, node, result.output, inline) };
    } catch (error) {
      // Thrown to roll the step's work back; recorded after, in a transaction of its own.
      throw new StepFailure(run, step, error);
    }
    return null;
  }).catch((error: unknown) => {
    if (error instanceof StepFailure) return error;
    throw error;
  });
  if (outcome instanceof StepFailure) {
    await fail(base, outcome.run, outcome.step, outcome.error);
    return null;
  }
  if (!outcome) return null;
  if ('next' in outcome) return outcome.next ?? null;
  const external = outcome;
  try {
    const result = await executeNode(base, external.run, external.step, external.node);
    return await inTransaction(base, async (tx) => {
      const still = await lockedStep(tx, external.step.id);
      return still?.step.status === 'running' ? complete(tx, external.run, external.step, external.node, result.output, inline) : null;
    });
  } catch (error) {
    await fail(base, external.run, external.step, error);
    return null;
  }
}

export function registerFlowJobs(queue: JobQueue): void {
  queue.register(STEP_JOB, async (platform, message) => {
    await runStep(platform, message).catch((error: unknown) => {
      platform.log.error('flow step failed to run', { step: message.jobId, ...errorFields(error) });
      throw error;
    });
  }, { delayed: true, concurrency: 8 });
}

import type { Selectable } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { ErrorCode, Job, JobKind, ImportRowError } from '../contracts/index.ts';
import { AppError } from '../core/app-error.ts';
import { actorId, inTransaction, systemCtx, type Ctx, type Workspace } from '../core/context.ts';
import { errorFields } from '../core/logger.ts';
import type { Platform } from '../core/platform.ts';
import { jsonb, type WorkspaceDB } from '../db/tables.ts';
import { translate } from '../i18n/translate.ts';
import { getActorProfile } from '../org/index.ts';
import type { JobMessage } from './job-queue.ts';

type JobRow = Selectable<WorkspaceDB['jobs']>;
export type RunningJob = Pick<JobRow, 'id' | 'kind' | 'object' | 'params' | 'input'>;

/** How a job ended, written in the same transaction as its effects so a retry never repeats them. */
export type JobOutcome =
  | { status: 'succeeded'; result: Record<string, unknown>; rows: number; output?: string }
  | { status: 'failed'; errors: ImportRowError[]; errorCount: number; error: { code: ErrorCode; params: Record<string, string | number> } };

/** A runner does the work of one kind of job as the user who asked for it. */
export type JobRunner = (ctx: Ctx, job: RunningJob, progress: Progress) => Promise<void>;

const MAX_ATTEMPTS = 3;

const SUMMARY = ['id', 'kind', 'object', 'status', 'params', 'progress', 'rows_done', 'rows_total', 'result', 'errors', 'attempts', 'created_by', 'created_at', 'started_at', 'finished_at'] as const;

function toJob(row: Pick<JobRow, (typeof SUMMARY)[number]>, locale: Ctx['locale']): Job {
  const result = (row.result ?? null) as Record<string, unknown> | null;
  const failure = result?.error as { code: ErrorCode; params: Record<string, string | number> } | undefined;
  const errors = (row.errors ?? []) as ImportRowError[];
  return {
    id: row.id,
    kind: row.kind,
    object: row.object,
    status: row.status,
    progress: row.progress,
    rowsDone: row.rows_done,
    rowsTotal: row.rows_total,
    result: failure ? null : result,
    errors,
    errorCount: failure && typeof result?.errorCount === 'number' ? result.errorCount : errors.length,
    error: failure ? { code: failure.code, message: translate(locale, failure.code, failure.params) } : null,
    file: row.kind === 'records.export' && row.status === 'succeeded' ? `/api/v1/jobs/${row.id}/file` : null,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at).toISOString(),
    startedAt: row.started_at ? new Date(row.started_at).toISOString() : null,
    finishedAt: row.finished_at ? new Date(row.finished_at).toISOString() : null,
  };
}

/** Records the job and queues it in one transaction: no queued message without its row, and vice versa. */
export async function createJob(ctx: Ctx, job: { kind: JobKind; object: string; params: Record<string, unknown>; input?: string }): Promise<Job> {
  const id = uuidv7();
  return inTransaction(ctx, async (tx) => {
    const row = await tx.db
      .insertInto('jobs')
      .values({ id, kind: job.kind, object: job.object, params: jsonb(job.params), input: job.input ?? null, created_by: actorId(tx) })
      .returning(SUMMARY)
      .executeTakeFirstOrThrow();
    await tx.platform.jobs.send(tx, job.kind, { workspaceId: tx.workspace.id, jobId: id });
    return toJob(row, ctx.locale);
  });
}

/** A job is seen by whoever started it and by admins; for anyone else it does not exist. */
async function visibleJob<K extends keyof JobRow>(ctx: Ctx, id: string, columns: readonly K[]): Promise<Pick<JobRow, K>> {
  let query = ctx.db.selectFrom('jobs').select(columns).where('id', '=', id);
  if (ctx.actor.kind !== 'user' || !ctx.actor.isAdmin) query = query.where('created_by', '=', actorId(ctx));
  const row = await query.executeTakeFirst();
  if (!row) throw new AppError('JOB_NOT_FOUND', 404);
  return row as unknown as Pick<JobRow, K>;
}

export async function getJob(ctx: Ctx, id: string): Promise<Job> {
  return toJob(await visibleJob(ctx, id, SUMMARY), ctx.locale);
}

export async function listMyJobs(ctx: Ctx): Promise<Job[]> {
  const rows = await ctx.db.selectFrom('jobs').select(SUMMARY).where('created_by', '=', actorId(ctx)).orderBy('created_at', 'desc').limit(50).execute();
  return rows.map((row) => toJob(row, ctx.locale));
}

export async function jobFile(ctx: Ctx, id: string): Promise<{ name: string; csv: string }> {
  const row = await visibleJob(ctx, id, ['object', 'output', 'created_at']);
  if (row.output == null) throw new AppError('JOB_FILE_NOT_READY', 409);
  const stamp = new Date(row.created_at).toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
  return { name: `${row.object}-${stamp}.csv`, csv: row.output };
}

/**
 * Progress is written outside the job's transaction, at most every 250 ms and one write at a time, so
 * the caller sees it while the work is still uncommitted. On PGlite the write waits for the
 * connection; the `running` condition keeps a late write from undoing the final state.
 */
export class Progress {
  #ctx: Ctx;
  #id: string;
  #last = 0;
  #writing: Promise<void> = Promise.resolve();

  constructor(ctx: Ctx, id: string) {
    this.#ctx = ctx;
    this.#id = id;
  }

  report(percent: number, rowsDone: number, rowsTotal: number | null): void {
    const now = Date.now();
    if (now - this.#last < 250) return;
    this.#last = now;
    const values = { progress: Math.max(0, Math.min(99, Math.floor(percent))), rows_done: rowsDone, rows_total: rowsTotal };
    this.#writing = this.#writing
      .then(() => this.#ctx.db.updateTable('jobs').set(values).where('id', '=', this.#id).where('status', '=', 'running').execute())
      .then(
        () => {},
        (error: unknown) => this.#ctx.platform.log.warn('job progress not saved', errorFields(error)),
      );
  }
}

/** Ends a job. Runners call it inside the transaction that applies their effects. */
export async function finishJob(tx: Ctx, id: string, outcome: JobOutcome): Promise<void> {
  const end = { finished_at: new Date(), status: outcome.status };
  const values =
    outcome.status === 'succeeded'
      ? { ...end, progress: 100, rows_done: outcome.rows, rows_total: outcome.rows, result: jsonb(outcome.result), errors: jsonb([]), output: outcome.output ?? null }
      : { ...end, result: jsonb({ error: outcome.error, errorCount: outcome.errorCount }), errors: jsonb(outcome.errors.slice(0, 1000)) };
  await tx.db.updateTable('jobs').set(values).where('id', '=', id).execute();
}

async function actorCtx(base: Ctx, userId: string | null): Promise<Ctx> {
  const user = userId ? await getActorProfile(base, userId) : null;
  if (!user || user.status !== 'active') throw new AppError('ACCOUNT_DISABLED', 403);
  return { ...base, actor: { kind: 'user', userId: user.id, login: user.login, isAdmin: user.isAdmin }, locale: user.locale };
}

function workspaceOf(platform: Platform, id: string): Workspace {
  const workspace = platform.workspaces.list().find((w) => w.id === id);
  if (!workspace) throw new Error(`Job for unknown workspace ${id}`);
  return workspace;
}

/**
 * Runs one queued job: claims its row, runs it as the user who started it, and turns a refusal
 * (an AppError) into a failed job. Anything else is retried by the queue until the last attempt.
 */
export function jobHandler(runner: JobRunner) {
  return async (platform: Platform, message: JobMessage): Promise<void> => {
    const base = systemCtx(platform, workspaceOf(platform, message.workspaceId));
    const job = await base.db
      .updateTable('jobs')
      .set((eb) => ({ status: 'running', started_at: new Date(), attempts: eb('attempts', '+', 1) }))
      .where('id', '=', message.jobId)
      .where('status', 'in', ['queued', 'running'])
      .returning(['id', 'kind', 'object', 'params', 'input', 'attempts', 'created_by'])
      .executeTakeFirst();
    if (!job) return;
    try {
      const ctx = await actorCtx(base, job.created_by);
      await runner(ctx, job, new Progress(base, job.id));
    } catch (error) {
      const refused = error instanceof AppError;
      if (!refused && job.attempts < MAX_ATTEMPTS) throw error;
      if (!refused) platform.log.error('job failed', { job: job.id, kind: job.kind, ...errorFields(error) });
      const failure = refused ? { code: error.code, params: error.params } : { code: 'INTERNAL' as const, params: {} };
      await finishJob(base, job.id, { status: 'failed', errors: [], errorCount: 0, error: failure });
    }
  };
}

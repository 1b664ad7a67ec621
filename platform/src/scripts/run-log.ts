import { sql, type Selectable } from 'kysely';
import type { ScriptRun, ScriptRunList, ScriptRunLog, ScriptRunsQuery } from '../contracts/index.ts';
import { AppError } from '../core/app-error.ts';
import { systemCtx, type Ctx } from '../core/context.ts';
import { decodeCursor, encodeCursor } from '../core/cursor.ts';
import { requireAdmin } from '../core/guards.ts';
import { errorFields } from '../core/logger.ts';
import type { Platform } from '../core/platform.ts';
import { jsonb, type WorkspaceDB } from '../db/tables.ts';
import { runLogDays } from './settings.ts';

/** What the runner records of one run: a `ScriptRun`, its start as an ISO string or a Date. */
export type ScriptRunEntry = Omit<ScriptRun, 'startedAt'> & { startedAt: string | Date };

export const RUN_LOG_MAX_ENTRIES = 200;
export const RUN_LOG_MAX_BYTES = 64 * 1024;
const PURGE_EVERY_MS = 60 * 60 * 1000;
const PURGE_BATCH = 1000;

/** PostgreSQL stores neither NUL nor a lone surrogate, in text or in jsonb: a script's output may hold both. */
const clean = (s: string) => s.toWellFormed().replaceAll('\u0000', '\uFFFD');

/** The longest start of `message` that fits in `bytes` of UTF-8, whole characters only. */
function cut(message: string, bytes: number): string {
  let out = '';
  let used = 0;
  for (const ch of message) {
    used += Buffer.byteLength(ch, 'utf8');
    if (used > bytes) break;
    out += ch;
  }
  return out;
}

/** The first entries that fit in 200 entries and 64 KB of messages; a last entry says what was left out. */
export function capLogs(logs: readonly ScriptRunLog[]): ScriptRunLog[] {
  const kept: ScriptRunLog[] = [];
  let bytes = 0;
  for (const [i, entry] of logs.entries()) {
    const message = clean(String(entry.message));
    const size = Buffer.byteLength(message, 'utf8');
    const lastSlot = kept.length === RUN_LOG_MAX_ENTRIES - 1 && i < logs.length - 1;
    if (lastSlot || bytes + size > RUN_LOG_MAX_BYTES) {
      // An entry that crosses the byte limit keeps its start, when a slot is left for it and the note.
      const partial = !lastSlot && kept.length < RUN_LOG_MAX_ENTRIES - 1 ? cut(message, RUN_LOG_MAX_BYTES - bytes) : '';
      if (partial) kept.push({ level: entry.level, message: partial });
      const dropped = logs.length - i - (partial ? 1 : 0);
      kept.push({ level: 'warn', message: `[log truncated: ${dropped} more ${dropped === 1 ? 'entry' : 'entries'} not kept, at most ${RUN_LOG_MAX_ENTRIES} entries and ${RUN_LOG_MAX_BYTES / 1024} KB]` });
      return kept;
    }
    kept.push({ level: entry.level, message });
    bytes += size;
  }
  return kept;
}

/** When each workspace's log was last purged by this process, per platform. */
const lastPurge = new WeakMap<Platform, Map<string, number>>();

function purgeDue(ctx: Ctx): boolean {
  let map = lastPurge.get(ctx.platform);
  if (!map) lastPurge.set(ctx.platform, (map = new Map()));
  const key = ctx.workspace.schemas.system;
  const now = Date.now();
  if ((map.get(key) ?? 0) > now - PURGE_EVERY_MS) return false;
  map.set(key, now);
  return true;
}

/**
 * Records a finished run (one insert, so it joins the caller's transaction or stands alone). At most
 * once an hour per workspace it then purges what is past retention, in the background, outside any
 * transaction: a failed purge is logged and never fails the run.
 */
export async function recordRun(ctx: Ctx, entry: ScriptRunEntry): Promise<void> {
  const nullable = (s: string | null) => (s === null ? null : clean(s));
  await ctx.db
    .insertInto('script_runs')
    .values({
      id: entry.id,
      script: clean(entry.script),
      kind: clean(entry.kind),
      meta_version: entry.metaVersion,
      trigger: clean(entry.trigger),
      object: nullable(entry.object),
      record_id: entry.recordId,
      run_as: entry.runAs,
      user_id: entry.userId,
      dry_run: entry.dryRun,
      started_at: new Date(entry.startedAt),
      duration_ms: entry.durationMs,
      status: entry.status,
      error_code: entry.error ? clean(entry.error.code) : null,
      error_message: entry.error ? clean(entry.error.message) : null,
      usage: jsonb(entry.usage),
      logs: jsonb(capLogs(entry.logs)),
    })
    .execute();
  if (purgeDue(ctx)) {
    const outside = systemCtx(ctx.platform, ctx.workspace);
    void purgeExpiredRuns(outside).catch((error: unknown) => ctx.platform.log.error('script run log purge failed', { workspace: ctx.workspace.slug, ...errorFields(error) }));
  }
}

/** Deletes the runs older than the workspace keeps them, a batch at a time; answers how many went. */
export async function purgeExpiredRuns(ctx: Ctx): Promise<number> {
  const cutoff = new Date(Date.now() - (await runLogDays(ctx)) * 86_400_000);
  let deleted = 0;
  for (;;) {
    const expired = ctx.db.selectFrom('script_runs').select('id').where('started_at', '<', cutoff).limit(PURGE_BATCH);
    const result = await ctx.db.deleteFrom('script_runs').where('id', 'in', expired).executeTakeFirst();
    const n = Number(result.numDeletedRows);
    deleted += n;
    if (n < PURGE_BATCH) return deleted;
  }
}

type RunRow = Selectable<WorkspaceDB['script_runs']>;

function present(row: RunRow): ScriptRun {
  return {
    id: row.id,
    script: row.script,
    kind: row.kind,
    metaVersion: row.meta_version,
    trigger: row.trigger,
    object: row.object,
    recordId: row.record_id,
    runAs: row.run_as,
    userId: row.user_id,
    dryRun: row.dry_run,
    startedAt: new Date(row.started_at).toISOString(),
    durationMs: Number(row.duration_ms),
    status: row.status,
    error: row.error_code !== null || row.error_message !== null ? { code: row.error_code ?? 'UNKNOWN', message: row.error_message ?? '' } : null,
    usage: row.usage,
    logs: row.logs,
  };
}

/** Runs, newest first, of one script or status if asked; admins only. */
export async function listRuns(ctx: Ctx, query: Partial<ScriptRunsQuery> = {}): Promise<ScriptRunList> {
  requireAdmin(ctx);
  const limit = Math.min(Math.max(query.limit ?? 50, 1), 200);
  let q = ctx.db.selectFrom('script_runs').selectAll();
  if (query.script !== undefined) q = q.where('script', '=', query.script);
  if (query.status !== undefined) q = q.where('status', '=', query.status);
  if (query.cursor) {
    const [at, id] = decodeCursor(query.cursor, ['text', 'uuid']);
    if (Number.isNaN(Date.parse(at))) throw new AppError('INVALID_CURSOR', 400);
    q = q.where(sql<boolean>`(started_at, id) < (cast(${at} as timestamptz), cast(${id} as uuid))`);
  }
  const rows = await q.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(present),
    nextCursor: rows.length > limit && last ? encodeCursor([new Date(last.started_at).toISOString(), last.id]) : null,
  };
}

/** One run with its logs: 404 SCRIPT_RUN_NOT_FOUND when unknown or purged. */
export async function getRun(ctx: Ctx, id: string): Promise<ScriptRun> {
  requireAdmin(ctx);
  const row = await ctx.db.selectFrom('script_runs').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new AppError('SCRIPT_RUN_NOT_FOUND', 404);
  return present(row);
}

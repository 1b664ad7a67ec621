import { appendAudit } from '../audit/index.ts';
import {
  DEFAULT_SCRIPT_LIMITS,
  SCRIPT_LIMIT_CAPS,
  type ResolvedScriptLimits,
  type ScriptLimits,
  type ScriptSettings,
  type UpdateScriptSettings,
} from '../contracts/index.ts';
import { inTransaction, type Ctx } from '../core/context.ts';
import type { Platform } from '../core/platform.ts';
import { requireAdmin } from '../core/guards.ts';
import { jsonb } from '../db/tables.ts';

type Governance = { limits: ScriptLimits; httpAllowList: string[]; runLogDays: number };

/**
 * Every run reads the limits and the allow-list, so each process keeps them a few seconds per workspace.
 * A change is seen at once by the process that made it and within the TTL by the others.
 */
const TTL_MS = 5_000;
const caches = new WeakMap<Platform, Map<string, { until: number; value: Governance }>>();
/** Bumped by every change, so a read that started before one does not store its stale result. */
let generation = 0;

function cacheOf(ctx: Ctx): Map<string, { until: number; value: Governance }> {
  let cache = caches.get(ctx.platform);
  if (!cache) caches.set(ctx.platform, (cache = new Map()));
  return cache;
}

/** Only the overrides that still make sense: a row edited by hand cannot hand a run a limit past its cap. */
function overrides(stored: unknown): ScriptLimits {
  const limits: ScriptLimits = {};
  if (!stored || typeof stored !== 'object') return limits;
  for (const key of Object.keys(SCRIPT_LIMIT_CAPS) as (keyof ScriptLimits)[]) {
    const value = (stored as Record<string, unknown>)[key];
    if (Number.isInteger(value) && (value as number) >= 1 && (value as number) <= SCRIPT_LIMIT_CAPS[key]) limits[key] = value as number;
  }
  return limits;
}

async function readGovernance(ctx: Ctx): Promise<Governance> {
  const row = await ctx.db.selectFrom('script_settings').select(['limits', 'http_allow_list', 'run_log_days']).where('id', '=', 1).executeTakeFirstOrThrow();
  const allowList = Array.isArray(row.http_allow_list) ? row.http_allow_list.filter((p): p is string => typeof p === 'string') : [];
  return { limits: overrides(row.limits), httpAllowList: allowList, runLogDays: row.run_log_days };
}

async function cachedGovernance(ctx: Ctx): Promise<Governance> {
  const cache = cacheOf(ctx);
  const key = ctx.workspace.schemas.system;
  const hit = cache.get(key);
  if (hit && hit.until > Date.now()) return hit.value;
  const started = generation;
  const value = await readGovernance(ctx);
  if (started === generation) cache.set(key, { until: Date.now() + TTL_MS, value });
  return value;
}

function effective(limits: ScriptLimits): ResolvedScriptLimits {
  return { ...DEFAULT_SCRIPT_LIMITS, ...limits };
}

/** The workspace's script settings as an admin sees them: her overrides and the limits that apply. */
export async function scriptSettings(ctx: Ctx): Promise<ScriptSettings> {
  requireAdmin(ctx);
  const current = await readGovernance(ctx);
  return { ...current, effectiveLimits: effective(current.limits) };
}

/** Administrators set the limits, the allow-list and the log's retention; every change is audited with its before and after. */
export async function updateScriptSettings(ctx: Ctx, input: UpdateScriptSettings): Promise<ScriptSettings> {
  const actor = requireAdmin(ctx);
  const after: Governance = { limits: overrides(input.limits), httpAllowList: [...new Set(input.httpAllowList)], runLogDays: input.runLogDays };
  const key = ctx.workspace.schemas.system;
  const forget = () => {
    generation++;
    cacheOf(ctx).delete(key);
  };
  const saved = await inTransaction(ctx, async (tx) => {
    const before = await readGovernance(tx);
    await tx.db
      .updateTable('script_settings')
      .set({ limits: jsonb(after.limits), http_allow_list: jsonb(after.httpAllowList), run_log_days: after.runLogDays, updated_at: new Date(), updated_by: actor.userId })
      .where('id', '=', 1)
      .execute();
    await appendAudit(tx, { action: 'scripts.settings.update', targetType: 'script_settings', details: { from: before, to: after } });
    tx.afterCommit!.push(forget);
    return after;
  });
  return { ...saved, effectiveLimits: effective(saved.limits) };
}

/** The limits of a run: the defaults overlaid by the workspace's overrides. Cached for a few seconds. */
export async function resolvedScriptLimits(ctx: Ctx): Promise<ResolvedScriptLimits> {
  return effective((await cachedGovernance(ctx)).limits);
}

/** The host patterns scripts may call (see `HOST_PATTERN`), lower-case. Cached for a few seconds. */
export async function httpAllowList(ctx: Ctx): Promise<string[]> {
  return [...(await cachedGovernance(ctx)).httpAllowList];
}

/** Days the run log keeps a run. */
export async function runLogDays(ctx: Ctx): Promise<number> {
  return (await cachedGovernance(ctx)).runLogDays;
}

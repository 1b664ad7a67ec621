import { CronExpressionParser } from 'cron-parser';
import type { ScriptDefinition } from '../contracts/script-definitions.ts';
import type { Ctx } from '../core/context.ts';

export const SCHEDULE_JOB = 'scripts.schedule';

/** The first time after `after` that `cron` names, in the deployment's time zone. */
export function nextOccurrence(cron: string, timeZone: string, after = new Date()): Date {
  return CronExpressionParser.parse(cron, { currentDate: after, tz: timeZone }).next().toDate();
}

/** One delayed job per planned time; the job checks the plan before acting, so a stale or doubled job does nothing. */
export async function enqueueSchedule(tx: Ctx, script: string, at: Date): Promise<void> {
  if (tx.platform.jobs.started) await tx.platform.jobs.send(tx, SCHEDULE_JOB, { workspaceId: tx.workspace.id, jobId: script }, { startAfter: at });
}

/**
 * Brings the plan in line with the scheduled scripts of a publish, in its transaction: a new schedule or
 * a changed one is planned from now; an unchanged one keeps its time; one that is gone is dropped.
 */
export async function planSchedules(tx: Ctx, scripts: readonly ScriptDefinition[]): Promise<void> {
  const wanted = new Map(scripts.filter((s) => s.kind === 'scheduled' && s.active && !s.archived).map((s) => [s.name, s.schedule!.cron.trim()]));
  const planned = await tx.db.selectFrom('script_schedules').select(['script', 'cron']).execute();
  const gone = planned.filter((p) => wanted.get(p.script) !== p.cron).map((p) => p.script);
  if (gone.length) await tx.db.deleteFrom('script_schedules').where('script', 'in', gone).execute();
  const kept = new Set(planned.filter((p) => wanted.get(p.script) === p.cron).map((p) => p.script));
  for (const [script, cron] of wanted) {
    if (kept.has(script)) continue;
    const at = nextOccurrence(cron, tx.platform.config.timeZone);
    await tx.db.insertInto('script_schedules').values({ script, cron, next_at: at }).execute();
    await enqueueSchedule(tx, script, at);
  }
}

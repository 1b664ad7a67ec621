import { inTransaction, systemCtx, type Ctx } from '../core/context.ts';
import type { Platform } from '../core/platform.ts';
import type { JobMessage, JobQueue } from '../jobs/index.ts';
import { publishedObjects } from '../meta/index.ts';
import { runScript } from './runner.ts';
import { SCHEDULE_JOB, enqueueSchedule, nextOccurrence } from './schedule-plan.ts';

/**
 * A due schedule is claimed and re-planned in one transaction, then run: each planned time runs at most
 * once, even with several processes, and a process that dies between the two loses that one run only.
 */
export async function runDue(platform: Platform, message: JobMessage): Promise<void> {
  const workspace = platform.workspaces.list().find((w) => w.id === message.workspaceId);
  if (!workspace) return;
  const ctx = systemCtx(platform, workspace);
  const claimed = await inTransaction(ctx, async (tx) => {
    const row = await tx.db.selectFrom('script_schedules').select(['cron', 'next_at']).where('script', '=', message.jobId).forUpdate().executeTakeFirst();
    if (!row || new Date(row.next_at).getTime() > Date.now() + 1000) return false;
    const next = nextOccurrence(row.cron, platform.config.timeZone);
    await tx.db.updateTable('script_schedules').set({ next_at: next }).where('script', '=', message.jobId).execute();
    await enqueueSchedule(tx, message.jobId, next);
    return true;
  });
  if (!claimed) return;
  const { scripts, version } = await publishedObjects(ctx);
  const script = scripts.find((s) => s.name === message.jobId && s.kind === 'scheduled' && s.active);
  if (script) await runScript(ctx, { script, metaVersion: version, trigger: 'schedule' });
}

export function registerScriptJobs(queue: JobQueue): void {
  queue.register(SCHEDULE_JOB, runDue, { delayed: true });
}

/** At start, every planned time gets its job again: one queued before the seed, or lost with a crash, is not missed. */
export async function resumeSchedules(ctx: Ctx): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const planned = await tx.db.selectFrom('script_schedules').select(['script', 'next_at']).execute();
    for (const p of planned) await enqueueSchedule(tx, p.script, new Date(p.next_at));
  });
}

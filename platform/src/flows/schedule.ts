import { CronExpressionParser } from 'cron-parser';
import type { Ctx } from '../core/context.ts';

/**
 * The workspace's time zone. Workspaces have no setting of their own: the deployment's TB_TIME_ZONE is
 * the one formulas, relative date filters and CSV import already use as the workspace's, and flows
 * follow it so that "9:00" means the same everywhere. A per-workspace setting would replace this one line.
 */
export const workspaceTimeZone = (ctx: Ctx): string => ctx.platform.config.timeZone;

/** Five fields, minute first: seconds would let one flow start sixty runs a minute. */
const CRON_FIELDS = 5;

/** Why `cron` is not a schedule, or null when it is one. */
export function cronProblem(cron: string): string | null {
  const trimmed = cron.trim();
  if (trimmed.split(/\s+/).length !== CRON_FIELDS) return 'five fields: minute hour day-of-month month day-of-week';
  try {
    CronExpressionParser.parse(trimmed);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/** The first time after `after` that `cron` names in `timeZone`. */
export function nextScheduled(cron: string, timeZone: string, after: Date): Date {
  return CronExpressionParser.parse(cron.trim(), { currentDate: after, tz: timeZone }).next().toDate();
}

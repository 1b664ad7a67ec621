import { CronExpressionParser } from 'cron-parser';
import type { MetaDocument } from '../contracts/meta.ts';
import type { MetadataProblem } from './validate-document.ts';

/** Five fields, minute first: seconds would let one script run sixty times a minute. */
const CRON_FIELDS = 5;

/** Scripts' references the contract cannot see: unique names, a live object to run on, a schedule that parses. */
export function scriptProblems(doc: MetaDocument): MetadataProblem[] {
  const problems: MetadataProblem[] = [];
  const live = new Set(doc.objects.filter((o) => !o.archived).map((o) => o.name));
  const seen = new Set<string>();
  (doc.scripts ?? []).forEach((script, i) => {
    const at = `scripts.${i}`;
    if (seen.has(script.name)) problems.push({ path: `${at}.name`, code: 'DUPLICATE_NAME' });
    seen.add(script.name);
    if (script.archived) return;
    if (script.object !== undefined && !live.has(script.object)) problems.push({ path: `${at}.object`, code: 'UNKNOWN_OBJECT' });
    if (script.schedule) {
      const cron = script.schedule.cron.trim();
      let message: string | undefined;
      if (cron.split(/\s+/).length !== CRON_FIELDS) message = 'five fields: minute hour day-of-month month day-of-week';
      else {
        try {
          CronExpressionParser.parse(cron);
        } catch (error) {
          message = (error as Error).message;
        }
      }
      if (message) problems.push({ path: `${at}.schedule.cron`, code: 'INVALID_SCHEDULE', message });
    }
  });
  return problems;
}

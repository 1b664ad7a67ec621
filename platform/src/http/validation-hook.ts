import type { z } from 'zod';
import { AppError } from '../core/app-error.ts';

type Result = ({ success: true } | { success: false; error: z.ZodError }) & { target: string };

/**
 * Every route validates with this hook, so a bad request answers FAILED_VALIDATION with the paths
 * of the offending fields instead of zod's raw output.
 */
export function validationHook(result: Result): void {
  if (result.success) return;
  const target = result.target === 'json' ? 'body' : result.target;
  const issues = result.error.issues.map((i) => ({ path: [target, ...i.path.map(String)].join('.'), message: i.message, code: i.code }));
  const fields = [...new Set(issues.map((i) => i.path))].slice(0, 10).join(', ');
  throw new AppError('FAILED_VALIDATION', 400, { params: { fields }, details: { issues: issues.slice(0, 50) } });
}

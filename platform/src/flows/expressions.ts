import type { JsonValue } from '@threadbase/sandbox';
import type { Ctx } from '../core/context.ts';
import { javaScriptOf, sandboxFor } from '../scripts/index.ts';
import { StepError } from './step-error.ts';

/** What an expression sees: the flow's record as it is now (or null) and the outputs of earlier steps by node id. */
export type Scope = { record: Record<string, unknown> | null; steps: Record<string, unknown> };

/** Expressions are small: a tight budget keeps a runaway one from holding a step up. */
const LIMITS = { cpuMs: 200, wallMs: 2000, memoryBytes: 16 * 1024 * 1024, hostCalls: 1, outputBytes: 256 * 1024 };

/**
 * Evaluates a node's expressions together, in one sandbox run with no host functions: TypeScript over
 * `record` and `steps`, compiled once per distinct set (and kept by its hash like scripts' builds).
 */
export async function evaluate(ctx: Ctx, expressions: readonly string[], scope: Scope): Promise<JsonValue[]> {
  if (expressions.length === 0) return [];
  const source = `export default (input: any) => {\n  const record = input.record, steps = input.steps;\n  return [\n${expressions.map((e) => `    (${e}),`).join('\n')}\n  ];\n};\n`;
  const javascript = await javaScriptOf(ctx, 'expression', source);
  const result = await sandboxFor(ctx.platform).run(javascript, { input: scope as unknown as JsonValue, limits: LIMITS, filename: 'expression.js' });
  if (!result.ok) throw new StepError('FLOW_EXPRESSION_FAILED', `An expression failed: ${result.error.message}`);
  return result.value as JsonValue[];
}

const TEMPLATE = /\{\{([\s\S]+?)\}\}/g;

/** `Hello {{record.title}}`: the parts between double braces are expressions, the rest is kept. */
export async function fillTemplate(ctx: Ctx, template: string, scope: Scope): Promise<string> {
  return (await fillTemplates(ctx, [template], scope))[0]!;
}

/** Several templates with their expressions evaluated together, in one sandbox run. */
export async function fillTemplates(ctx: Ctx, templates: readonly string[], scope: Scope): Promise<string[]> {
  const parts = templates.flatMap((template) => [...template.matchAll(TEMPLATE)].map((m) => m[1]!.trim()));
  const values = await evaluate(ctx, parts, scope);
  let i = 0;
  return templates.map((template) =>
    template.replace(TEMPLATE, () => {
      const value = values[i++];
      return value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
    }),
  );
}

/** Field values: constants as they are, `{ "expr": "…" }` evaluated. */
export async function fillValues(ctx: Ctx, values: Record<string, unknown>, scope: Scope): Promise<Record<string, unknown>> {
  const computed = Object.entries(values).filter(([, v]) => isExpr(v));
  const results = await evaluate(ctx, computed.map(([, v]) => (v as { expr: string }).expr), scope);
  const out = { ...values };
  computed.forEach(([k], i) => (out[k] = results[i]));
  return out;
}

const isExpr = (v: unknown): v is { expr: string } => !!v && typeof v === 'object' && !Array.isArray(v) && typeof (v as { expr?: unknown }).expr === 'string' && Object.keys(v).length === 1;

import { createHash } from 'node:crypto';
import type { ScriptDefinition } from '../contracts/script-definitions.ts';
import { AppError } from '../core/app-error.ts';
import type { Ctx } from '../core/context.ts';
import { compiler } from './shared-compiler.ts';

export const sourceHash = (source: string) => createHash('sha256').update(source).digest('base64url');

/** JavaScript by source hash: a build never changes, so this process keeps the recent ones. */
const recent = new Map<string, string>();
const RECENT_MAX = 500;

function remember(hash: string, javascript: string): string {
  recent.delete(hash);
  recent.set(hash, javascript);
  if (recent.size > RECENT_MAX) recent.delete(recent.keys().next().value!);
  return javascript;
}

/**
 * Compiles the scripts whose source has no build yet and stores their JavaScript. A syntax error or a
 * broken sandbox rule refuses the whole save with every problem of the first bad script, positioned.
 * Runs before the caller's transaction: the compiler may take a while to start.
 */
export async function buildScripts(ctx: Ctx, scripts: readonly ScriptDefinition[]): Promise<Map<string, string>> {
  const live = scripts.filter((s) => !s.archived);
  const hashes = [...new Set(live.map((s) => sourceHash(s.source)))];
  const stored = hashes.length ? await ctx.db.selectFrom('script_builds').select('source_hash').where('source_hash', 'in', hashes).execute() : [];
  const have = new Set(stored.map((r) => r.source_hash));
  const built = new Map<string, string>();
  for (const script of live) {
    const hash = sourceHash(script.source);
    if (have.has(hash) || built.has(hash)) continue;
    const result = await compiler.compile(script.source, ctx.locale);
    if (!result.ok) {
      const first = result.diagnostics.find((d) => d.severity === 'error')!;
      throw new AppError('SCRIPT_INVALID', 422, {
        params: { script: script.name, line: first.line, column: first.column, message: first.message },
        details: { script: script.name, diagnostics: result.diagnostics },
      });
    }
    built.set(hash, result.javascript!);
  }
  if (built.size) {
    const rows = [...built].map(([source_hash, javascript]) => ({ source_hash, javascript }));
    await ctx.db.insertInto('script_builds').values(rows).onConflict((oc) => oc.column('source_hash').doNothing()).execute();
  }
  return built;
}

/** The JavaScript of a published script (or of a draft being test-run), compiling it if nobody has yet. */
export function scriptJavaScript(ctx: Ctx, script: ScriptDefinition): Promise<string> {
  return javaScriptOf(ctx, script.name, script.source);
}

/** The JavaScript of any TypeScript the sandbox runs (a script, a flow's expressions), by the source's hash. */
export async function javaScriptOf(ctx: Ctx, name: string, source: string): Promise<string> {
  const hash = sourceHash(source);
  const hit = recent.get(hash);
  if (hit !== undefined) return remember(hash, hit);
  const row = await ctx.db.selectFrom('script_builds').select('javascript').where('source_hash', '=', hash).executeTakeFirst();
  if (row) return remember(hash, row.javascript);
  const built = await buildScripts(ctx, [{ name, source, archived: false } as ScriptDefinition]);
  return remember(hash, built.get(hash)!);
}

import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import type { Locale } from '../contracts/common.ts';
import type { ObjectDefinition } from '../contracts/meta.ts';
import { SCRIPT_SOURCE_MAX_BYTES, type CompileScriptResult, type ScriptDiagnostic } from '../contracts/scripts.ts';
import { AppError } from '../core/app-error.ts';
import type { Ctx } from '../core/context.ts';
import { scriptMessages } from '../i18n/script-messages.ts';
import { translateWith } from '../i18n/translate.ts';
import { publishedObjects } from '../meta/index.ts';
import type { CheckedSource } from './check.ts';
import { CompilerUnavailableError } from './compiler.ts';
import { compiler } from './shared-compiler.ts';

/** A workspace's declarations for scripts at one published version; `etag` quotes `key`, a hash of the text. */
export type WorkspaceScriptTypes = { version: number; key: string; text: string; etag: string };

/**
 * Kept per published version: meta hands out one `objects` map per workspace and version (and a new one
 * after a publish), so the declarations live exactly as long as the metadata they were made from.
 */
const cache = new WeakMap<ReadonlyMap<string, ObjectDefinition>, Promise<WorkspaceScriptTypes>>();

export function scriptTypes(ctx: Ctx): Promise<WorkspaceScriptTypes> {
  return publishedObjects(ctx).then(({ objects, version }) => {
    let types = cache.get(objects);
    if (!types) {
      types = compiler.generate([...objects.values()], version).then((text) => {
        const key = createHash('sha256').update(text).digest('base64url').slice(0, 32);
        return { version, key, text, etag: `"${key}"` };
      });
      // Concurrent first requests share one generation; a failed one is not kept.
      cache.set(objects, types);
      types.catch(() => cache.delete(objects));
    }
    return types;
  });
}

export function assertScriptSize(source: string): void {
  if (Buffer.byteLength(source, 'utf8') > SCRIPT_SOURCE_MAX_BYTES) {
    throw new AppError('SCRIPT_TOO_LARGE', 413, { params: { limit: SCRIPT_SOURCE_MAX_BYTES / 1024 }, details: { limitBytes: SCRIPT_SOURCE_MAX_BYTES } });
  }
}

/**
 * Everything wrong with a script against the workspace's published metadata: syntax, sandbox rules and
 * types, in the caller's language where the message is ours. `ok` only when there is no error at all;
 * the JavaScript comes whenever the script would run. Also what flags saved scripts a publish broke.
 */
export async function checkScript(ctx: Ctx, source: string): Promise<CompileScriptResult> {
  assertScriptSize(source);
  const types = await scriptTypes(ctx);
  let checked: CheckedSource;
  try {
    checked = await compiler.check(source, { key: types.key, text: types.text }, ctx.locale);
  } catch (error) {
    if (!(error instanceof CompilerUnavailableError)) throw error;
    checked = { diagnostics: [checkFailed(ctx.locale)] };
  }
  return { ok: !checked.diagnostics.some((d) => d.severity === 'error'), ...checked, typesVersion: types.version };
}

/** A script whose check ran out of time or memory cannot be vouched for: it is an error at its start. */
function checkFailed(locale: Locale): ScriptDiagnostic {
  const message = translateWith(scriptMessages[locale].SCRIPT_CHECK_FAILED, { seconds: compiler.options.requestMs / 1000 });
  return { line: 1, column: 1, endLine: 1, endColumn: 1, message, code: 'SCRIPT_CHECK_FAILED', severity: 'error', kind: 'type' };
}

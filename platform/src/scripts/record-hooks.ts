import type { JsonValue } from '@threadbase/sandbox';
import type { ScriptDefinition } from '../contracts/script-definitions.ts';
import { AppError } from '../core/app-error.ts';
import type { Ctx } from '../core/context.ts';
import { publishedObjects } from '../meta/index.ts';
import { addSaveHooks, type AfterSave, type BeforeSave } from '../records/save-hooks.ts';
import { runScript, type ScriptOutcome } from './runner.ts';

/** Save scripts whose writes run save scripts, and so on: deeper than this is a loop, and refused. */
export const MAX_SCRIPT_DEPTH = 3;

/** The failure of a script that ran for a person's action, as the error that person sees. */
export function scriptFailed(script: ScriptDefinition, outcome: Extract<ScriptOutcome, { ok: false }>): AppError {
  return new AppError('SCRIPT_FAILED', 422, {
    params: { script: script.name, message: outcome.error.message },
    details: { script: script.name, code: outcome.error.code, runId: outcome.runId },
  });
}

async function saveScripts(tx: Ctx, kind: 'before_save' | 'after_save', object: string, mode: 'create' | 'update') {
  const { scripts, version } = await publishedObjects(tx);
  const chosen = scripts.filter((s) => s.kind === kind && s.active && s.object === object && s.events.includes(mode));
  if (chosen.length && (tx.scriptDepth ?? 0) >= MAX_SCRIPT_DEPTH) {
    throw new AppError('SCRIPT_FAILED', 422, {
      params: { script: chosen[0]!.name, message: `save scripts went ${MAX_SCRIPT_DEPTH} levels deep (a script's write ran a script that wrote…); stopped` },
      details: { script: chosen[0]!.name, code: 'SCRIPT_LIMIT_DEPTH' },
    });
  }
  // In name order: an admin orders them by naming them.
  return { scripts: chosen.sort((a, b) => (a.name < b.name ? -1 : 1)), version, ctx: { ...tx, scriptDepth: (tx.scriptDepth ?? 0) + 1 } };
}

const trigger = (mode: 'create' | 'update') => (mode === 'create' ? 'record.created' : 'record.updated');

/** A before_save script answers nothing, `{ set: { field: value } }` to change fields, or `{ reject: "why" }`. */
function beforeSaveAnswer(script: ScriptDefinition, value: JsonValue): Record<string, unknown> | null {
  if (value === null) return null;
  const answer = typeof value === 'object' && !Array.isArray(value) ? value : null;
  const keys = answer ? Object.keys(answer) : [];
  if (!answer || keys.some((k) => k !== 'set' && k !== 'reject')) {
    throw new AppError('SCRIPT_FAILED', 422, { params: { script: script.name, message: 'a before_save script returns nothing, { set: {...} } or { reject: "message" }' }, details: { script: script.name, code: 'SCRIPT_BAD_RESULT' } });
  }
  const reject = answer.reject;
  if (typeof reject === 'string' && reject.trim()) {
    throw new AppError('SCRIPT_REJECTED', 422, { params: { message: reject.slice(0, 1000) }, details: { script: script.name } });
  }
  // A refusal the platform cannot show is still a refusal: the save must not slip through.
  if (reject !== undefined && reject !== null) {
    throw new AppError('SCRIPT_FAILED', 422, { params: { script: script.name, message: '`reject` must be a message for the user (a non-empty string)' }, details: { script: script.name, code: 'SCRIPT_BAD_RESULT' } });
  }
  const set = answer.set;
  if (set === undefined || set === null) return null;
  if (typeof set !== 'object' || Array.isArray(set)) {
    throw new AppError('SCRIPT_FAILED', 422, { params: { script: script.name, message: '`set` must be an object of field values' }, details: { script: script.name, code: 'SCRIPT_BAD_RESULT' } });
  }
  return set;
}

async function beforeSave(tx: Ctx, event: BeforeSave): Promise<Record<string, unknown> | null> {
  const { scripts, version, ctx } = await saveScripts(tx, 'before_save', event.object.name, event.mode);
  if (scripts.length === 0) return null;
  let proposed = event.proposed;
  let extra: Record<string, unknown> | null = null;
  for (const script of scripts) {
    const record = { object: event.object.name, id: event.id, values: proposed };
    const outcome = await runScript(ctx, { script, metaVersion: version, trigger: trigger(event.mode), record, changed: event.changed });
    if (!outcome.ok) throw scriptFailed(script, outcome);
    const set = beforeSaveAnswer(script, outcome.value);
    if (set) {
      extra = { ...(extra ?? {}), ...set };
      proposed = { ...proposed, ...set };
    }
  }
  return extra;
}

async function afterSave(tx: Ctx, event: AfterSave): Promise<void> {
  const { scripts, version, ctx } = await saveScripts(tx, 'after_save', event.object.name, event.mode);
  for (const script of scripts) {
    const record = { object: event.object.name, id: event.id, values: event.record };
    const outcome = await runScript(ctx, { script, metaVersion: version, trigger: trigger(event.mode), record, changed: event.changed });
    if (!outcome.ok) throw scriptFailed(script, outcome);
  }
}

const hooks = { beforeSave, afterSave };

/** Records runs the workspace's save scripts from now on (called at start). */
export function registerScriptHooks(): void {
  addSaveHooks(hooks);
}

import { timingSafeEqual } from 'node:crypto';
import type { JsonValue } from '@threadbase/sandbox';
import type { ScriptDefinition, ScriptParam } from '../contracts/script-definitions.ts';
import { firstApproval } from '../contracts/flow-definitions.ts';
import { AppError } from '../core/app-error.ts';
import { inTransaction, type Ctx } from '../core/context.ts';
import { requireAdmin, requireUser } from '../core/guards.ts';
import { getDraft, publishedObjects } from '../meta/index.ts';
import { getRecord } from '../records/service.ts';
import { scriptFailed } from './record-hooks.ts';
import { runScript, type ScriptOutcome, type ScriptTrigger } from './runner.ts';

async function published(ctx: Ctx, name: string, kind?: ScriptDefinition['kind']) {
  const { scripts, version } = await publishedObjects(ctx);
  const script = scripts.find((s) => s.name === name && s.active && (!kind || s.kind === kind));
  if (!script) throw new AppError('SCRIPT_NOT_FOUND', 404, { params: { script: name.slice(0, 64) } });
  return { script, version };
}

/**
 * The buttons a user sees on an object's records: the active button scripts of that object, then its
 * active manual flows (a manual flow on an object is a button; anyone who may read a record starts it).
 */
export async function objectActions(ctx: Ctx, object: string) {
  requireUser(ctx);
  const { scripts, flows, objects } = await publishedObjects(ctx);
  if (!objects.has(object)) throw new AppError('OBJECT_NOT_FOUND', 404, { params: { object: object.slice(0, 64) } });
  const buttons = scripts
    .filter((s) => s.kind === 'button' && s.active && s.object === object)
    .map((s) => ({ name: s.name, label: s.button!.label, confirm: s.button!.confirm ?? null }));
  const flowButtons = flows.flatMap((f) =>
    f.active && f.trigger.type === 'manual' && f.trigger.object === object ? [{ name: f.name, label: f.trigger.button?.label ?? f.label, confirm: f.trigger.button?.confirm ?? null, kind: 'flow' as const, approval: firstApproval(f) !== null }] : [],
  );
  return [...buttons, ...flowButtons];
}

/**
 * A button pressed on a record the user may read. The script's answer becomes the result message: a
 * string, or `{ message }` beside any other values.
 */
export async function pressButton(ctx: Ctx, object: string, id: string, name: string) {
  requireUser(ctx);
  const { script, version } = await published(ctx, name, 'button');
  if (script.object !== object) throw new AppError('SCRIPT_NOT_FOUND', 404, { params: { script: name.slice(0, 64) } });
  const record = await getRecord(ctx, object, id);
  const outcome = await runScript(ctx, { script, metaVersion: version, trigger: 'button', record: { object, id, values: record } });
  if (!outcome.ok) throw scriptFailed(script, outcome);
  const value = outcome.value;
  const message = typeof value === 'string' ? value : value && typeof value === 'object' && !Array.isArray(value) && typeof value.message === 'string' ? value.message : null;
  return { runId: outcome.runId, message, value };
}

function paramProblems(params: readonly ScriptParam[], value: JsonValue, side: string): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [`the ${side} must be an object`];
  const problems: string[] = [];
  for (const p of params) {
    const v = value[p.name];
    if (v === undefined || v === null) {
      if (p.required) problems.push(`${p.name} is required`);
    } else if (p.type !== 'json' && typeof v !== p.type) problems.push(`${p.name} must be a ${p.type}`);
  }
  const unknown = Object.keys(value).filter((k) => !params.some((p) => p.name === k));
  if (unknown.length) problems.push(`unknown ${unknown.slice(0, 5).join(', ')}`);
  return problems;
}

/**
 * A flow step: input checked against what the script declares before it runs, output after. Flows call
 * this; a failure is the step's failure, for the flow's retry policy to handle.
 */
export async function runFlowStep(ctx: Ctx, name: string, input: JsonValue, record?: { object: string; id: string; values: Record<string, unknown> }) {
  const { script, version } = await published(ctx, name, 'flow_step');
  return flowStep(ctx, script, version, input, record);
}

async function flowStep(ctx: Ctx, script: ScriptDefinition, version: number | null, input: JsonValue, record?: { object: string; id: string; values: Record<string, unknown> }, dryRun = false): Promise<ScriptOutcome> {
  const inputProblems = paramProblems(script.flowStep!.input, input, 'input');
  if (inputProblems.length) throw new AppError('SCRIPT_INPUT_INVALID', 400, { params: { script: script.name, problems: inputProblems.join('; ') }, details: { problems: inputProblems } });
  const outcome = await runScript(ctx, { script, metaVersion: version, trigger: dryRun ? 'test' : 'flow', input, record, dryRun });
  if (!outcome.ok) return outcome;
  const outputProblems = paramProblems(script.flowStep!.output, outcome.value ?? {}, 'output');
  if (outputProblems.length === 0) return outcome;
  return { ...outcome, ok: false, error: { code: 'SCRIPT_OUTPUT_INVALID', message: `The output is not what the script declares: ${outputProblems.join('; ')}.`, details: { problems: outputProblems } } };
}

export type EndpointRequest = { method: string; path: string; query: Record<string, string>; headers: Record<string, string>; body: JsonValue };

/** `/api/v1/x/{name}`: the script answers `{ status?, body?, headers? }`, or any JSON as a 200 body. */
export async function callEndpoint(ctx: Ctx, name: string, request: EndpointRequest, presented: string | null, secretOf: (name: string) => Promise<string | null>) {
  const { scripts, version } = await publishedObjects(ctx);
  const script = scripts.find((s) => s.name === name && s.kind === 'endpoint' && s.active);
  if (!script) throw new AppError('SCRIPT_ENDPOINT_NOT_FOUND', 404, { params: { name: name.slice(0, 64) } });
  const endpoint = script.endpoint!;
  if (!endpoint.methods.includes(request.method as never)) throw new AppError('SCRIPT_METHOD_NOT_ALLOWED', 405, { params: { name, methods: endpoint.methods.join(', ') } });
  if (endpoint.auth === 'user') requireUser(ctx);
  if (endpoint.auth === 'admin') requireAdmin(ctx);
  if (endpoint.auth === 'secret') {
    const secret = await secretOf(endpoint.secret!);
    if (!secret || !presented || !sameSecret(secret, presented)) throw new AppError('SCRIPT_ENDPOINT_UNAUTHORIZED', 401, { params: { name } });
  }
  const runCtx: Ctx = endpoint.auth === 'secret' || endpoint.auth === 'public' ? { ...ctx, actor: { kind: 'system' } } : ctx;
  const outcome = await runScript(runCtx, { script, metaVersion: version, trigger: 'endpoint', input: request as unknown as JsonValue });
  if (!outcome.ok) throw scriptFailed(script, outcome);
  return endpointResponse(outcome.value);
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function endpointResponse(value: JsonValue): { status: number; body: JsonValue; headers: Record<string, string> } {
  const shaped = value && typeof value === 'object' && !Array.isArray(value) && ('status' in value || 'body' in value) ? value : null;
  if (!shaped) return { status: 200, body: value, headers: {} };
  const status = typeof shaped.status === 'number' && Number.isInteger(shaped.status) && shaped.status >= 200 && shaped.status <= 599 ? shaped.status : 200;
  const headers: Record<string, string> = {};
  if (shaped.headers && typeof shaped.headers === 'object' && !Array.isArray(shaped.headers)) {
    for (const [k, v] of Object.entries(shaped.headers)) if (typeof v === 'string' && /^x-[a-z0-9-]{1,60}$/i.test(k)) headers[k.toLowerCase()] = v;
  }
  return { status, body: shaped.body ?? null, headers };
}

class RolledBack extends Error {
  readonly outcome: ScriptOutcome;
  constructor(outcome: ScriptOutcome) {
    super('test run rolled back');
    this.outcome = outcome;
  }
}

export type TestRunRequest = { recordId?: string; input?: JsonValue; source?: string };

/**
 * An administrator's test run of a script as the draft has it (or with `source` instead), on a chosen
 * record, in a transaction that is always rolled back: the outcome lists what it would have changed.
 */
export async function testRun(ctx: Ctx, name: string, request: TestRunRequest): Promise<ScriptOutcome> {
  requireAdmin(ctx);
  const draft = await getDraft(ctx);
  const found = (draft.document.scripts ?? []).find((s) => s.name === name && !s.archived);
  if (!found) throw new AppError('SCRIPT_NOT_FOUND', 404, { params: { script: name.slice(0, 64) } });
  const script = request.source === undefined ? found : { ...found, source: request.source };
  const metaVersion = draft.hasDraft || request.source !== undefined ? null : draft.baseVersion;
  return inTransaction(ctx, async (tx): Promise<never> => {
      const record = script.object && request.recordId ? { object: script.object, id: request.recordId, values: await getRecord(tx, script.object, request.recordId) } : undefined;
      const run = { ...tx, scriptDepth: 1 };
      const trigger: ScriptTrigger = 'test';
      const outcome =
        script.kind === 'flow_step'
          ? await flowStep(run, script, metaVersion, request.input ?? {}, record, true)
          : await runScript(run, { script, metaVersion, trigger, record, input: request.input, changed: [], dryRun: true });
      throw new RolledBack(outcome);
  }).catch((error: unknown) => {
    if (error instanceof RolledBack) return error.outcome;
    throw error;
  });
}

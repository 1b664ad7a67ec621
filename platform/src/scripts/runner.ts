import { createSandbox, TimeLimitError, type JsonValue, type LogEntry, type RunResult, type RunUsage, type Sandbox } from '@threadbase/sandbox';
import { v7 as uuidv7 } from 'uuid';
import type { ScriptDefinition } from '../contracts/script-definitions.ts';
import type { ScriptRun } from '../contracts/script-settings.ts';
import { actorId, systemCtx, type Ctx } from '../core/context.ts';
import { errorFields } from '../core/logger.ts';
import type { Platform } from '../core/platform.ts';
import { ScriptBindings, type Governed, type ScriptEffects } from './bindings.ts';
import { scriptJavaScript } from './builds.ts';
import { guestPrelude, guestUser } from './guest-context.ts';
import { Redactor } from './redact.ts';
import { recordRun } from './run-log.ts';
import { httpAllowList, resolvedScriptLimits } from './settings.ts';

export type ScriptTrigger = 'record.created' | 'record.updated' | 'button' | 'schedule' | 'endpoint' | 'flow' | 'test';

export type ScriptRunRequest = {
  script: ScriptDefinition;
  /** The published version the script comes from; null for a draft's test run. */
  metaVersion: number | null;
  trigger: ScriptTrigger;
  /** The record the run is about, as the running user may see it. */
  record?: { object: string; id: string | null; values: Record<string, unknown> };
  changed?: readonly string[];
  /** The default export's argument: a flow step's input, an endpoint's request. */
  input?: JsonValue;
  /** A test run: outbound calls other than GET and HEAD are not sent (the caller rolls the rest back). */
  dryRun?: boolean;
};

export type ScriptFailure = { code: string; message: string; details: Record<string, unknown> };
export type ScriptOutcome = {
  runId: string;
  logs: LogEntry[];
  usage: RunUsage & Governed;
  effects: ScriptEffects;
} & ({ ok: true; value: JsonValue } | { ok: false; error: ScriptFailure });

let shared: Sandbox | null = null;

/**
 * How deep runs nest, each nesting level with its own modules: a save script's write runs the save
 * scripts of what it writes (3 levels of them, see record-hooks.ts), and the innermost write may still
 * evaluate a flow trigger's condition.
 */
const NESTING_LEVELS = 5;

/** One sandbox per process: its pool of WebAssembly modules is what makes a run cost a context, not a module. */
export function sandboxFor(platform: Platform): Sandbox {
  shared ??= createSandbox({
    maxModules: platform.config.scriptConcurrency,
    nestingLevels: NESTING_LEVELS,
    onFault: (fault) => platform.log.warn('script engine fault', errorFields(fault)),
  });
  return shared;
}

/**
 * Runs one script: its compiled JavaScript in a fresh sandbox context, with the run's context as the
 * global `ctx`, the platform's capabilities granted as host functions and the workspace's governor
 * limits. Never throws for what the script does: the outcome says, and the run log keeps it.
 */
export async function runScript(ctx: Ctx, request: ScriptRunRequest): Promise<ScriptOutcome> {
  const { script } = request;
  const runId = uuidv7();
  const startedAt = new Date();
  const [limits, allowHosts, javascript, user] = await Promise.all([resolvedScriptLimits(ctx), httpAllowList(ctx), scriptJavaScript(ctx, script), guestUser(ctx)]);
  const asSystem = script.runAs === 'system';
  const record = request.record?.id ? { object: request.record.object, id: request.record.id } : null;
  const bindings = new ScriptBindings({
    script: script.name,
    runId,
    recordsCtx: asSystem ? { ...ctx, actor: { kind: 'system' } } : ctx,
    asSystem,
    record,
    limits,
    allowHosts,
    dryRun: request.dryRun === true,
  });
  const guestCtx = {
    object: request.record?.object ?? null,
    record: request.record?.values ?? null,
    user,
    trigger: { kind: request.trigger, changed: request.changed ?? [] },
  };
  const began = performance.now();
  let ran: RunResult;
  try {
    ran = await sandboxFor(ctx.platform).run(guestPrelude(guestCtx) + javascript, {
      input: request.input ?? null,
      hostFunctions: bindings.functions(),
      filename: `${script.name}.js`,
      limits: { cpuMs: limits.cpuMs, wallMs: limits.wallMs, memoryBytes: limits.memoryMb * 1024 * 1024, hostCalls: limits.hostCalls, outputBytes: limits.logBytes },
    });
  } catch (error) {
    await bindings.end(0);
    throw error;
  }
  // The caller goes on to commit or roll back once it has the outcome: not while a host call still works.
  const settled = await bindings.end(limits.wallMs - (performance.now() - began));
  const result: RunResult = ran.ok && !settled ? { ok: false, error: new TimeLimitError(limits.wallMs, 'host'), logs: ran.logs, usage: ran.usage } : ran;
  const outcome = redacted(runId, result, bindings, keepsValue(request));
  const logged = logRun(ctx, request, outcome, startedAt);
  if (!ctx.afterCommit) await logged;
  return outcome;
}

/** A before_save answer and a flow step's output are data the platform goes on with, not shown to anyone. */
const keepsValue = (request: ScriptRunRequest) => !request.dryRun && (request.script.kind === 'before_save' || request.script.kind === 'flow_step');

/** The outcome, with every secret value the run read taken out of all that leaves it (see redact.ts). */
function redacted(runId: string, result: RunResult, bindings: ScriptBindings, keepValue: boolean): ScriptOutcome {
  const redact = new Redactor(bindings.secrets);
  const logs = result.logs.map((l) => ({ level: l.level, message: redact.text(l.message) }));
  const base = { runId, logs, usage: { ...result.usage, ...bindings.used }, effects: redact.json(bindings.effects) };
  if (result.ok) return { ...base, ok: true, value: keepValue ? result.value : redact.json(result.value) };
  const { code, message, details } = result.error;
  return { ...base, ok: false, error: { code, message: redact.text(message), details: redact.json(details) } };
}

/**
 * Every run is logged, the failed ones above all. A run inside a record's transaction is logged beside it
 * (the transaction may well roll back because of the run), without holding the save up; any other run
 * is logged before its caller hears the outcome.
 */
function logRun(ctx: Ctx, request: ScriptRunRequest, outcome: ScriptOutcome, startedAt: Date): Promise<void> {
  const entry: Omit<ScriptRun, 'startedAt'> & { startedAt: Date } = {
    id: outcome.runId,
    script: request.script.name,
    kind: request.script.kind,
    metaVersion: request.metaVersion,
    trigger: request.trigger,
    object: request.record?.object ?? null,
    recordId: request.record?.id ?? null,
    runAs: request.script.runAs,
    userId: actorId(ctx),
    dryRun: request.dryRun === true,
    startedAt,
    durationMs: outcome.usage.wallMs,
    status: outcome.ok ? 'ok' : 'failed',
    error: outcome.ok ? null : { code: outcome.error.code, message: outcome.error.message },
    usage: {
      cpuMs: outcome.usage.cpuMs,
      wallMs: outcome.usage.wallMs,
      memoryBytes: outcome.usage.memoryBytes,
      hostCalls: outcome.usage.hostCalls,
      recordsRead: outcome.usage.recordsRead,
      recordsWritten: outcome.usage.recordsWritten,
      httpCalls: outcome.usage.httpCalls,
      logBytes: outcome.usage.outputBytes,
    },
    logs: outcome.logs,
  };
  return recordRun(systemCtx(ctx.platform, ctx.workspace), entry).catch((error: unknown) => ctx.platform.log.error('script run log failed', { script: entry.script, ...errorFields(error) }));
}

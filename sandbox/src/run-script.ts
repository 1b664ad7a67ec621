import { Scope, type QuickJSContext, type QuickJSHandle } from 'quickjs-emscripten';
import { Bridge, type HostFunctions } from './bridge.ts';
import { attachRaw, detachRaw, EvalFlag, evalIn, executePendingJobs, getProp, hasPendingJob, isUndefined, memoryUsage, newString, promiseOutcome, typeOf } from './engine.ts';
import { classifyThrown, fromDescription, type Description } from './classify.ts';
import { logSink, type LogEntry } from './console.ts';
import { applyDeterminism, type Determinism } from './determinism.ts';
import { OutputLimitError, ScriptError, SandboxErrorCode, TimeLimitError, type SandboxError } from './errors.ts';
import { call, enter, isHelpers, openGuest, strictJson, type GuestBuild, type GuestHelpers, type Outcome } from './guest.ts';
import { pokerFor } from './interrupt-cadence.ts';
import type { Limits } from './limits.ts';
import { SCRIPT_INTRINSICS } from './intrinsics.ts';
import { readGuestJson, utf8Bytes, type JsonValue } from './marshal.ts';
import type { KeptRuntime } from './kept-runtime.ts';
import type { PooledModule } from './pool.ts';
import { RunState } from './run-state.ts';

/** A run, checked by the sandbox: the input is already JSON text and the host functions are valid. */
export type RunRequest = {
  code: string;
  filename: string;
  inputJson: string | undefined;
  functions: HostFunctions;
  names: string[];
  limits: Limits;
  determinism: Determinism;
  /** Count the heap at the end of the run even if it did not grow the module's memory. */
  measureMemory: boolean;
  /** The module's hard memory cap. */
  maxModuleBytes: number;
  /** When the run was asked for (`performance.now()`): its wall clock runs from then, waiting for a module included. */
  arrivedAt: number;
};

export type RunUsage = {
  /** Milliseconds the guest executed (host functions excluded). */
  cpuMs: number;
  /** Milliseconds from start to result. */
  wallMs: number;
  hostCalls: number;
  /** UTF-8 bytes of logs plus the serialized result. */
  outputBytes: number;
  /**
   * Bytes of guest heap: what QuickJS counts at the end of the run, or what the module's memory grew by
   * during it if that is more (a run that outgrew its free reserve). Counting walks the whole heap, so it is
   * done only when the run asked for it (`measureMemory`) or grew its module's memory; null otherwise, and
   * after an engine fault.
   */
  memoryBytes: number | null;
};

export type RunResult =
  | { ok: true; value: JsonValue; logs: LogEntry[]; usage: RunUsage }
  | { ok: false; error: SandboxError; logs: LogEntry[]; usage: RunUsage };

/** A run's result, and what the pool and the sandbox must know about it. */
export type RunReport = { result: RunResult; damaged: boolean; hostFault: Error | null; fault: unknown };

type Verdict = { value: JsonValue } | { error: SandboxError };

/**
 * One run in a fresh context of `pooled`'s module, in the module's kept runtime (or a runtime of its own on
 * a build that cannot keep one): limits, host functions, the script's module, its default export called
 * with the input, and every promise driven until it settles. Every handle is disposed before it returns,
 * whatever happened, unless the module is damaged (then nothing of it is touched again and the pool drops
 * it); the kept runtime is checked clean, or thrown away (see kept-runtime.ts).
 */
export async function runScript(pooled: PooledModule, request: RunRequest): Promise<RunReport> {
  const state = new RunState(request.limits, request.arrivedAt);
  const scope = new Scope();
  let context: QuickJSContext | undefined;
  let bridge: Bridge | undefined;
  let verdict: Verdict;
  let memoryBytes: number | null = null;
  let kept: KeptRuntime | null = null;
  try {
    kept = pooled.runtime ??= pooled.newRuntime();
    context = kept ? kept.newContext() : pooled.module.newContext({ intrinsics: SCRIPT_INTRINSICS });
    attachRaw(context, kept);
    if (kept) {
      kept.setMaxStackSize(request.limits.stackBytes);
    } else {
      // QuickJS's own limit refuses only single allocations bigger than itself (memory-guard.ts); set to the
      // module's cap, it leaves every refusal below that to the guard, which ends the run the same way each
      // time. (A kept runtime has it set since it was made.)
      context.runtime.setMemoryLimit(request.maxModuleBytes);
      context.runtime.setMaxStackSize(request.limits.stackBytes);
    }
    if (pooled.counterOffset !== null) state.poke = pokerFor(pooled.module, context, pooled.counterOffset, pooled.guard.memory);
    state.poke?.();
    if (kept) kept.interrupt = state.interrupt;
    else context.runtime.setInterruptHandler(state.interrupt);
    state.guard = pooled.guard;
    state.guard.beginRun(request.limits.memoryBytes);
    verdict = await execute(context, state, scope, request, pooled.build, (b) => (bridge = b));
  } finally {
    bridge?.close();
    if (!context) state.damaged = true;
    else if (!state.damaged) {
      try {
        if (request.measureMemory || pooled.guard.grew) memoryBytes = Math.max(heapBytes(context) ?? 0, pooled.guard.grownBytes);
        scope.dispose();
        detachRaw(context);
        context.dispose();
        // The runtime serves the next run only if this one hit no limit and left nothing behind in it.
        if (kept && (state.failure || !kept.sweep())) {
          pooled.runtime = null;
          kept.dispose();
        }
      } catch (error) {
        // A handle left alive makes QuickJS abort in JS_FreeRuntime: a bug of ours, and the module is suspect.
        state.damaged = true;
        state.fault ??= error;
      }
    }
    pooled.guard.endRun();
    // An idle runtime holds nothing of the run.
    if (kept) kept.interrupt = null;
  }
  const usage: RunUsage = {
    cpuMs: round(state.cpuMs),
    wallMs: round(state.wallMs()),
    hostCalls: state.hostCalls,
    outputBytes: state.outputBytes,
    memoryBytes,
  };
  const result: RunResult = 'error' in verdict ? { ok: false, error: verdict.error, logs: state.logs, usage } : { ok: true, value: verdict.value, logs: state.logs, usage };
  return { result, damaged: state.damaged, hostFault: state.hostFault, fault: state.fault };
}

async function execute(context: QuickJSContext, state: RunState, scope: Scope, request: RunRequest, build: GuestBuild, onBridge: (bridge: Bridge) => void): Promise<Verdict> {
  let helpers: GuestHelpers | undefined;
  const bridge = new Bridge(context, state, request.functions);
  onBridge(bridge);
  const opened = openGuest(context, state, scope, { console: () => logSink(context, state, () => helpers!), hostFunctions: bridge.implementations(request.names) }, build);
  if (opened && 'shadows' in opened) {
    state.failHost(new TypeError(opened.shadows));
    return { error: state.failure! };
  }
  if (!isHelpers(opened)) return { error: state.failure ?? openingError(context, opened, request) };
  helpers = opened;
  bridge.helpers = opened;
  const fail = (outcome: Outcome): { error: SandboxError } => ({
    error: outcome?.error ? classifyThrown(context, state, opened, outcome.error, request.filename) : state.failure!,
  });
  const determined = applyDeterminism(context, state, scope, request.determinism);
  if (!determined?.value) return fail(determined);

  const evaluated = enter(state, scope, () => evalIn(context, request.code, request.filename, EvalFlag.MODULE));
  if (!evaluated?.value) return fail(evaluated);
  const settlingNamespace = settle(evaluated.value);
  const namespace = settlingNamespace instanceof Promise ? await settlingNamespace : settlingNamespace;
  if ('error' in namespace) return namespace;
  const main = scope.manage(getProp(context, namespace.value, 'default'));
  if (typeOf(context, main) !== 'function') {
    return { error: new ScriptError('The script must `export default` a function.', { reason: 'NO_DEFAULT_EXPORT' }) };
  }

  let input = context.undefined;
  if (request.inputJson !== undefined) {
    const parsed = call(context, state, scope, helpers.parse, scope.manage(newString(context, request.inputJson)));
    if (!parsed?.value) return fail(parsed);
    input = parsed.value;
  }
  const returned = call(context, state, scope, main, input);
  if (!returned?.value) return fail(returned);
  const settling = settle(returned.value);
  const settled = settling instanceof Promise ? await settling : settling;
  if ('error' in settled) return settled;
  return result(context, state, opened, scope, settled.value, request.filename);

  /**
   * Drives `handle` until it is not a pending promise: runs the guest's jobs, waits for host calls and
   * delivers their outcomes. A pending promise with no job queued and no host call in flight can never
   * settle (there are no timers), so that ends the run at once rather than at the wall-clock limit. Answers
   * synchronously when nothing had to be waited for (a module without top-level await, a sync function).
   */
  function settle(handle: QuickJSHandle): Settled | Promise<Settled> {
    const now = advance(handle);
    return now === WAITING ? waitFor(handle) : now;
  }

  async function waitFor(handle: QuickJSHandle): Promise<Settled> {
    for (;;) {
      if (!(await bridge.waitForSettlement(state.wallRemaining()))) return { error: state.fail(new TimeLimitError(state.limits.wallMs, 'host')) };
      // The outcomes, and the guest jobs they let run, in one slice.
      const thrown = state.slice(() => {
        bridge.deliver();
        return !state.failure && hasPendingJob(context) ? executePendingJobs(context) : null;
      });
      if (thrown) return fail({ error: scope.manage(thrown) });
      const now = advance(handle);
      if (now !== WAITING) return now;
    }
  }

  /** Runs what can run without waiting; WAITING when only host calls in flight can move `handle` on. */
  function advance(handle: QuickJSHandle): Settled | typeof WAITING {
    for (;;) {
      if (state.failure) return { error: state.failure };
      if (state.wallRemaining() <= 0) return { error: state.fail(new TimeLimitError(state.limits.wallMs, 'guest')) };
      const promise = promiseOutcome(context, handle);
      if (promise.type === 'fulfilled') return { value: promise.value === handle ? handle : scope.manage(promise.value) };
      if (promise.type === 'rejected') return fail({ error: scope.manage(promise.error) });
      if (hasPendingJob(context)) {
        const thrown = state.slice(() => executePendingJobs(context));
        if (thrown === undefined) return { error: state.failure! };
        if (thrown) return fail({ error: scope.manage(thrown) });
      } else if (bridge.inflight) {
        return WAITING;
      } else {
        return { error: state.fail(new TimeLimitError(state.limits.wallMs, 'nothing')) };
      }
    }
  }
}

type Settled = { value: QuickJSHandle } | { error: SandboxError };
const WAITING = Symbol('waiting');

/** The guest's return value as JSON, counted toward the output budget before it is copied out. */
function result(context: QuickJSContext, state: RunState, helpers: GuestHelpers, scope: Scope, value: QuickJSHandle, filename: string): Verdict {
  if (isUndefined(context, value)) return { value: null };
  const limit = state.limits.outputBytes;
  // A result whose JSON is certainly too long stops being serialized as soon as that is known.
  const overLimit = () => state.fail(new OutputLimitError(limit, 'result'));
  const json = helpers.strictWithin(limit - state.outputBytes, overLimit, () => enter(state, scope, () => strictJson(context, helpers, value)));
  if (!json) return { error: state.failure! };
  if (json.error) {
    const error = classifyThrown(context, state, helpers, json.error, filename);
    if (error.code !== SandboxErrorCode.ERROR) return { error };
    return { error: new ScriptError(`The script's result is not JSON: ${error.message}`, { ...error.details, reason: 'RESULT_NOT_JSON' }) };
  }
  if (isUndefined(context, json.value)) return { value: null };
  // A UTF-8 encoding has at least as many bytes as the string has UTF-16 units: too many units is too many bytes.
  const read = readGuestJson(context, json.value, limit - state.outputBytes);
  if (!read) return { error: new ScriptError("The script's result is not JSON.", { reason: 'RESULT_NOT_JSON' }) };
  const bytes = 'text' in read ? utf8Bytes(read.text) : Infinity;
  if (!('text' in read) || state.outputBytes + bytes > limit) return { error: state.fail(new OutputLimitError(limit, 'result')) };
  state.outputBytes += bytes;
  return { value: JSON.parse(read.text) as JsonValue };
}

/** Opening the guest failed (a memory limit too small to start, say): no helpers yet, and no script ran. */
function openingError(context: QuickJSContext, outcome: Outcome, request: RunRequest): SandboxError {
  const dumped: unknown = outcome?.error ? context.dump(outcome.error) : null;
  const d = (dumped && typeof dumped === 'object' ? dumped : {}) as Partial<Description>;
  return fromDescription({ isError: true, name: String(d.name), message: String(d.message ?? 'The sandbox could not start.') }, request.limits, request.filename);
}

function heapBytes(context: QuickJSContext): number | null {
  try {
    // quickjs-emscripten's own call makes the report in a context it adds to the runtime for good, which
    // would keep a kept runtime from ever being back to what it held: through raw access it is made here.
    using usage = memoryUsage(context);
    // `malloc_size` is wrong in this build (see memory-guard.ts); this is the sum of what the heap holds.
    using size = context.getProp(usage, 'memory_used_size');
    const bytes = context.getNumber(size);
    return Number.isFinite(bytes) ? bytes : null;
  } catch {
    return null;
  }
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

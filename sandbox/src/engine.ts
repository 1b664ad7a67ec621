import type { QuickJSContext, QuickJSHandle } from 'quickjs-emscripten';
import { Raw, Tag, type CallResult, type NameStore } from './raw.ts';

/**
 * The engine operations a run makes, each through raw access (raw.ts) when the run's context has it and
 * through quickjs-emscripten's public API otherwise. Handles answered are the caller's to dispose.
 */

const raws = new WeakMap<QuickJSContext, Raw>();

let rawAllowed = true;

/** For tests: runs made while this is false use quickjs-emscripten's public API only (the fallback path). */
export function allowRawAccess(allowed: boolean): void {
  rawAllowed = allowed;
}

/**
 * Gives `context` raw access for the run, when this version of quickjs-emscripten allows it. Names go to
 * `keptNames` when the context's runtime is kept across runs.
 */
export function attachRaw(context: QuickJSContext, keptNames: NameStore | null = null): Raw | null {
  const raw = rawAllowed ? Raw.for(context, keptNames) : null;
  if (raw) raws.set(context, raw);
  return raw;
}

/** Ends raw access to `context` and frees what it kept: before the context is disposed. */
export function detachRaw(context: QuickJSContext): void {
  raws.get(context)?.dispose();
  raws.delete(context);
}

export function rawOf(context: QuickJSContext): Raw | undefined {
  return raws.get(context);
}

const pointer = (handle: QuickJSHandle) => handle.value as unknown as number;

/** `context.callFunction`. */
export function guestCall(context: QuickJSContext, fn: QuickJSHandle, self: QuickJSHandle, ...args: QuickJSHandle[]): CallResult {
  const raw = raws.get(context);
  if (raw) {
    const result = raw.call(pointer(fn), pointer(self), args.map(pointer));
    return result.error !== undefined ? { error: raw.handle(result.error) } : { value: raw.handle(result.value) };
  }
  const result = context.callFunction(fn, self, ...args);
  return result.error ? { error: result.error } : { value: result.value };
}

/** quickjs.h JS_EVAL_* flags the sandbox uses. */
export const EvalFlag = { GLOBAL: 0, MODULE: 1, STRICT: 8 } as const;

/** `context.evalCode` with QuickJS's own flags. */
export function evalIn(context: QuickJSContext, code: string, filename: string, flags: number): CallResult {
  const raw = raws.get(context);
  if (raw) {
    const result = raw.eval(code, filename, flags);
    return result.error !== undefined ? { error: raw.handle(result.error) } : { value: raw.handle(result.value) };
  }
  const result = context.evalCode(code, filename, flags);
  return result.error ? { error: result.error } : { value: result.value };
}

export function hasPendingJob(context: QuickJSContext): boolean {
  const raw = raws.get(context);
  return raw ? raw.hasPendingJob() : context.runtime.hasPendingJob();
}

/** Runs the pending promise jobs: null when they all ran, or what the first failing one threw. */
export function executePendingJobs(context: QuickJSContext): QuickJSHandle | null {
  const raw = raws.get(context);
  if (raw) {
    const error = raw.executePendingJobs();
    return error === null ? null : raw.handle(error);
  }
  const jobs = context.runtime.executePendingJobs();
  if (jobs.error) return jobs.error;
  jobs.dispose();
  return null;
}

/**
 * Where `handle` stands as a promise. A value that is not a promise counts as fulfilled with itself (then
 * `value` is `handle`, not a new handle); a settled promise's value or reason is a new handle.
 */
export type PromiseOutcome = { type: 'pending' } | { type: 'fulfilled'; value: QuickJSHandle } | { type: 'rejected'; error: QuickJSHandle };

export function promiseOutcome(context: QuickJSContext, handle: QuickJSHandle): PromiseOutcome {
  const raw = raws.get(context);
  if (raw) {
    const state = raw.promiseState(pointer(handle));
    if (state < 0) return { type: 'fulfilled', value: handle };
    if (state === 0) return { type: 'pending' };
    const result = raw.handle(raw.promiseResult(pointer(handle)));
    return state === 1 ? { type: 'fulfilled', value: result } : { type: 'rejected', error: result };
  }
  const state = context.getPromiseState(handle);
  if (state.type === 'pending') return { type: 'pending' };
  if (state.type === 'fulfilled') return { type: 'fulfilled', value: state.value };
  return { type: 'rejected', error: state.error };
}

export function isUndefined(context: QuickJSContext, handle: QuickJSHandle): boolean {
  const raw = raws.get(context);
  return raw ? raw.tag(pointer(handle)) === Tag.UNDEFINED : context.typeof(handle) === 'undefined';
}

export function isString(context: QuickJSContext, handle: QuickJSHandle): boolean {
  const raw = raws.get(context);
  if (!raw) return context.typeof(handle) === 'string';
  const tag = raw.tag(pointer(handle));
  return tag === Tag.STRING || tag === Tag.STRING_ROPE;
}

/** `context.getString`. */
export function readString(context: QuickJSContext, handle: QuickJSHandle): string {
  const raw = raws.get(context);
  return raw ? raw.string(pointer(handle)) : context.getString(handle);
}

/** `context.newString`. */
export function newString(context: QuickJSContext, text: string): QuickJSHandle {
  const raw = raws.get(context);
  return raw ? raw.handle(raw.newString(text)) : context.newString(text);
}

/** `context.getProp` with a string key. */
export function getProp(context: QuickJSContext, self: QuickJSHandle, key: string): QuickJSHandle {
  const raw = raws.get(context);
  return raw ? raw.handle(raw.get(pointer(self), key)) : context.getProp(self, key);
}

/** `context.typeof`. */
export function typeOf(context: QuickJSContext, handle: QuickJSHandle): string {
  const raw = raws.get(context);
  return raw ? raw.typeOf(pointer(handle)) : context.typeof(handle);
}

/** QuickJS's report of the runtime's memory (`runtime.computeMemoryUsage()`), an object made in `context`. */
export function memoryUsage(context: QuickJSContext): QuickJSHandle {
  const raw = raws.get(context);
  return raw ? raw.handle(raw.memoryUsage()) : context.runtime.computeMemoryUsage();
}

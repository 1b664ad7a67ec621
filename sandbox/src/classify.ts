import type { QuickJSContext, QuickJSHandle } from 'quickjs-emscripten';
import { show } from './console.ts';
import { MemoryLimitError, ScriptError, ScriptSyntaxError, StackLimitError, type SandboxError } from './errors.ts';
import { stringProp, type GuestHelpers } from './guest.ts';
import type { Limits } from './limits.ts';
import type { RunState } from './run-state.ts';

/** What the host could read of a thrown value. */
export type Description = {
  /** It looks like an Error: it has a string `message`, and a string `stack` or `name`. */
  isError?: boolean;
  name?: string;
  message: string;
  stack?: string;
  code?: string;
  function?: string;
  fileName?: string;
  lineNumber?: number;
};

const MESSAGE_CHARS = 4096;
const STACK_CHARS = 8192;

/**
 * Names the failure behind a value the guest threw. A limit the host already saw broken wins (an interrupt
 * surfaces in the guest as a bare `InternalError: interrupted`); otherwise the engine's own errors for
 * memory and stack map to their limits, a parse error of the script itself to SCRIPT_SYNTAX, and anything
 * else to SCRIPT_ERROR with the guest's message and stack. Reading the value may run guest getters: call it
 * inside a slice (the caller's `state.slice`).
 */
export function classifyThrown(context: QuickJSContext, state: RunState, helpers: GuestHelpers, thrown: QuickJSHandle, filename: string): SandboxError {
  if (state.failure) return state.failure;
  const description = state.slice(() => describe(context, helpers, thrown));
  if (state.failure) return state.failure;
  return fromDescription(description ?? { message: 'The script threw a value that cannot be described.' }, state.limits, filename);
}

export function describe(context: QuickJSContext, helpers: GuestHelpers, value: QuickJSHandle): Description {
  if (context.typeof(value) !== 'object' || context.sameValue(value, context.null)) return { message: show(context, helpers, value, MESSAGE_CHARS) };
  const text = (key: string, max = 200) => stringProp(context, helpers, value, key, max);
  const message = text('message', MESSAGE_CHARS);
  const stack = text('stack', STACK_CHARS);
  const name = text('name');
  if (message === undefined || (stack === undefined && name === undefined)) return { message: show(context, helpers, value, MESSAGE_CHARS) };
  const d: Description = { isError: true, name: name ?? 'Error', message, stack: stack ?? '' };
  const code = text('code');
  if (code !== undefined) d.code = code;
  const fn = text('function');
  if (fn !== undefined) d.function = fn;
  const fileName = text('fileName', 1000);
  using line = context.getProp(value, 'lineNumber');
  if (fileName !== undefined && context.typeof(line) === 'number') {
    d.fileName = fileName;
    d.lineNumber = context.getNumber(line);
  }
  return d;
}

export function fromDescription(d: Description, limits: Limits, filename: string): SandboxError {
  if (d.isError && d.name === 'InternalError') {
    // "string too long": past the engine's 2^30 characters, which rope strings reach without the memory.
    if (d.message === 'out of memory' || d.message === 'string too long') return new MemoryLimitError(limits.memoryBytes, { engineMessage: d.message });
  }
  // JSON.parse reports its stack overflow as a SyntaxError.
  if (d.isError && (d.name === 'InternalError' || d.name === 'SyntaxError') && d.message === 'stack overflow') return new StackLimitError(limits.stackBytes);
  // Parse errors carry `fileName` and `lineNumber`; a SyntaxError thrown at run time (JSON.parse) does not.
  if (d.isError && d.name === 'SyntaxError' && d.fileName === filename && d.lineNumber !== undefined) {
    const at = /:(\d+):(\d+)\)?\s*$/.exec(d.stack?.split('\n')[0] ?? '');
    return new ScriptSyntaxError(d.message, d.lineNumber, at ? Number(at[2]) : 0);
  }
  const details: Record<string, unknown> = d.isError ? { name: d.name, stack: d.stack ?? '' } : { nonError: true };
  if (d.code !== undefined) details.code = d.code;
  if (d.function !== undefined) details.function = d.function;
  return new ScriptError(d.message, details);
}

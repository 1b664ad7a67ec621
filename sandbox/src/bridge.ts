import { Scope, type QuickJSContext, type QuickJSHandle } from 'quickjs-emscripten';
import { HostCallLimitError, HostFunctionError, HostLimitError, SandboxErrorCode } from './errors.ts';
import { apiPromise, guestArgumentsJson, parseArguments, plainArguments, rawPromise, type GuestPromise } from './crossing.ts';
import { strictJson, type GuestHelpers } from './guest.ts';
import { stringifyStrict, type JsonValue } from './marshal.ts';
import type { RunState } from './run-state.ts';
import { guestCall, isUndefined, rawOf } from './engine.ts';
import type { HostFunctionEnds } from './ops.ts';
import { Tag, type Raw } from './raw.ts';

/** What a host function learns about its call besides the arguments. */
export type HostCall = {
  /** The dotted name the guest called. */
  name: string;
  /** Aborted when the run ends (finished, failed or timed out); a host function still working may stop. */
  signal: AbortSignal;
};

/**
 * A capability granted to one run. It receives the guest's arguments as JSON values and may answer a value
 * or a promise; the guest always receives a promise. Its answer must be JSON (or undefined); a function or
 * a BigInt in it is a bug of the host and makes `run` throw. Throwing (or rejecting) is normal: the guest
 * sees an Error named `HostError` with the same `message` and `code` (the thrown value's string `code`,
 * else SCRIPT_HOST_ERROR; throw a `HostFunctionError` to say it outright). The message reaches the
 * script's author, so write it for them. Throwing a `HostLimitError` ends the whole run with that error
 * instead: for limits the host keeps on its capabilities, which a script must not be able to catch.
 */
export type HostFunction = (args: JsonValue[], call: HostCall) => unknown;

/** Dotted names become frozen namespaces in the guest: `{ 'records.get': fn }` is `records.get(...)`. */
export type HostFunctions = Readonly<Record<string, HostFunction>>;

const NAME = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/;
const RESERVED_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor']);
const HOST_CODE = /^[A-Za-z][\w.-]{0,99}$/;

/**
 * Name lists already found valid, by their names joined with newlines (which no valid name has: a list that
 * joins the same and has as many names is the same list). A host grants the same few sets run after run.
 */
const validNames = new Set<string>();
const VALID_NAMES_KEPT = 1024;

/** Throws a TypeError for a map the guest could not be given; answers the names. */
export function checkHostFunctions(functions: HostFunctions): string[] {
  const names = Object.keys(functions);
  const key = `${names.length}\n${names.join('\n')}`;
  if (validNames.has(key)) {
    for (const name of names) if (typeof functions[name] !== 'function') throw new TypeError(`host function ${name} is not a function`);
    return names;
  }
  const set = new Set(names);
  for (const name of names) {
    const segments = name.split('.');
    if (!NAME.test(name) || segments.some((s) => RESERVED_SEGMENTS.has(s))) throw new TypeError(`host function name ${JSON.stringify(name)} is not a dotted identifier`);
    if (typeof functions[name] !== 'function') throw new TypeError(`host function ${name} is not a function`);
    for (let i = 1; i < segments.length; i++) {
      const prefix = segments.slice(0, i).join('.');
      if (set.has(prefix)) throw new TypeError(`host function ${prefix} cannot also be the namespace of ${name}`);
    }
  }
  if (validNames.size < VALID_NAMES_KEPT) validNames.add(key);
  return names;
}

type Settled = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: unknown };

/** What a host function threw, as the guest will see it: its message, and its string `code` if it has one. */
export function hostFunctionError(name: string, error: unknown): HostFunctionError {
  if (error instanceof HostFunctionError) return error;
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : `Host function ${name} failed.`;
  const code = (error as { code?: unknown } | null)?.code;
  return new HostFunctionError(name, message, typeof code === 'string' && HOST_CODE.test(code) ? code : SandboxErrorCode.HOST_ERROR);
}

/**
 * Host functions ↔ guest promises. A guest call counts toward the host-call cap, turns its arguments into
 * JSON, and gets back a guest promise (a promise capability). The host function itself runs later, from
 * a microtask, never nested inside the engine: the guest's CPU clock is stopped while it works. Its outcome
 * waits in `#settled` until the run's driver calls `deliver()` (inside a slice) to settle the guest promise.
 */
export class Bridge {
  #context: QuickJSContext;
  #raw: Raw | undefined;
  #state: RunState;
  #helpers: GuestHelpers | null = null;
  #functions: HostFunctions;
  #pending = new Map<number, { name: string; promise: GuestPromise }>();
  #settled: Settled[] = [];
  #wake: ((settled: boolean) => void) | null = null;
  #deadline: ReturnType<typeof setTimeout> | undefined;
  #timedOut = false;
  #controller: AbortController | null = null;
  #nextId = 1;
  #closed = false;

  constructor(context: QuickJSContext, state: RunState, functions: HostFunctions) {
    this.#context = context;
    this.#state = state;
    this.#functions = functions;
  }

  /** The guest's helpers: the guest functions cannot be called before the guest was opened. */
  set helpers(helpers: GuestHelpers) {
    this.#helpers = helpers;
  }

  /** The host side of each granted name, for `openGuest` to install. */
  implementations(names: string[]): Map<string, HostFunctionEnds> {
    return new Map(
      names.map((name) => [
        name,
        {
          api: (...args: QuickJSHandle[]) => this.#call(name, args),
          raw: (argc: number, argv: number) => this.#rawCall(name, argc, argv),
        },
      ]),
    );
  }

  /** Host calls made and not yet delivered back to the guest. */
  get inflight(): number {
    return this.#pending.size;
  }

  /**
   * Resolves true once some host call has settled, false when `ms` pass first. One timer serves the whole
   * run (the wall-clock deadline does not move), so waiting costs no timer per host call.
   */
  waitForSettlement(ms: number): Promise<boolean> {
    if (this.#settled.length) return Promise.resolve(true);
    if (ms <= 0 || this.#timedOut) return Promise.resolve(false);
    this.#deadline ??= setTimeout(() => {
      this.#timedOut = true;
      this.#wake?.(false);
    }, ms);
    return new Promise((resolve) => {
      this.#wake = (settled) => {
        this.#wake = null;
        resolve(settled);
      };
    });
  }

  /** Settles the guest promises of the host calls that finished. Enters the guest: call it in a slice. */
  deliver(): void {
    const settledCalls = this.#settled;
    this.#settled = [];
    for (const settled of settledCalls) {
      const pending = this.#pending.get(settled.id);
      if (!pending) continue;
      this.#pending.delete(settled.id);
      try {
        if (this.#state.failure) continue;
        if (!settled.ok) {
          using scope = new Scope();
          pending.promise.reject(this.#guestError(pending.name, settled.error, scope));
          continue;
        }
        let json: string | undefined;
        try {
          json = stringifyStrict(settled.value, `the result of host function ${pending.name}`);
        } catch (error) {
          this.#state.failHost(error instanceof Error ? error : new TypeError(String(error)));
          continue;
        }
        pending.promise.resolveJson(json);
      } catch (error) {
        // Raw access could not allocate: the memory guard refused, and the run's slice reports that.
        if (!isOutOfMemory(error)) throw error;
      } finally {
        pending.promise.dispose();
      }
    }
  }

  /** Ends the bridge: aborts host functions still working and drops the guest promises they would settle. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#deadline);
    // Aborting builds a DOMException: only worth it when a host function may still be listening.
    if (this.#pending.size) this.#controller?.abort();
    for (const { promise } of this.#pending.values()) promise.dispose();
    this.#pending.clear();
    this.#settled = [];
  }

  /** Whether the guest may call a host function now; counts the call. Throws (in the guest) if not. */
  #admit(name: string): GuestHelpers {
    const state = this.#state;
    if (this.#closed || state.failure || !this.#helpers) throw new Error('The run is ending.');
    if (++state.hostCalls > state.limits.hostCalls) {
      state.fail(new HostCallLimitError(state.limits.hostCalls, name));
      throw new Error('Host call limit reached.');
    }
    return this.#helpers;
  }

  #call(name: string, argHandles: QuickJSHandle[]) {
    const context = this.#context;
    const helpers = this.#admit(name);
    // Arguments that are not JSON are a mistake at the call site: a TypeError thrown there. Trailing
    // undefined arguments are optional parameters left out, not values.
    let count = argHandles.length;
    while (count > 0 && isUndefined(context, argHandles[count - 1]!)) count--;
    const array = guestCall(context, helpers.arrayOf, helpers.array, ...argHandles.slice(0, count));
    if (array.error) return { error: array.error };
    const json = array.value.consume((value) => helpers.strictWithin(null, noBudget, () => strictJson(context, helpers, value)));
    if (json.error) return { error: json.error };
    const args = parseArguments(json.value.consume(context.getString));
    const promise = apiPromise(context, helpers);
    this.#start(name, args, promise);
    return promise.handle;
  }

  /** `#call` on raw pointers (see raw.ts), with a shortcut for plain arguments (see `plainArguments`). */
  #rawCall(name: string, argc: number, argv: number): number {
    const raw = (this.#raw ??= rawOf(this.#context)!);
    const helpers = this.#admit(name);
    let count = argc;
    while (count > 0 && raw.tag(raw.arg(argv, count - 1)) === Tag.UNDEFINED) count--;
    let args = plainArguments(raw, helpers, argv, count);
    if (!args) {
      const json = helpers.strictWithin(null, noBudget, () => guestArgumentsJson(raw, helpers, argv, count));
      if (json.error !== undefined) return raw.throw(json.error);
      try {
        args = parseArguments(raw.string(json.value));
      } finally {
        raw.free(json.value);
      }
    }
    const promise = rawPromise(raw, helpers);
    this.#start(name, args, promise);
    return promise.pointer;
  }

  /** Runs the host function once the guest's slice is over; its outcome waits in `#settled`. */
  #start(name: string, args: JsonValue[], promise: GuestPromise): void {
    const id = this.#nextId++;
    this.#pending.set(id, { name, promise });
    const fn = this.#functions[name]!;
    const call = new HostCallInfo(name, this);
    const ok = (value: unknown) => this.#settle({ id, ok: true, value });
    const failed = (error: unknown) => this.#settle({ id, ok: false, error });
    // A microtask runs only after the slice has returned: the host function never runs inside the engine.
    queueMicrotask(() => {
      try {
        Promise.resolve(fn(args, call)).then(ok, failed);
      } catch (error) {
        failed(error);
      }
    });
  }

  /** The run's abort signal, made on first use: most host functions never look at it. */
  get signal(): AbortSignal {
    const controller = (this.#controller ??= new AbortController());
    if (this.#closed) controller.abort();
    return controller.signal;
  }

  #settle(settled: Settled): void {
    if (this.#closed) return;
    if (!settled.ok && settled.error instanceof HostLimitError) this.#state.fail(settled.error);
    this.#settled.push(settled);
    this.#wake?.(true);
  }

  #guestError(name: string, error: unknown, scope: Scope): QuickJSHandle {
    const { message, hostCode } = hostFunctionError(name, error);
    const context = this.#context;
    // Defined, not assigned: a setter the guest put on Error.prototype must not swallow them.
    const guestError = scope.manage(context.newError());
    const own = (key: string, text: string, enumerable: boolean) => context.defineProp(guestError, key, { value: scope.manage(context.newString(text)), enumerable, configurable: true });
    own('name', 'HostError', false);
    own('message', message, false);
    own('code', hostCode, true);
    own('function', name, true);
    // Where it happened, in QuickJS's own stack format; the host's stack stays with the host.
    own('stack', `    at ${name} (host)\n`, false);
    return guestError;
  }
}

/** What a host function learns about its call: one object per call, its signal the run's. */
class HostCallInfo implements HostCall {
  readonly name: string;
  readonly #bridge: Bridge;
  constructor(name: string, bridge: Bridge) {
    this.name = name;
    this.#bridge = bridge;
  }
  get signal(): AbortSignal {
    return this.#bridge.signal;
  }
}

const noBudget = () => {};

function isOutOfMemory(error: unknown): boolean {
  return error instanceof RangeError && error.message === 'sandbox: out of memory';
}

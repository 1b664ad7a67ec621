import { Scope, type QuickJSContext, type QuickJSHandle, type VmFunctionImplementation } from 'quickjs-emscripten';
import { HostCallLimitError, HostFunctionError, HostLimitError, SandboxErrorCode } from './errors.ts';
import { call, strictJson, type GuestHelpers, type Outcome } from './guest.ts';
import { stringifyStrict, type JsonValue } from './marshal.ts';
import type { RunState } from './run-state.ts';
import { guestCall, rawOf } from './raw.ts';

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

/** Throws a TypeError for a map the guest could not be given; answers the names. */
export function checkHostFunctions(functions: HostFunctions): string[] {
  const names = Object.keys(functions);
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
  implementations(names: string[]): Map<string, VmFunctionImplementation<QuickJSHandle>> {
    return new Map(names.map((name) => [name, (...args: QuickJSHandle[]) => this.#call(name, args)]));
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
    for (const settled of this.#settled.splice(0)) {
      const pending = this.#pending.get(settled.id);
      if (!pending) continue;
      this.#pending.delete(settled.id);
      if (this.#state.failure) {
        pending.promise.dispose();
        continue;
      }
      using scope = new Scope();
      const outcome = settled.ok ? this.#guestValue(pending.name, settled.value, scope) : this.#guestError(pending.name, settled.error, scope);
      // Settling enters the guest, which may be out of memory or interrupted; the state has the verdict then.
      if (outcome) pending.promise.settle(outcome);
      pending.promise.dispose();
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

  #call(name: string, argHandles: QuickJSHandle[]) {
    const context = this.#context;
    const state = this.#state;
    if (this.#closed || state.failure || !this.#helpers) throw new Error('The run is ending.');
    if (++state.hostCalls > state.limits.hostCalls) {
      state.fail(new HostCallLimitError(state.limits.hostCalls, name));
      throw new Error('Host call limit reached.');
    }
    // Arguments that are not JSON are a mistake at the call site: a TypeError thrown there. Trailing
    // undefined arguments are optional parameters left out, not values.
    const helpers = this.#helpers;
    let count = argHandles.length;
    while (count > 0 && context.typeof(argHandles[count - 1]!) === 'undefined') count--;
    const kept = argHandles.slice(0, count);
    const array = guestCall(context, helpers.arrayOf, helpers.array, ...kept);
    if (array.error) return { error: array.error };
    const json = array.value.consume((value) => strictJson(context, helpers, value));
    if (json.error) return { error: json.error };
    const args: unknown = JSON.parse(json.value.consume(context.getString));
    // Only a guest that replaced Array.prototype.toJSON gets here; it hurt nobody but itself.
    if (!Array.isArray(args)) throw new TypeError('Host function arguments must be JSON values.');
    const promise = guestPromise(context);
    const id = this.#nextId++;
    this.#pending.set(id, { name, promise });
    const fn = this.#functions[name]!;
    const bridge = this;
    // Made on first use: most host functions never look at it.
    const hostCall: HostCall = {
      name,
      get signal() {
        const controller = (bridge.#controller ??= new AbortController());
        if (bridge.#closed) controller.abort();
        return controller.signal;
      },
    };
    Promise.resolve()
      .then(() => fn(args as JsonValue[], hostCall))
      .then(
        (value) => this.#settle({ id, ok: true, value }),
        (error: unknown) => this.#settle({ id, ok: false, error }),
      );
    return promise.handle;
  }

  #settle(settled: Settled): void {
    if (this.#closed) return;
    if (!settled.ok && settled.error instanceof HostLimitError) this.#state.fail(settled.error);
    this.#settled.push(settled);
    this.#wake?.(true);
  }

  #guestValue(name: string, value: unknown, scope: Scope): Outcome {
    let text: string | undefined;
    try {
      text = stringifyStrict(value, `the result of host function ${name}`);
    } catch (error) {
      this.#state.failHost(error instanceof Error ? error : new TypeError(String(error)));
      return null;
    }
    if (text === undefined) return { value: this.#context.undefined };
    return call(this.#context, this.#state, scope, this.#helpers!.parse, scope.manage(this.#context.newString(text)));
  }

  #guestError(name: string, error: unknown, scope: Scope): Outcome {
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
    return { error: guestError };
  }
}

/** A guest promise and the means to settle it once. `handle` is handed to the guest (and spent by it). */
type GuestPromise = { handle: QuickJSHandle; settle(outcome: NonNullable<Outcome>): void; dispose(): void };

function guestPromise(context: QuickJSContext): GuestPromise {
  const raw = rawOf(context);
  if (!raw) {
    const deferred = context.newPromise();
    return {
      handle: deferred.handle,
      settle(outcome) {
        try {
          if (outcome.value) deferred.resolve(outcome.value);
          else deferred.reject(outcome.error);
        } catch {
          // The guest refused (out of memory, interrupted): the run's state has the verdict.
        }
      },
      dispose: () => deferred.dispose(),
    };
  }
  const { promise, resolve, reject } = raw.promise();
  let alive = true;
  return {
    handle: raw.handle(promise),
    settle(outcome) {
      const result = raw.call(outcome.value ? resolve : reject, raw.undefined, [(outcome.value ?? outcome.error).value as unknown as number]);
      raw.free(result.value ?? result.error);
    },
    dispose() {
      if (!alive) return;
      alive = false;
      raw.free(resolve);
      raw.free(reject);
    },
  };
}


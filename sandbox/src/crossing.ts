import type { QuickJSContext, QuickJSHandle } from 'quickjs-emscripten';
import { guestCall, newString } from './engine.ts';
import type { GuestHelpers } from './guest.ts';
import type { JsonValue } from './marshal.ts';
import { Tag, type Raw } from './raw.ts';

/**
 * How values cross at a host call: the guest's arguments out as JSON values, the host's answer back in as
 * the settling of a guest promise. Everything here enters the guest: call it inside the run's slice.
 */

const pointerOf = (handle: QuickJSHandle) => handle.value as unknown as number;

/** The guest's JSON of its arguments, read by the host. */
export function parseArguments(json: string): JsonValue[] {
  const args: unknown = JSON.parse(json);
  // Only a guest that replaced Array.prototype.toJSON gets here; it hurt nobody but itself.
  if (!Array.isArray(args)) throw new TypeError('Host function arguments must be JSON values.');
  return args as JsonValue[];
}

/**
 * The arguments `argv[0..count)` as the guest's JSON would give them, read straight from the engine when
 * each is a string, a number, a boolean or null; null when any is something else (then the guest
 * serializes them). A string that does not read back intact (a lone surrogate reads as U+FFFD) goes the
 * guest's way too. JSON looks up `toJSON` on the array that holds the arguments, never on primitives: the
 * shortcut is taken only while that array's prototype chain has none.
 */
export function plainArguments(raw: Raw, helpers: GuestHelpers, argv: number, count: number): JsonValue[] | null {
  const args: JsonValue[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const arg = raw.arg(argv, i);
    switch (raw.tag(arg)) {
      case Tag.INT:
      case Tag.FLOAT64: {
        const n = raw.number(arg);
        // As JSON has them: no -0, and NaN and the infinities are null.
        args[i] = Number.isFinite(n) ? n + 0 : null;
        break;
      }
      case Tag.BOOL:
        args[i] = raw.number(arg) !== 0;
        break;
      case Tag.NULL:
        args[i] = null;
        break;
      case Tag.STRING:
      case Tag.STRING_ROPE: {
        const text = raw.string(arg);
        if (text.includes('\uFFFD')) return null;
        args[i] = text;
        break;
      }
      default:
        return null;
    }
  }
  if (count === 0) return args;
  // A getter or a proxy that throws here throws again on the guest's way, where the guest sees it.
  const toJSON = raw.tryGet(pointerOf(helpers.arrayPrototype), 'toJSON');
  const none = toJSON.value !== undefined && raw.tag(toJSON.value) === Tag.UNDEFINED;
  raw.free(toJSON.value ?? toJSON.error);
  return none ? args : null;
}

/** The guest's own JSON of `argv[0..count)`: `JSON.stringify(Array.of(...args), strict)`, owned, or what it threw. */
export function guestArgumentsJson(raw: Raw, helpers: GuestHelpers, argv: number, count: number): { value: number; error?: undefined } | { error: number; value?: undefined } {
  const pointers = Array.from({ length: count }, (_, i) => raw.arg(argv, i));
  const array = raw.call(pointerOf(helpers.arrayOf), pointerOf(helpers.array), pointers);
  if (array.error !== undefined) return array;
  const json = raw.call(pointerOf(helpers.stringify), raw.undefined, [array.value, pointerOf(helpers.strict)]);
  raw.free(array.value);
  return json;
}

/**
 * A guest promise a host call answered, and the means to settle it once. A rejection or a failed parse
 * that the guest refuses (out of memory, interrupted) settles nothing: the run's state has the verdict.
 */
export interface GuestPromise {
  /** Resolves with the guest's (captured) `JSON.parse` of `json`, or with undefined; rejects with what parsing threw. */
  resolveJson(json: string | undefined): void;
  reject(error: QuickJSHandle): void;
  dispose(): void;
}

/** Through the public API; `handle` is handed to the guest (and spent by it). */
export function apiPromise(context: QuickJSContext, helpers: GuestHelpers): GuestPromise & { handle: QuickJSHandle } {
  const deferred = context.newPromise();
  const settle = (settle: () => void) => {
    try {
      settle();
    } catch {
      // The guest refused (out of memory, interrupted): the run's state has the verdict.
    }
  };
  return {
    handle: deferred.handle,
    resolveJson(json) {
      if (json === undefined) return settle(() => deferred.resolve(context.undefined));
      using text = newString(context, json);
      const parsed = guestCall(context, helpers.parse, context.undefined, text);
      using value = parsed.value ?? parsed.error;
      settle(() => (parsed.error ? deferred.reject(value) : deferred.resolve(value)));
    },
    reject: (error) => settle(() => deferred.reject(error)),
    dispose: () => deferred.dispose(),
  };
}

/** On raw pointers; `pointer` is owned by whoever gets it (the guest, when a raw function answers it). */
export function rawPromise(raw: Raw, helpers: GuestHelpers): GuestPromise & { pointer: number } {
  return new RawGuestPromise(raw, helpers);
}

class RawGuestPromise implements GuestPromise {
  readonly pointer: number;
  readonly #raw: Raw;
  readonly #parse: number;
  #resolve: number;
  #reject: number;

  constructor(raw: Raw, helpers: GuestHelpers) {
    const { promise, resolve, reject } = raw.promise();
    this.pointer = promise;
    this.#raw = raw;
    this.#parse = pointerOf(helpers.parse);
    this.#resolve = resolve;
    this.#reject = reject;
  }

  resolveJson(json: string | undefined): void {
    const raw = this.#raw;
    if (json === undefined) return this.#settle(this.#resolve, raw.undefined);
    const text = raw.newString(json);
    const parsed = raw.call(this.#parse, raw.undefined, [text]);
    raw.free(text);
    const value = parsed.value ?? parsed.error;
    this.#settle(parsed.error === undefined ? this.#resolve : this.#reject, value);
    raw.free(value);
  }

  reject(error: QuickJSHandle): void {
    this.#settle(this.#reject, pointerOf(error));
  }

  dispose(): void {
    if (!this.#resolve) return;
    this.#raw.free(this.#resolve);
    this.#raw.free(this.#reject);
    this.#resolve = this.#reject = 0;
  }

  #settle(fn: number, value: number): void {
    const result = this.#raw.call(fn, this.#raw.undefined, [value]);
    this.#raw.free(result.value ?? result.error);
  }
}

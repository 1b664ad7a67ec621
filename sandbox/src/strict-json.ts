import type { QuickJSContext, QuickJSHandle } from 'quickjs-emscripten';
import { guestCall, newString, rawOf } from './engine.ts';
import type { HostFunctionEnds } from './ops.ts';
import { Tag, type Raw } from './raw.ts';

/**
 * The guest's `strict` replacer for `JSON.stringify`: it refuses what JSON would silently change, functions,
 * symbols, BigInts and `undefined` inside arrays (an `undefined` property is left out, as JSON does), by
 * throwing the guest's own TypeError; marshal.ts has the host's twin. Everything that crosses to the host
 * (host-call arguments, the result) is serialized with it.
 *
 * It is a native function of the guest, so each value serialized crosses to the host, rather than guest
 * code: QuickJS compiles afresh in every context, and compiling even this one-line function cost more than
 * the crossings of a typical payload; on a payload of 20,000 rows the crossings make serializing about a
 * quarter slower (measured).
 *
 * `typeError` and `isArray` are the guest's TypeError and Array.isArray, taken before the script ran.
 */
export function strictReplacer(context: QuickJSContext, typeError: QuickJSHandle, isArray: QuickJSHandle): StrictReplacer {
  let budget = Infinity;
  let onPast = () => {};
  /** Counts `bytes` toward an armed budget; true when the JSON is now known to be too long. */
  const past = (bytes: number) => {
    if (budget === Infinity || (budget -= bytes) >= 0) return false;
    budget = Infinity;
    onPast();
    return true;
  };
  let raw: Raw | undefined;
  const ends: HostFunctionEnds = {
    raw(argc, argv, self) {
      raw ??= rawOf(context)!;
      const value = argc > 1 ? raw.arg(argv, 1) : raw.undefined;
      const tag = raw.tag(value);
      if (budget !== Infinity && past(leastBytes(tag))) throw new Error('Output limit reached.');
      let refused: string | null = null;
      switch (tag) {
        case Tag.SYMBOL:
          refused = 'a symbol';
          break;
        case Tag.BIG_INT:
        case Tag.SHORT_BIG_INT:
          refused = 'a bigint';
          break;
        case Tag.OBJECT:
          if (raw.isFunction(value)) refused = 'a function';
          break;
        case Tag.UNDEFINED: {
          // Array.isArray(this): inside an array, undefined would become null. It may throw (a revoked proxy).
          const inArray = raw.call(pointerOf(isArray), raw.undefined, [self]);
          if (inArray.error !== undefined) return raw.throw(inArray.error);
          if (raw.tag(inArray.value) === Tag.BOOL && raw.number(inArray.value) !== 0) refused = 'undefined';
          raw.free(inArray.value);
          break;
        }
      }
      if (refused === null) return raw.dup(value);
      const message = raw.newString(notJson(refused, argc > 0 ? raw.string(raw.arg(argv, 0)) : ''));
      const made = raw.call(pointerOf(typeError), raw.undefined, [message]);
      raw.free(message);
      return raw.throw(made.value ?? made.error);
    },
    api(this: QuickJSHandle, key?: QuickJSHandle, value?: QuickJSHandle) {
      const type = value ? context.typeof(value) : 'undefined';
      if (past(type === 'string' ? 2 : type === 'number' ? 1 : type === 'boolean' ? 4 : type === 'undefined' ? 0 : value && context.sameValue(value, context.null) ? 4 : 2)) {
        throw new Error('Output limit reached.');
      }
      let refused: string | null = type === 'function' || type === 'symbol' || type === 'bigint' ? `a ${type}` : null;
      if (type === 'undefined') {
        const inArray = guestCall(context, isArray, context.undefined, this);
        if (inArray.error) return { error: inArray.error };
        if (inArray.value.consume((result) => context.dump(result) === true)) refused = 'undefined';
      }
      if (refused === null) return value?.dup() ?? context.undefined;
      using message = newString(context, notJson(refused, key ? context.getString(key) : ''));
      const made = guestCall(context, typeError, context.undefined, message);
      return { error: made.error ?? made.value };
    },
  };
  return {
    ends,
    within(bytes, exceeded, fn) {
      const outer = { budget, onPast };
      budget = bytes ?? Infinity;
      onPast = exceeded;
      try {
        return fn();
      } finally {
        ({ budget, onPast } = outer);
      }
    },
  };
}

/**
 * The replacer, and `within`, which runs `fn` with a byte budget for what the replacer serializes meanwhile:
 * each value it sees counts the fewest bytes its JSON can take (below), so a JSON certainly longer than
 * `bytes` stops as soon as that is known (`exceeded` is called and the serialization throws). With `bytes`
 * null there is no budget: what a host call serializes while the result is (a getter of the result calling
 * a host function) is not output.
 */
export type StrictReplacer = {
  ends: HostFunctionEnds;
  within<T>(bytes: number | null, exceeded: () => void, fn: () => T): T;
};

/** The fewest bytes a value with `tag` takes in JSON: "" 2, a digit 1, true or null 4, {} or [] 2, undefined (left out) 0. */
function leastBytes(tag: number): number {
  switch (tag) {
    case Tag.UNDEFINED:
      return 0;
    case Tag.INT:
    case Tag.FLOAT64:
      return 1;
    case Tag.BOOL:
    case Tag.NULL:
      return 4;
    default:
      return 2;
  }
}

function notJson(what: string, key: string): string {
  return `${what} is not a JSON value${key === '' ? '' : ` (at key "${key}")`}`;
}

const pointerOf = (handle: QuickJSHandle) => handle.value as unknown as number;

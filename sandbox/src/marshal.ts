import type { QuickJSContext, QuickJSHandle } from 'quickjs-emscripten';
import { getProp, isString, readString } from './engine.ts';

/** The only values that cross between host and guest. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * Host values enter the guest as JSON text that the guest's own (captured) `JSON.parse` reads, and guest
 * values leave as JSON text that the host parses: no object is ever shared, so nothing the guest does to
 * its prototypes or to `JSON` reaches the host, and nothing of the host (a function, a getter) reaches it.
 */

/**
 * `JSON.stringify` that refuses what JSON would silently change: functions, symbols and `undefined` inside
 * arrays (an `undefined` property is left out, as JSON does); BigInt and cycles throw in `JSON.stringify`
 * already. The guest's `strict` replacer (strict-json.ts) applies the same rule to its side.
 */
export function stringifyStrict(value: unknown, what: string): string | undefined {
  if (value === undefined) return undefined;
  return JSON.stringify(value, function (this: unknown, key: string, v: unknown) {
    const type = typeof v;
    if (type === 'function' || type === 'symbol' || (type === 'undefined' && Array.isArray(this))) {
      throw new TypeError(`${what} is not JSON: ${type === 'undefined' ? 'undefined' : `a ${type}`}${key === '' ? '' : ` at key "${key}"`}`);
    }
    return v;
  });
}

/**
 * Reads a JSON string the guest produced. `maxChars` is checked before the string is copied out of the
 * guest, so a huge string costs nothing on the host; the answer then says how long it was.
 */
export function readGuestJson(context: QuickJSContext, handle: QuickJSHandle, maxChars: number): { text: string } | { tooLong: number } | null {
  if (!isString(context, handle)) return null;
  const length = guestStringLength(context, handle);
  if (length > maxChars) return { tooLong: length };
  return { text: readString(context, handle) };
}

export function guestStringLength(context: QuickJSContext, handle: QuickJSHandle): number {
  // `getLength` answers undefined for strings; the `length` of a string primitive is not overridable.
  using length = getProp(context, handle, 'length');
  return context.getNumber(length);
}

/** UTF-8 bytes of `text`, which is what the output budget counts. */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

import { describe, expect, test } from 'vitest';
import { stringifyStrict } from './marshal.ts';

describe('host values cross as strict JSON', () => {
  test('JSON values pass as JSON.stringify writes them; undefined is "no value"', () => {
    expect(stringifyStrict({ a: [1, 'two', null, true], b: { c: 1.5 } }, 'x')).toBe('{"a":[1,"two",null,true],"b":{"c":1.5}}');
    expect(stringifyStrict(undefined, 'x')).toBeUndefined();
    expect(stringifyStrict({ gone: undefined, kept: 1 }, 'x')).toBe('{"kept":1}');
  });

  test('what JSON would silently change or drop is refused', () => {
    expect(() => stringifyStrict({ f: () => 1 }, 'the thing')).toThrow('the thing is not JSON: a function at key "f"');
    expect(() => stringifyStrict([1, undefined], 'x')).toThrow('x is not JSON: undefined at key "1"');
    expect(() => stringifyStrict({ s: Symbol('s') }, 'x')).toThrow(TypeError);
    expect(() => stringifyStrict({ n: 1n }, 'x')).toThrow(TypeError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => stringifyStrict(cyclic, 'x')).toThrow(TypeError);
  });
});

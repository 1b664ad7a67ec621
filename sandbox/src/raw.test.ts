import { afterAll, describe, expect, test } from 'vitest';
import { createSandbox, type HostFunctions, type RunResult } from './index.ts';
import { allowRawAccess } from './engine.ts';

/**
 * raw.ts reaches past quickjs-emscripten's public API for speed, and falls back to that API when its
 * internals are not what it expects. Both paths must give the same answers, leak nothing and fault nothing.
 */
const hostFunctions: HostFunctions = {
  'records.get': async ([id]) => ({ id, name: `record ${String(id)}` }),
  'util.echo': ([value]) => value,
  'util.count': (args) => args.length,
  'util.all': (args) => args,
  'util.fail': async () => {
    throw Object.assign(new Error('nope'), { code: 'NOT_FOUND' });
  },
};
const many: HostFunctions = Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`ns${i % 7}.fn${i}`, () => i]));

const scripts: [string, string, HostFunctions?][] = [
  ['host calls', 'export default async (n) => { const r = await records.get(n); return [r, await util.echo({ a: [1, "two", null] }), (await util.echo()) ?? null] }'],
  ['console', 'console.info("top"); export default () => { console.log("a", { b: 1 }, new TypeError("t")); return [console === console, Object.isFrozen(console), Object.isFrozen(console.log), typeof Object.getOwnPropertyDescriptor(globalThis, "console").get] }'],
  ['locked bindings', 'export default () => { const out = []; for (const f of [() => { records.get = 1 }, () => { globalThis.records = 1 }, () => Object.defineProperty(globalThis, "console", { value: 1 }), () => { console.log = 1 }, () => { delete globalThis.util }]) { try { f(); out.push("changed") } catch (e) { out.push(e.name) } } return out }'],
  ['no code generation', 'export default () => [() => Function("1"), () => (async () => {}).constructor("1"), () => (function* () {}).constructor("1"), () => (async function* () {}).constructor("1"), () => new Function("1"), () => eval("1")].map((f) => { try { f(); return "ran" } catch (e) { return e.name } }).concat([typeof eval, (() => {}) instanceof Function])'],
  ['not JSON', 'export default () => [() => util.echo(() => 1), () => util.echo([undefined]), () => util.echo(1n), () => util.echo(Symbol())].map((f) => { try { f(); return "called" } catch (e) { return e.message } })'],
  ['host error', 'export default async () => { try { await util.fail() } catch (e) { return [e.name, e.message, e.code, e.function] } }'],
  ['plain arguments', String.raw`export default () => Promise.all([util.all(-0, NaN, -Infinity, 1.5, 2 ** 53, true, false, null, 'é😀', '\ud800x', '\uFFFD', '', undefined), util.all(), (() => { try { util.all(undefined, 1) } catch (e) { return e.message } })()])`],
  ['70 arguments', 'export default () => util.count(...Array.from({ length: 70 }, (_, i) => i))'],
  ['80 host functions', 'export default async () => (await Promise.all([ns0.fn0(), ns6.fn76(), ns2.fn79()])).concat(Object.keys(ns3).length)', many],
  ['result not JSON', 'export default () => ({ f() {} })'],
];

function comparable(result: RunResult) {
  return { ok: result.ok, value: result.ok ? result.value : result.error.toJSON(), logs: result.logs, hostCalls: result.usage.hostCalls };
}

describe('raw access', () => {
  afterAll(() => allowRawAccess(true));

  test('and the public API give the same results, with no fault', async () => {
    const faults: unknown[] = [];
    const results: Record<string, unknown>[] = [];
    for (const allowed of [true, false]) {
      allowRawAccess(allowed);
      using sandbox = createSandbox({ maxModules: 1, onFault: (fault) => faults.push(fault) });
      const out: Record<string, unknown> = {};
      for (const [name, code, functions] of scripts) out[name] = comparable(await sandbox.run(code, { input: 3, hostFunctions: functions ?? hostFunctions }));
      results.push(out);
      expect(sandbox.stats().damaged).toBe(0);
    }
    expect(results[0]).toEqual(results[1]);
    expect(faults).toEqual([]);
    expect(results[0]).toMatchObject({
      'host calls': { ok: true, value: [{ id: 3, name: 'record 3' }, { a: [1, 'two', null] }, null] },
      console: { ok: true, value: [true, true, true, 'function'], logs: [{ level: 'info', message: 'top' }, { level: 'log', message: expect.stringMatching(/^a \{"b":1\} TypeError: t\n/) }] },
      'locked bindings': { value: ['TypeError', 'TypeError', 'TypeError', 'TypeError', 'TypeError'] },
      'no code generation': { value: ['EvalError', 'EvalError', 'EvalError', 'EvalError', 'EvalError', 'ReferenceError', 'undefined', true] },
      'not JSON': { value: ['a function is not a JSON value (at key "0")', 'undefined is not a JSON value (at key "0")', 'a bigint is not a JSON value (at key "0")', 'a symbol is not a JSON value (at key "0")'] },
      'host error': { value: ['HostError', 'nope', 'NOT_FOUND', 'util.fail'] },
      'plain arguments': { value: [[0, null, null, 1.5, 2 ** 53, true, false, null, 'é😀', '\ud800x', '\uFFFD', ''], [], 'undefined is not a JSON value (at key "0")'] },
      '70 arguments': { value: 70 },
      '80 host functions': { value: [0, 76, 79, 11] },
      'result not JSON': { ok: false },
    });
  });
});

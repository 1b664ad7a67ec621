import fs from 'node:fs';
import { newQuickJSWASMModuleFromVariant, RELEASE_SYNC } from 'quickjs-emscripten';
import { describe, expect, test } from 'vitest';
import { createSandbox, type HostFunctions } from './index.ts';

/**
 * QuickJS aborts in JS_FreeRuntime when an object is still referenced, which is what a handle left alive
 * does. The sandbox reports such an abort through `onFault` (and drops the module); these runs, which fail
 * every way there is, must report none. (The release build keeps that assertion; the debug build cannot
 * be used here: its LeakSanitizer exits the process image when memory runs out, which the memory limit does
 * on purpose.)
 */
describe('handles', () => {
  test('a leaked handle makes QuickJS abort when the runtime is freed (the check these tests rely on)', async () => {
    const module = await newQuickJSWASMModuleFromVariant(RELEASE_SYNC);
    const context = module.newContext();
    context.newObject();
    expect(() => context.dispose()).toThrow(/Assertion failed: list_empty\(&rt->gc_obj_list\)/);
  });

  test('are all disposed after runs that succeed or fail in every way', { timeout: 120_000 }, async () => {
    const faults: unknown[] = [];
    using sandbox = createSandbox({ maxModules: 1, onFault: (fault) => faults.push(fault) });
    const hostFunctions: HostFunctions = {
      'records.get': async ([id]) => ({ id }),
      'records.fail': async () => {
        throw Object.assign(new Error('nope'), { code: 'NOT_FOUND' });
      },
      'records.hang': () => new Promise(() => {}),
      'records.bad': () => 1n,
    };
    const limits = { cpuMs: 300, wallMs: 2_000, memoryBytes: 8 * 1024 * 1024, hostCalls: 20, outputBytes: 4096 };
    const runs: [string, string][] = [
      ['ok', 'export default async (n) => { console.log("x", { n }); return [await records.get(n), await Promise.all([records.get(1), records.get(2)])] }'],
      ['host rejection caught', 'export default async () => { try { await records.fail() } catch (e) { return e.code } }'],
      ['SCRIPT_ERROR', 'export default async () => records.fail()'],
      ['SCRIPT_ERROR', 'export default () => { throw new Error("boom") }'],
      ['SCRIPT_ERROR', 'export default () => ({ f() {} })'],
      ['SCRIPT_SYNTAX', 'export default () => {'],
      ['SCRIPT_LIMIT_CPU', 'export default async () => { await records.get(1); for (;;) {} }'],
      ['SCRIPT_LIMIT_MEMORY', 'export default () => { const k = []; for (let i = 0; ; i++) k.push("x".repeat(1 << 20) + i) }'],
      ['SCRIPT_LIMIT_STACK', 'const f = () => f(); export default () => f()'],
      ['SCRIPT_LIMIT_HOST_CALLS', 'export default () => Promise.all(Array.from({ length: 50 }, () => records.get(1)))'],
      ['SCRIPT_LIMIT_OUTPUT', 'export default () => { for (;;) console.log("spam") }'],
      ['SCRIPT_LIMIT_TIME', 'export default async () => { records.get(1); records.hang(); await records.hang() }'],
      ['SCRIPT_LIMIT_TIME', 'export default () => new Promise(() => {})'],
      ['throws', 'export default () => records.bad()'],
    ];
    for (const [expected, code] of runs) {
      const run = sandbox.run(code, { input: 1, hostFunctions, limits });
      if (expected === 'throws') {
        await expect(run, code).rejects.toThrow(TypeError);
        continue;
      }
      const result = await run;
      expect(result.ok ? (expected.startsWith('SCRIPT_') ? 'ok' : expected) : result.error.code, code).toBe(expected);
    }
    expect(faults).toEqual([]);
    expect(sandbox.stats().damaged).toBe(0);
    // Every hostile fixture too, except those known to make QuickJS itself leak (their header says
    // `// fault:`). A recursion that overflows Node's stack drops its module without freeing it: that is
    // not a leak, and the only other fault allowed.
    const dir = new URL('./fixtures/hostile/', import.meta.url);
    const clean = (file: string) => file.endsWith('.js') && !/^\/\/ fault:/m.test(fs.readFileSync(new URL(file, dir), 'utf8'));
    for (const file of fs.readdirSync(dir).filter(clean)) {
      await sandbox.run(fs.readFileSync(new URL(file, dir), 'utf8'), { input: 1, hostFunctions, limits: { ...limits, wallMs: 300 } }).catch(() => {});
      expect(faults.splice(0).map(String).filter((fault) => !fault.startsWith('RangeError: Maximum call stack size exceeded')), file).toEqual([]);
    }
  });
});

import { RELEASE_SYNC, type QuickJSContext } from 'quickjs-emscripten';
import { describe, expect, test } from 'vitest';
import { createSandbox, type HostFunctions, type RunResult } from './index.ts';
import { attachRaw, detachRaw } from './engine.ts';
import { KeptRuntime } from './kept-runtime.ts';
import { ModulePool } from './pool.ts';

function valueOf(result: RunResult): unknown {
  if (!result.ok) throw new Error(`the run failed: ${JSON.stringify(result.error)}`);
  return result.value;
}

/** A kept runtime on a module of its own, as the pool makes them. */
async function keptRuntime(): Promise<KeptRuntime> {
  const pool = new ModulePool({ variant: RELEASE_SYNC, maxModules: 1, levels: 1, maxRunsPerModule: 1_000, maxModuleBytes: 128 * 1024 * 1024, retireModuleBytes: Infinity });
  const pooled = (await pool.acquire())!;
  return pooled.newRuntime()!;
}

function evaluate(context: QuickJSContext, code: string): void {
  context.unwrapResult(context.evalCode(code)).dispose();
}

describe('a kept runtime', () => {
  test('is what the pool gives this build', async () => {
    using sandbox = createSandbox({ maxModules: 1 });
    await sandbox.run('export default () => 1');
    expect(sandbox.stats()).toMatchObject({ keptRuntimes: true, runtimes: 1 });
  });

  test('is back to what it held once a context that made garbage of every kind is freed', async () => {
    const kept = await keptRuntime();
    for (let i = 0; i < 3; i++) {
      const context = kept.newContext();
      // Cycles (only the collector frees them), new property names (atoms), registered symbols, a big string.
      evaluate(context, 'const a = []; for (let i = 0; i < 20_000; i++) { const o = { ["k" + i]: i, s: Symbol.for("s" + i) }; o.self = o; a.push(o) } globalThis.keep = [a, "x".repeat(1e6)]');
      context.dispose();
      expect(kept.sweep()).toBe(true);
    }
    kept.dispose();
  });

  test('is not back while a value of the freed context is still referenced (freeing it then aborts, as a fresh one would)', async () => {
    const kept = await keptRuntime();
    const leaky = kept.newContext();
    leaky.newObject();
    leaky.dispose();
    expect(kept.sweep()).toBe(false);
    expect(() => kept.dispose()).toThrow(/Assertion failed: list_empty\(&rt->gc_obj_list\)/);
  });

  test('is not back while a promise job of the freed context waits (freeing it frees the job)', async () => {
    const kept = await keptRuntime();
    const waiting = kept.newContext();
    evaluate(waiting, 'Promise.resolve().then(() => {})');
    waiting.dispose();
    expect(kept.sweep()).toBe(false);
    kept.dispose();
  });

  test('counts the names it keeps into what it holds, and frees them with itself', async () => {
    const kept = await keptRuntime();
    for (const names of [['records', 'get'], ['records', 'thread', 'post']]) {
      const context = kept.newContext();
      const raw = attachRaw(context, kept)!;
      for (const name of names) raw.free(raw.get(raw.global, name));
      detachRaw(context);
      context.dispose();
      expect(kept.sweep()).toBe(true);
    }
    expect([...kept.names.keys()]).toEqual(['records', 'get', 'thread', 'post']);
    kept.dispose();
  });
});

describe('runs that share a runtime', () => {
  const hostFunctions: HostFunctions = { 'records.get': async ([id]) => ({ id }) };

  test('each start from a fresh context: nothing of one run reaches the next', async () => {
    using sandbox = createSandbox({ maxModules: 1 });
    const polluter = `export default async () => {
      globalThis.leftover = 1;
      Object.prototype.leak = 2;
      Array.prototype.push = () => 3;
      JSON.parse = () => 4;
      Math.random = () => 5;
      Object.defineProperty(Function.prototype, 'call', { value: () => 6 });
      globalThis[Symbol.for('shared')] = 7;
      await records.get(1);
      return 'polluted';
    }`;
    expect(valueOf(await sandbox.run(polluter, { hostFunctions }))).toBe('polluted');
    const checker = `export default async () => [
      typeof leftover, ({}).leak ?? null, [].push(1), typeof JSON.parse('1'), Math.random() === 5,
      Function.prototype.call === Reflect.getOwnPropertyDescriptor(Function.prototype, 'call').value && (() => 1).call() === 1,
      globalThis[Symbol.for('shared')] ?? null, (await records.get(2)).id,
    ]`;
    expect(valueOf(await sandbox.run(checker, { hostFunctions }))).toEqual(['undefined', null, 1, 'number', false, true, null, 2]);
    expect(sandbox.stats()).toMatchObject({ runtimes: 1 });
  });

  test('get a new runtime after a limit hit, and the next run is fine', async () => {
    using sandbox = createSandbox({ maxModules: 1 });
    await sandbox.run('export default () => 1');
    expect((await sandbox.run('export default () => { for (;;) {} }', { limits: { cpuMs: 20 } })).ok).toBe(false);
    expect(valueOf(await sandbox.run('export default () => 2'))).toBe(2);
    expect(sandbox.stats()).toMatchObject({ runtimes: 2, created: 1, damaged: 0 });
  });

  test('get a new runtime when a run leaves a promise job behind, and the job never runs', async () => {
    const hits: unknown[] = [];
    const spy: HostFunctions = { 'spy.hit': ([n]) => void hits.push(n) };
    using sandbox = createSandbox({ maxModules: 1 });
    // The default export answers at once; the chain of jobs it started is still queued when the run ends.
    const code = 'export default () => { Promise.resolve().then(() => null).then(() => spy.hit(1)); return "done" }';
    expect(valueOf(await sandbox.run(code, { hostFunctions: spy }))).toBe('done');
    expect(valueOf(await sandbox.run('export default async () => { await null; await null; return "next" }', { hostFunctions: spy }))).toBe('next');
    expect(hits).toEqual([]);
    expect(sandbox.stats()).toMatchObject({ runtimes: 2, damaged: 0 });
  });

  test('return all a run allocated to the runtime, and keep it, its heap counted or not', async () => {
    using sandbox = createSandbox({ maxModules: 1 });
    // About 1 MiB of objects that reference each other: only the cycle collector frees them.
    const code = 'export default () => { const a = []; for (let i = 0; i < 10_000; i++) { const o = { i, next: null }; o.next = o; a.push(o) } return a.length }';
    for (let i = 0; i < 6; i++) expect(valueOf(await sandbox.run(code, { measureMemory: i % 2 === 0 }))).toBe(10_000);
    expect(sandbox.stats()).toMatchObject({ runtimes: 1, created: 1, retired: 0 });
  });
});

import { describe, expect, test } from 'vitest';
import { createSandbox, type HostFunctions } from './index.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the module pool', () => {
  test('reuses one module for runs one after another', async () => {
    using sandbox = createSandbox();
    for (let i = 0; i < 10; i++) expect((await sandbox.run('export default (n) => n + 1', { input: i })).ok).toBe(true);
    expect(sandbox.stats()).toMatchObject({ created: 1, modules: 1, idle: 1, busy: 0, damaged: 0, retired: 0 });
  });

  test('can be warmed up before the first run', async () => {
    using sandbox = createSandbox({ maxModules: 4 });
    await sandbox.warmUp(3);
    expect(sandbox.stats()).toMatchObject({ created: 3, idle: 3 });
  });

  test('20 concurrent runs with async host functions do not interfere', async () => {
    using sandbox = createSandbox({ maxModules: 8 });
    const hostFunctions: HostFunctions = {
      'records.get': async ([id]) => {
        await sleep(Math.floor(Math.random() * 20));
        return { id, owner: `user ${String(id)}` };
      },
    };
    const code = `export default async (n) => {
      globalThis.mine = n;
      const found = await Promise.all([records.get(n), records.get(n * 100)]);
      console.log('run', n);
      return { n, mine: globalThis.mine, owners: found.map((r) => r.owner) };
    }`;
    const results = await Promise.all(Array.from({ length: 20 }, (_, n) => sandbox.run(code, { input: n, hostFunctions })));
    results.forEach((result, n) => {
      expect(result.ok && result.value).toEqual({ n, mine: n, owners: [`user ${n}`, `user ${n * 100}`] });
      expect(result.logs).toEqual([{ level: 'log', message: `run ${n}` }]);
    });
    expect(sandbox.stats()).toMatchObject({ modules: 8, busy: 0, waiting: 0, damaged: 0 });
  });

  test('runs beyond maxModules wait for a module to come back', async () => {
    using sandbox = createSandbox({ maxModules: 2 });
    await sandbox.warmUp(2);
    const hostFunctions: HostFunctions = { 'util.sleep': ([ms]) => sleep(Number(ms)) };
    const runs = Array.from({ length: 6 }, (_, n) => sandbox.run('export default async (n) => { await util.sleep(200); return n }', { input: n, hostFunctions }));
    await sleep(20);
    expect(sandbox.stats()).toMatchObject({ busy: 2, waiting: 4 });
    expect((await Promise.all(runs)).map((r) => r.ok && r.value)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(sandbox.stats()).toMatchObject({ created: 2, waiting: 0 });
  });

  test('a run started by a host function of another run gets a module of the next level, so nesting never deadlocks', async () => {
    using sandbox = createSandbox({ maxModules: 1 });
    // Each run's host function runs the next one and waits for it, as a save script's write runs the
    // save scripts of what it writes: with one module for all, the second run would wait for ever.
    const nest = (depth: number): Promise<unknown> =>
      sandbox.run('export default async (depth) => ["level " + depth, await inner.run(depth + 1)]', {
        input: depth,
        hostFunctions: { 'inner.run': async ([next]) => (Number(next) < 4 ? nest(Number(next)).then((r) => (r as { value: unknown }).value) : 'bottom') },
      });
    expect(await nest(0)).toMatchObject({ ok: true, value: ['level 0', ['level 1', ['level 2', ['level 3', 'bottom']]]] });
    // One module per level was lent; only `maxModules` are kept once the runs are over.
    expect(sandbox.stats()).toMatchObject({ created: 4, modules: 1, idle: 1, busy: 0, waiting: 0 });
  });

  test('runs nested deeper than nestingLevels share the deepest level, where waiting ends at the wall-clock limit', async () => {
    using sandbox = createSandbox({ maxModules: 1, nestingLevels: 2 });
    const hostFunctions: HostFunctions = {
      'inner.run': async () => {
        const deeper = await sandbox.run('export default async () => await inner.run()', { hostFunctions: { 'inner.run': () => sandbox.run('export default () => 1', { limits: { wallMs: 100 } }).then((r) => r.ok || r.error.toJSON()) } });
        return deeper.ok ? deeper.value : deeper.error.code;
      },
    };
    const outer = await sandbox.run('export default async () => await inner.run()', { hostFunctions });
    expect(outer.ok && outer.value).toEqual({ code: 'SCRIPT_LIMIT_TIME', message: expect.any(String), details: { limitMs: 100, waitingFor: 'module' } });
    expect(sandbox.stats()).toMatchObject({ busy: 0, waiting: 0 });
  });

  test('waiting for a module counts toward the wall-clock limit: a run that waits too long never starts', async () => {
    using sandbox = createSandbox({ maxModules: 1 });
    const hostFunctions: HostFunctions = { 'util.sleep': ([ms]) => sleep(Number(ms)) };
    const holder = sandbox.run('export default async () => { await util.sleep(300); return "held" }', { hostFunctions });
    await sleep(20);
    const started = performance.now();
    const waited = await sandbox.run('export default () => "ran"', { limits: { wallMs: 100 } });
    expect(waited.ok || waited.error.toJSON()).toEqual({ code: 'SCRIPT_LIMIT_TIME', message: 'The script ran for more than 100 ms.', details: { limitMs: 100, waitingFor: 'module' } });
    expect(performance.now() - started).toBeLessThan(250);
    expect(waited.usage).toMatchObject({ cpuMs: 0, hostCalls: 0, wallMs: expect.any(Number) });
    expect(sandbox.stats()).toMatchObject({ busy: 1, waiting: 0 });
    expect((await holder).ok).toBe(true);
    // A run that did get a module in time has only what is left of its limit to run in.
    const again = sandbox.run('export default async () => { await util.sleep(150); return "held" }', { hostFunctions });
    await sleep(10);
    const late = await sandbox.run('export default async () => { await util.sleep(200); return "late" }', { hostFunctions, limits: { wallMs: 300 } });
    expect(late.ok || late.error.toJSON()).toMatchObject({ code: 'SCRIPT_LIMIT_TIME', details: { waitingFor: 'host' } });
    expect((await again).ok).toBe(true);
  });

  test('a run that faults the engine costs its module, not the pool', async () => {
    const faults: unknown[] = [];
    using sandbox = createSandbox({ maxModules: 1, onFault: (fault) => faults.push(fault) });
    // At the default 64 KB stack this fails inside the guest; 256 KB lets it overflow Node's stack first.
    const deep = 'export default () => { let a = []; for (let i = 0; i < 100_000; i++) a = [a]; return JSON.stringify(a) }';
    const crashed = await sandbox.run(deep, { limits: { cpuMs: 10_000, stackBytes: 256 * 1024 } });
    expect(crashed.ok || crashed.error.toJSON()).toEqual({ code: 'SCRIPT_LIMIT_STACK', message: expect.any(String), details: { limitBytes: 262144, hostStack: true } });
    expect(sandbox.stats()).toMatchObject({ damaged: 1, modules: 0 });
    expect(String(faults[0])).toMatch(/Maximum call stack size exceeded/);
    const next = await sandbox.run('export default () => "fine"');
    expect(next.ok && next.value).toBe('fine');
    expect(sandbox.stats()).toMatchObject({ created: 2, modules: 1 });
  });

  test('a run that grew its module a lot gets it replaced; other failures keep it', async () => {
    using sandbox = createSandbox({ maxModules: 1 });
    await sandbox.run('export default () => { for (;;) {} }', { limits: { cpuMs: 20 } });
    await sandbox.run('export default () => { throw new Error("x") }');
    expect(sandbox.stats()).toMatchObject({ created: 1, retired: 0 });
    const grown = await sandbox.run('export default () => { const k = []; for (let i = 0; i < 24; i++) k.push("x".repeat(1 << 20) + i); return k.length }');
    expect(grown.ok && grown.value).toBe(24);
    expect(sandbox.stats()).toMatchObject({ retired: 1, modules: 0 });
  });

  test('replaces a module after maxRunsPerModule runs', async () => {
    using sandbox = createSandbox({ maxRunsPerModule: 3 });
    for (let i = 0; i < 7; i++) await sandbox.run('export default () => 1');
    expect(sandbox.stats()).toMatchObject({ created: 3, retired: 2 });
  });

  test('once disposed, refuses new runs', async () => {
    const sandbox = createSandbox();
    sandbox.dispose();
    await expect(sandbox.run('export default () => 1')).rejects.toThrow('disposed');
  });
});

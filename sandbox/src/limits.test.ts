import { afterAll, describe, expect, test } from 'vitest';
import { createSandbox, DEFAULT_LIMITS, MAX_STACK_BYTES, type HostFunctions, type RunResult, type SandboxError } from './index.ts';
import { resolveLimits } from './limits.ts';

const sandbox = createSandbox();
afterAll(() => sandbox.dispose());

function errorOf(result: RunResult): SandboxError {
  if (result.ok) throw new Error(`the run succeeded with ${JSON.stringify(result.value)}`);
  return result.error;
}

// Shared, noisy machines (a loaded one overran 200 ms once): timed assertions allow 2 s where the bench
// measures a few ms. Without the interrupt cadence, such loops ran minutes past their budget.
const SLACK_MS = 2000;

describe('limits', () => {
  test('have defaults, are overridden layer by layer, and the stack limit never exceeds 256 KB', () => {
    expect(DEFAULT_LIMITS).toEqual({ cpuMs: 1000, wallMs: 30_000, memoryBytes: 32 * 1024 * 1024, stackBytes: 64 * 1024, hostCalls: 1000, outputBytes: 1024 * 1024 });
    expect(resolveLimits({ cpuMs: 50 }, { hostCalls: 3 }, undefined)).toEqual({ ...DEFAULT_LIMITS, cpuMs: 50, hostCalls: 3 });
    expect(resolveLimits({ stackBytes: 10 * 1024 * 1024 }).stackBytes).toBe(MAX_STACK_BYTES);
    expect(resolveLimits({ stackBytes: 64 * 1024 }).stackBytes).toBe(64 * 1024);
    expect(() => resolveLimits({ wallMs: 0 })).toThrow(RangeError);
    expect(() => resolveLimits({ outputBytes: Number.NaN })).toThrow(RangeError);
  });
});

describe('CPU time', () => {
  test('a runaway loop is stopped soon after its budget', async () => {
    const result = await sandbox.run('export default () => { for (;;) {} }', { limits: { cpuMs: 50 } });
    expect(errorOf(result).code).toBe('SCRIPT_LIMIT_CPU');
    expect(result.usage.cpuMs).toBeGreaterThanOrEqual(50);
    expect(result.usage.cpuMs - 50).toBeLessThan(SLACK_MS);
  });

  test('so is a loop whose every step is one big engine operation', async () => {
    const result = await sandbox.run('export default () => { const big = new Array(300_000).fill(0); for (;;) big.slice() }', { limits: { cpuMs: 50 } });
    expect(errorOf(result).code).toBe('SCRIPT_LIMIT_CPU');
    expect(result.usage.cpuMs - 50).toBeLessThan(SLACK_MS);
  });

  test('so is catastrophic regular-expression backtracking', async () => {
    const result = await sandbox.run("export default () => /^(a|a?)+$/.test('a'.repeat(64) + 'b')", { limits: { cpuMs: 50 } });
    expect(errorOf(result).code).toBe('SCRIPT_LIMIT_CPU');
    expect(result.usage.cpuMs - 50).toBeLessThan(SLACK_MS);
  });

  test('adds up across slices: CPU spent between host calls counts', async () => {
    // Each step is a little work, then a host call: no single slice comes near the budget.
    const code = 'export default async () => { for (let i = 0; i < 10_000; i++) { for (let j = 0; j < 20_000; j++) {} await util.tick() } }';
    const result = await sandbox.run(code, { hostFunctions: { 'util.tick': () => null }, limits: { cpuMs: 100, hostCalls: 10_000 } });
    expect(errorOf(result).code).toBe('SCRIPT_LIMIT_CPU');
    expect(result.usage.hostCalls).toBeGreaterThanOrEqual(2);
    expect(result.usage.hostCalls).toBeLessThan(10_000);
  });
});

describe('memory', () => {
  test('many allocations, each far below the limit, add up to it', async () => {
    const code = 'export default () => { const kept = []; for (let i = 0; i < 1000; i++) kept.push("x".repeat(256 * 1024) + i); return kept.length }';
    const error = errorOf(await sandbox.run(code, { limits: { memoryBytes: 16 * 1024 * 1024 } }));
    expect(error.toJSON()).toEqual({ code: 'SCRIPT_LIMIT_MEMORY', message: expect.any(String), details: expect.objectContaining({ limitBytes: 16 * 1024 * 1024 }) });
  });

  test('a limit smaller than the memory a module starts with is still measured', async () => {
    const code = 'export default () => { const kept = []; for (let i = 0; i < 200; i++) kept.push("x".repeat(50_000) + i); return kept.length }';
    expect(errorOf(await sandbox.run(code, { limits: { memoryBytes: 4 * 1024 * 1024 } })).code).toBe('SCRIPT_LIMIT_MEMORY');
  });

  test('a script within its limit is not disturbed', async () => {
    const code = 'export default () => { const kept = []; for (let i = 0; i < 40; i++) kept.push("x".repeat(256 * 1024) + i); return kept.length }';
    const result = await sandbox.run(code, { limits: { memoryBytes: 32 * 1024 * 1024 } });
    expect(result.ok && result.value).toBe(40);
  });
});

describe('stack', () => {
  test('the default (64 KB) holds a few hundred frames, and every deep recursion fails inside the guest', async () => {
    const faults: unknown[] = [];
    using own = createSandbox({ maxModules: 1, onFault: (fault) => faults.push(fault) });
    const depth = (n: number) => own.run('const f = (n) => (n === 0 ? 0 : 1 + f(n - 1)); export default (n) => f(n)', { input: n });
    expect((await depth(250)).ok).toBe(true);
    expect(errorOf(await depth(5000)).toJSON()).toEqual({ code: 'SCRIPT_LIMIT_STACK', message: 'The script recursed too deeply.', details: { limitBytes: 64 * 1024 } });
    // Deeply nested JSON overflows Node's stack before QuickJS's check at 128 KB and up; not at 64 KB.
    const json = await own.run('export default () => { let a = []; for (let i = 0; i < 100_000; i++) a = [a]; return JSON.stringify(a) }', { limits: { cpuMs: 10_000 } });
    expect(errorOf(json).details).toEqual({ limitBytes: 64 * 1024 });
    expect(faults).toEqual([]);
    expect(own.stats()).toMatchObject({ created: 1, damaged: 0 });
  });

  test('deep recursion fails inside the guest, with the limit in the details', async () => {
    const error = errorOf(await sandbox.run('const f = (n) => f(n + 1) + 1; export default () => f(0)', { limits: { stackBytes: 128 * 1024 } }));
    expect(error.toJSON()).toEqual({ code: 'SCRIPT_LIMIT_STACK', message: 'The script recursed too deeply.', details: { limitBytes: 128 * 1024 } });
  });
});

describe('host calls', () => {
  const hostFunctions: HostFunctions = { 'records.get': async ([id]) => ({ id }) };

  test('up to the cap succeed; the next one ends the run', async () => {
    const code = 'export default async () => { for (let i = 1; i <= 5; i++) await records.get(i); return "five" }';
    const ok = await sandbox.run(code, { hostFunctions, limits: { hostCalls: 5 } });
    expect(ok.ok && ok.value).toBe('five');
    const over = await sandbox.run(code, { hostFunctions, limits: { hostCalls: 4 } });
    expect(errorOf(over).toJSON()).toEqual({ code: 'SCRIPT_LIMIT_HOST_CALLS', message: expect.any(String), details: { limit: 4, function: 'records.get' } });
    expect(over.usage.hostCalls).toBe(5);
  });

  test('counts calls made in parallel', async () => {
    const code = 'export default () => Promise.all(Array.from({ length: 20 }, (_, i) => records.get(i)))';
    expect(errorOf(await sandbox.run(code, { hostFunctions, limits: { hostCalls: 10 } })).code).toBe('SCRIPT_LIMIT_HOST_CALLS');
  });
});

describe('output', () => {
  test('the serialized result counts, byte for byte', async () => {
    // "x…x" is 1,000 bytes of JSON with its quotes; "é" is two bytes in UTF-8.
    const exact = await sandbox.run('export default () => "x".repeat(998)', { limits: { outputBytes: 1000 } });
    expect(exact.ok && exact.usage.outputBytes).toBe(1000);
    const over = await sandbox.run('export default () => "é" + "x".repeat(997)', { limits: { outputBytes: 1000 } });
    expect(errorOf(over).toJSON()).toEqual({ code: 'SCRIPT_LIMIT_OUTPUT', message: expect.any(String), details: { limitBytes: 1000, source: 'result' } });
  });

  test('a result whose JSON is certainly too long stops being serialized as soon as that is known', async () => {
    const reads: unknown[] = [];
    const hostFunctions: HostFunctions = { 'spy.read': ([i]) => void reads.push(i) };
    // Every property read tells the host (with arguments the guest serializes too: not output).
    const code = 'export default () => Array.from({ length: 10_000 }, (_, i) => ({ get v() { spy.read({ i }); return i } }))';
    const result = await sandbox.run(code, { hostFunctions, limits: { outputBytes: 1000, hostCalls: 20_000 } });
    expect(errorOf(result).toJSON()).toEqual({ code: 'SCRIPT_LIMIT_OUTPUT', message: expect.any(String), details: { limitBytes: 1000, source: 'result' } });
    expect(result.usage.hostCalls).toBeLessThan(1000);
  });

  test('the early stop never refuses a result that fits exactly', async () => {
    // Each a JavaScript expression, evaluated by the test too for the length of its JSON.
    const sources = [`'é"\\\\\\n😀'`, '-0.5', '1e21', 'NaN', 'true', 'null', '[]', '{}', `[null, 'x', { a: [1, { b: '' }] }]`, '{ skipped: undefined, kept: 1 }', `{ toJSON: () => 'yz' }`];
    for (const source of sources) {
      const bytes = Buffer.byteLength(JSON.stringify(Function(`return (${source})`)()), 'utf8');
      const code = `export default () => (${source})`;
      const exact = await sandbox.run(code, { limits: { outputBytes: bytes } });
      expect(exact.ok && exact.usage.outputBytes, source).toBe(bytes);
      expect(errorOf(await sandbox.run(code, { limits: { outputBytes: bytes - 1 } })).code, source).toBe('SCRIPT_LIMIT_OUTPUT');
    }
  });

  test('logs and result share the budget', async () => {
    const result = await sandbox.run('export default () => { console.log("x".repeat(600)); return "y".repeat(500) }', { limits: { outputBytes: 1000 } });
    expect(errorOf(result).details.source).toBe('result');
    expect(result.logs).toHaveLength(1);
  });
});

describe('wall-clock time', () => {
  test('a host function that never answers ends the run at the wall-clock limit', async () => {
    const started = performance.now();
    const result = await sandbox.run('export default () => never.answer()', { hostFunctions: { 'never.answer': () => new Promise(() => {}) }, limits: { wallMs: 150 } });
    expect(errorOf(result).toJSON()).toEqual({ code: 'SCRIPT_LIMIT_TIME', message: 'The script ran for more than 150 ms.', details: { limitMs: 150, waitingFor: 'host' } });
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
    expect(performance.now() - started).toBeLessThan(150 + SLACK_MS + 100);
  });

  test('a promise nothing can settle ends the run at once, rather than at the limit', async () => {
    const result = await sandbox.run('export default async () => { await new Promise(() => {}) }');
    expect(errorOf(result).details).toEqual({ limitMs: 30_000, waitingFor: 'nothing' });
    expect(result.usage.wallMs).toBeLessThan(10_000);
  });
});

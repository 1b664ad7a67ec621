import { afterAll, describe, expect, test } from 'vitest';
import { createSandbox, HostFunctionError, HostLimitError, LOG_MESSAGE_CHARS, SandboxError, type HostFunctions, type JsonValue, type RunResult } from './index.ts';

const sandbox = createSandbox();
afterAll(() => sandbox.dispose());

/** The value of a run that must succeed (its error, readable, when it did not). */
function valueOf(result: RunResult): JsonValue {
  if (!result.ok) throw new Error(`the run failed: ${JSON.stringify(result.error)}`);
  return result.value;
}

function errorOf(result: RunResult): SandboxError {
  if (result.ok) throw new Error(`the run succeeded with ${JSON.stringify(result.value)}`);
  return result.error;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a run', () => {
  test('calls the default export with the input and answers what it returns', async () => {
    expect(valueOf(await sandbox.run('export default (n) => n * 2', { input: 21 }))).toBe(42);
  });

  test('awaits an async default export', async () => {
    expect(valueOf(await sandbox.run('export default async (n) => { await null; return n + 1 }', { input: 1 }))).toBe(2);
  });

  test('round-trips JSON input and result', async () => {
    const input = { text: 'héllo 世界 😀', numbers: [0, -1.5, 1e21], nested: { yes: true, no: false, nothing: null }, empty: [] };
    expect(valueOf(await sandbox.run('export default (input) => ({ ...input, echoed: true })', { input }))).toEqual({ ...input, echoed: true });
  });

  test('answers null when the script returns nothing, and leaves out undefined properties', async () => {
    expect(valueOf(await sandbox.run('export default () => {}'))).toBeNull();
    expect(valueOf(await sandbox.run('export default () => ({ a: 1, b: undefined })'))).toEqual({ a: 1 });
  });

  test('lets the module finish its top-level await before calling the default export', async () => {
    const code = 'const config = await settings.get(); export default () => config.greeting';
    expect(valueOf(await sandbox.run(code, { hostFunctions: { 'settings.get': async () => ({ greeting: 'hi' }) } }))).toBe('hi');
  });

  test('starts from a fresh context every time: nothing a run does is seen by the next', async () => {
    await sandbox.run('export default () => { globalThis.leftover = 1; Object.prototype.leak = 2; Math.random = () => 4 }');
    expect(valueOf(await sandbox.run('export default () => [typeof leftover, ({}).leak ?? null, Math.random() === 4]'))).toEqual(['undefined', null, false]);
  });

  test('reports usage: CPU and wall time, host calls, output bytes and heap', async () => {
    const code = 'export default async () => { console.log("héllo"); await a.b(); return "ok" }';
    const result = await sandbox.run(code, { hostFunctions: { 'a.b': () => 1 }, measureMemory: true });
    expect(result.usage).toEqual({ cpuMs: expect.any(Number), wallMs: expect.any(Number), hostCalls: 1, outputBytes: 6 + 4, memoryBytes: expect.any(Number) });
    expect(result.usage.wallMs).toBeGreaterThanOrEqual(result.usage.cpuMs);
    expect(result.usage.memoryBytes).toBeGreaterThan(0);
    // Counting the heap is asked for; a run that grew its module's memory is counted anyway.
    expect((await sandbox.run(code, { hostFunctions: { 'a.b': () => 1 } })).usage.memoryBytes).toBeNull();
    const grown = await sandbox.run('export default () => { const k = []; for (let i = 0; i < 12; i++) k.push("x".repeat(1 << 20) + i); return k.length }');
    expect(grown.usage.memoryBytes).toBeGreaterThan(10 * 1024 * 1024);
  });
});

describe('host functions', () => {
  test('dotted names become nested, frozen namespaces of frozen functions', async () => {
    const hostFunctions: HostFunctions = { 'records.get': () => 1, 'records.list': () => 2, 'thread.messages.post': () => 3, log: () => 4 };
    const code = `export default async () => ({
      values: [await records.get(), await records.list(), await thread.messages.post(), await log()],
      frozen: [records, records.get, thread, thread.messages, thread.messages.post, log].every(Object.isFrozen),
      keys: Object.keys(records),
    })`;
    expect(valueOf(await sandbox.run(code, { hostFunctions }))).toEqual({ values: [1, 2, 3, 4], frozen: true, keys: ['get', 'list'] });
  });

  test('end the run, past any catch, by throwing a HostLimitError with the host\'s own limit code', async () => {
    let calls = 0;
    const hostFunctions: HostFunctions = {
      'records.read': () => {
        if (++calls > 2) throw new HostLimitError('SCRIPT_LIMIT_RECORDS_READ', 'The script read more than 2 records.', { limit: 2 });
        return calls;
      },
    };
    const code = `export default async () => {
      for (;;) { try { await records.read(); } catch (e) { console.log('caught', e.message); } }
    }`;
    const result = await sandbox.run(code, { hostFunctions });
    expect(errorOf(result).toJSON()).toEqual({ code: 'SCRIPT_LIMIT_RECORDS_READ', message: 'The script read more than 2 records.', details: { limit: 2 } });
    expect(result.logs).toEqual([]);
    expect(calls).toBe(3);
    expect(valueOf(await sandbox.run('export default () => 1'))).toBe(1);
  });

  test('always give the guest a promise, sync ones too', async () => {
    const code = 'export default () => { const p = util.now(); return [p instanceof Promise, typeof p.then] }';
    expect(valueOf(await sandbox.run(code, { hostFunctions: { 'util.now': () => 5 } }))).toEqual([true, 'function']);
  });

  test('are awaited, several in parallel, each answer reaching its own caller', async () => {
    let running = 0;
    let most = 0;
    const hostFunctions: HostFunctions = {
      'records.get': async ([id]) => {
        most = Math.max(most, ++running);
        await sleep(30 - Number(id) * 5);
        running--;
        return { id, name: `record ${String(id)}` };
      },
    };
    const code = 'export default async () => (await Promise.all([1, 2, 3, 4].map((id) => records.get(id)))).map((r) => r.name)';
    const result = await sandbox.run(code, { hostFunctions });
    expect(valueOf(result)).toEqual(['record 1', 'record 2', 'record 3', 'record 4']);
    expect(most).toBe(4);
    expect(result.usage.hostCalls).toBe(4);
  });

  test('receive JSON arguments, without trailing undefined ones', async () => {
    const seen: unknown[] = [];
    const hostFunctions: HostFunctions = { 'util.take': (args) => void seen.push(args) };
    await sandbox.run('export default async () => { await util.take(1, "two", { three: [3] }, null, undefined, undefined) }', { hostFunctions });
    expect(seen).toEqual([[1, 'two', { three: [3] }, null]]);
  });

  test('throw a TypeError at the call site for arguments that are not JSON', async () => {
    const code = 'export default () => { try { util.take({ fn() {} }); return "called" } catch (e) { return `${e.name}: ${e.message}` } }';
    expect(valueOf(await sandbox.run(code, { hostFunctions: { 'util.take': () => 1 } }))).toBe('TypeError: a function is not a JSON value (at key "fn")');
  });

  test('that reject give the guest a catchable HostError with the message and code', async () => {
    const hostFunctions: HostFunctions = {
      'records.get': async () => {
        throw Object.assign(new Error('No such record.'), { code: 'NOT_FOUND' });
      },
      'records.boom': () => {
        throw new Error('Something broke.');
      },
    };
    const code = `export default async () => {
      const caught = [];
      for (const call of [() => records.get(1), () => records.boom()]) {
        try { await call() } catch (e) { caught.push({ isError: e instanceof Error, name: e.name, message: e.message, code: e.code, fn: e.function }) }
      }
      return caught;
    }`;
    expect(valueOf(await sandbox.run(code, { hostFunctions }))).toEqual([
      { isError: true, name: 'HostError', message: 'No such record.', code: 'NOT_FOUND', fn: 'records.get' },
      { isError: true, name: 'HostError', message: 'Something broke.', code: 'SCRIPT_HOST_ERROR', fn: 'records.boom' },
    ]);
  });

  test('may throw a HostFunctionError to choose the code the guest sees', async () => {
    const hostFunctions: HostFunctions = {
      'records.remove': () => {
        throw new HostFunctionError('records.remove', 'You may not remove this record.', 'FORBIDDEN');
      },
    };
    const code = 'export default async () => { try { await records.remove(1) } catch (e) { return [e.message, e.code] } }';
    expect(valueOf(await sandbox.run(code, { hostFunctions }))).toEqual(['You may not remove this record.', 'FORBIDDEN']);
  });

  test('that reject, uncaught, end the run with SCRIPT_ERROR carrying the host code', async () => {
    const hostFunctions: HostFunctions = { 'records.get': async () => Promise.reject(Object.assign(new Error('No such record.'), { code: 'NOT_FOUND' })) };
    const error = errorOf(await sandbox.run('export default async () => records.get(1)', { hostFunctions }));
    expect(error.toJSON()).toEqual({ code: 'SCRIPT_ERROR', message: 'No such record.', details: { name: 'HostError', stack: expect.any(String), code: 'NOT_FOUND', function: 'records.get' } });
  });

  test('answering something that is not JSON is a bug of the host: the run throws', async () => {
    const hostFunctions: HostFunctions = { 'util.bad': () => ({ when: 1n }), 'util.fn': () => [() => 1] };
    await expect(sandbox.run('export default () => util.bad()', { hostFunctions })).rejects.toThrow(TypeError);
    await expect(sandbox.run('export default () => util.fn()', { hostFunctions })).rejects.toThrow('the result of host function util.fn is not JSON');
    expect(valueOf(await sandbox.run('export default () => 1'))).toBe(1);
  });

  test('learn their name, and an AbortSignal that is aborted when the run ends', async () => {
    let signal: AbortSignal | undefined;
    const hostFunctions: HostFunctions = {
      'slow.op': (_args, call) => {
        signal = call.signal;
        expect(call.name).toBe('slow.op');
        return new Promise(() => {});
      },
    };
    const result = await sandbox.run('export default () => slow.op()', { hostFunctions, limits: { wallMs: 100 } });
    expect(errorOf(result).code).toBe('SCRIPT_LIMIT_TIME');
    expect(signal?.aborted).toBe(true);
  });

  test('work on host time: waiting for them is not CPU time, but it is wall-clock time', async () => {
    const result = await sandbox.run('export default () => util.sleep(300)', {
      hostFunctions: { 'util.sleep': ([ms]) => sleep(Number(ms)) },
      limits: { cpuMs: 100 },
    });
    expect(valueOf(result)).toBeNull();
    expect(result.usage.cpuMs).toBeLessThan(100);
    expect(result.usage.wallMs).toBeGreaterThanOrEqual(290);
  });

  test('must have dotted identifiers for names, must be functions, and may not shadow a global', async () => {
    await expect(sandbox.run('export default () => 1', { hostFunctions: { 'records get': () => 1 } })).rejects.toThrow(TypeError);
    await expect(sandbox.run('export default () => 1', { hostFunctions: { 'a.__proto__': () => 1 } })).rejects.toThrow(TypeError);
    await expect(sandbox.run('export default () => 1', { hostFunctions: { records: () => 1, 'records.get': () => 1 } })).rejects.toThrow('cannot also be the namespace');
    await expect(sandbox.run('export default () => 1', { hostFunctions: { 'x.y': 'nope' as never } })).rejects.toThrow('not a function');
    await expect(sandbox.run('export default () => 1', { hostFunctions: { 'JSON.parse': () => 1 } })).rejects.toThrow("shadow the guest's global JSON");
  });
});

describe('console', () => {
  test('captures log, info, warn and error with their levels, in order', async () => {
    const code = 'export default () => { console.log("a", 1, true, null, undefined); console.info("b"); console.warn("c"); console.error("d") }';
    expect((await sandbox.run(code)).logs).toEqual([
      { level: 'log', message: 'a 1 true null undefined' },
      { level: 'info', message: 'b' },
      { level: 'warn', message: 'c' },
      { level: 'error', message: 'd' },
    ]);
  });

  test('shows objects as JSON, errors with their stack, and what JSON cannot show by a placeholder', async () => {
    const code = `export default () => {
      const cyclic = {}; cyclic.self = cyclic;
      console.log({ a: [1, { b: 2 }] }, new TypeError('bad'), cyclic, () => 1, 10n);
    }`;
    const [entry] = (await sandbox.run(code)).logs;
    expect(entry?.message).toMatch(/^\{"a":\[1,\{"b":2\}\]\} TypeError: bad\n {4}at default \(script\.js:3:\d+\)\n \[object\] \[Function\] 10n$/);
  });

  test(`cuts each message at ${LOG_MESSAGE_CHARS} characters`, async () => {
    const { logs } = await sandbox.run('export default () => { console.log("x".repeat(100_000)); console.log("y".repeat(4000), "z".repeat(4000)) }');
    expect(logs.map((l) => l.message.length)).toEqual([LOG_MESSAGE_CHARS, LOG_MESSAGE_CHARS]);
  });

  test('counts logged bytes toward the output budget', async () => {
    const result = await sandbox.run('export default () => { console.log("12345"); console.log("123456") }', { limits: { outputBytes: 10 } });
    expect(errorOf(result).toJSON()).toEqual({ code: 'SCRIPT_LIMIT_OUTPUT', message: expect.any(String), details: { limitBytes: 10, source: 'logs' } });
    expect(result.logs).toEqual([{ level: 'log', message: '12345' }]);
  });
});

describe('failures', () => {
  test('a syntax error names its line and column', async () => {
    const error = errorOf(await sandbox.run('export default () => {\n  const ok = 1;\n  const broken = ;\n};', { filename: 'on-create.js' }));
    expect(error.toJSON()).toEqual({ code: 'SCRIPT_SYNTAX', message: "unexpected token in expression: ';'", details: { line: 3, column: 18 } });
    expect(error.name).toBe('ScriptSyntaxError');
  });

  test('a thrown Error carries the guest message, name and stack', async () => {
    const error = errorOf(await sandbox.run('function check(n) {\n  if (n < 0) throw new RangeError(`negative: ${n}`);\n}\nexport default (n) => check(n);', { input: -1, filename: 'check.js' }));
    expect(error.toJSON()).toEqual({ code: 'SCRIPT_ERROR', message: 'negative: -1', details: { name: 'RangeError', stack: expect.stringContaining('at check (check.js:2') } });
  });

  test('a thrown non-Error is shown as the message', async () => {
    expect(errorOf(await sandbox.run('export default () => { throw { reason: "nope" } }')).toJSON()).toEqual({ code: 'SCRIPT_ERROR', message: '{"reason":"nope"}', details: { nonError: true } });
    expect(errorOf(await sandbox.run('export default () => { throw 42 }')).message).toBe('42');
  });

  test('a result that is not JSON is a clear error', async () => {
    const error = errorOf(await sandbox.run('export default () => ({ total: 1n })'));
    expect(error.code).toBe('SCRIPT_ERROR');
    expect(error.message).toBe('The script\'s result is not JSON: a bigint is not a JSON value (at key "total")');
    expect(error.details.reason).toBe('RESULT_NOT_JSON');
  });

  test('a module without a default export function is refused', async () => {
    expect(errorOf(await sandbox.run('export const run = () => 1')).details).toEqual({ reason: 'NO_DEFAULT_EXPORT' });
  });

  test('errors are named Error subclasses that serialise to { code, message, details }', async () => {
    const error = errorOf(await sandbox.run('export default () => { for (;;) {} }', { limits: { cpuMs: 20 } }));
    expect(error).toBeInstanceOf(SandboxError);
    expect(error.name).toBe('CpuLimitError');
    expect(JSON.parse(JSON.stringify(error))).toEqual({ code: 'SCRIPT_LIMIT_CPU', message: 'The script used more than 20 ms of CPU time.', details: { limitMs: 20, usedMs: expect.any(Number) } });
  });
});

describe('determinism', () => {
  test('`now` fixes Date.now() and new Date(); explicit dates still work', async () => {
    const code = 'export default () => [Date.now(), new Date().toISOString(), new Date(0).toISOString(), typeof Date(), new Date() instanceof Date]';
    expect(valueOf(await sandbox.run(code, { determinism: { now: Date.UTC(2024, 0, 2, 3, 4, 5) } }))).toEqual([
      Date.UTC(2024, 0, 2, 3, 4, 5),
      '2024-01-02T03:04:05.000Z',
      '1970-01-01T00:00:00.000Z',
      'string',
      true,
    ]);
  });

  test('`seed` makes Math.random() repeatable', async () => {
    const code = 'export default () => Array.from({ length: 5 }, () => Math.random())';
    const [a, b, c] = await Promise.all([1, 1, 2].map((seed) => sandbox.run(code, { determinism: { seed } })));
    expect(valueOf(a!)).toEqual(valueOf(b!));
    expect(valueOf(a!)).not.toEqual(valueOf(c!));
    for (const n of valueOf(a!) as number[]) expect(n >= 0 && n < 1).toBe(true);
  });

  test('without options, the clock is the real one', async () => {
    const now = valueOf(await sandbox.run('export default () => Date.now()')) as number;
    expect(Math.abs(now - Date.now())).toBeLessThan(60_000);
  });
});

describe('the host must ask properly', () => {
  test('limits are positive numbers; the stack limit is capped at 256 KB', async () => {
    await expect(sandbox.run('export default () => 1', { limits: { cpuMs: -1 } })).rejects.toThrow(RangeError);
    await expect(sandbox.run('export default () => 1', { limits: { memoryBytes: 1024 ** 3 } })).rejects.toThrow('memoryBytes may be at most');
    const error = errorOf(await sandbox.run('export default () => { const f = () => f(); f() }', { limits: { stackBytes: 4 * 1024 * 1024 } }));
    expect(error.toJSON()).toEqual({ code: 'SCRIPT_LIMIT_STACK', message: expect.any(String), details: { limitBytes: 256 * 1024 } });
  });

  test('the input must be JSON, and the determinism options make sense', async () => {
    await expect(sandbox.run('export default () => 1', { input: { f: () => 1 } as never })).rejects.toThrow('the run input is not JSON');
    await expect(sandbox.run('export default () => 1', { determinism: { seed: 1.5 } })).rejects.toThrow(TypeError);
    await expect(sandbox.run(42 as never)).rejects.toThrow(TypeError);
  });
});

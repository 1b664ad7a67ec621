import fs from 'node:fs';
import { afterAll, describe, expect, test } from 'vitest';
import { createSandbox, type HostFunctions, type Limits } from './index.ts';

/**
 * Every file in fixtures/hostile is a script written to hurt: its first lines say what must happen.
 *   // expect: SCRIPT_LIMIT_CPU      the run fails with that code
 *   // expect: ok                    the run succeeds…
 *   // value: <JSON>                 …with exactly this value
 *   // limits: <JSON>                limits for this fixture on top of HOSTILE_LIMITS
 *   // fault: <regexp>               an engine fault this fixture is known to cause (the module is dropped)
 * After each one, the host's own objects must be untouched and a normal script must run fine.
 */
const dir = new URL('./fixtures/hostile/', import.meta.url);
const fixtures = fs
  .readdirSync(dir)
  .filter((file) => file.endsWith('.js'))
  .sort();

type Header = { expect: string; value?: unknown; limits?: Partial<Limits>; fault?: RegExp };

function header(source: string): Header {
  const field = (name: string) => new RegExp(`^// ${name}: (.*)$`, 'm').exec(source)?.[1];
  const expected = field('expect');
  if (!expected) throw new Error('a hostile fixture must start with "// expect: <code or ok>"');
  const value = field('value');
  const limits = field('limits');
  const fault = field('fault');
  return {
    expect: expected,
    ...(value !== undefined && { value: JSON.parse(value) }),
    ...(limits !== undefined && { limits: JSON.parse(limits) }),
    ...(fault !== undefined && { fault: new RegExp(fault) }),
  };
}

const HOSTILE_LIMITS: Partial<Limits> = { cpuMs: 250, wallMs: 3_000, memoryBytes: 16 * 1024 * 1024, hostCalls: 50, outputBytes: 64 * 1024 };

/** What the host hands out; scripts must not be able to change any of it. */
const shared = Object.freeze({ kind: 'record' });
const hostFunctions: HostFunctions = {
  'records.get': async ([id]) => ({ id, name: `record ${String(id)}`, ...shared }),
  'util.echo': ([value]) => value,
  'util.echoAll': (args) => args,
  'never.resolve': () => new Promise(() => {}),
  'slow.call': ([ms]) => new Promise((resolve) => setTimeout(resolve, Number(ms))),
  'host.fail': async ([code]) => {
    throw Object.assign(new Error('host failed'), { code });
  },
};

function hostSnapshot() {
  return {
    objectPrototype: Reflect.ownKeys(Object.prototype).map(String).sort(),
    arrayPrototype: Reflect.ownKeys(Array.prototype).map(String).sort(),
    functions: [JSON.parse, JSON.stringify, Promise.prototype.then, Function.prototype.call, Function.prototype.apply, Reflect.apply, Array.prototype.push, String.prototype.slice],
    errorName: Error.prototype.name,
    shared: JSON.stringify(shared),
    hostFunctions: Object.keys(hostFunctions).join(),
  };
}

const NORMAL = 'export default async (n) => ({ doubled: n * 2, record: await records.get(n) })';

describe('hostile scripts', () => {
  // Engine faults: only a host stack overflow (the deep JSON fixtures) is expected, never a leak or a trap.
  const faults: unknown[] = [];
  const sandbox = createSandbox({ maxModules: 2, limits: HOSTILE_LIMITS, onFault: (fault) => faults.push(fault) });
  const before = hostSnapshot();
  afterAll(() => sandbox.dispose());

  test('there are at least 40 of them, each saying what must happen', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(40);
    for (const file of fixtures) expect(() => header(fs.readFileSync(new URL(file, dir), 'utf8')), file).not.toThrow();
  });

  test.each(fixtures)('%s', { timeout: 30_000 }, async (file) => {
    const source = fs.readFileSync(new URL(file, dir), 'utf8');
    const { expect: expected, value, limits, fault: knownFault } = header(source);

    const result = await sandbox.run(source, { input: 1, hostFunctions, filename: file, ...(limits && { limits }) });

    if (expected === 'ok') {
      expect(result.ok ? result.value : result.error.toJSON(), file).toEqual(value);
    } else {
      expect(result.ok ? { value: result.value } : result.error.code, file).toBe(expected);
    }
    expect(hostSnapshot()).toEqual(before);
    for (const fault of faults.splice(0)) expect(String(fault), file).toMatch(knownFault ?? /^RangeError: Maximum call stack size exceeded/);

    const next = await sandbox.run(NORMAL, { input: 21, hostFunctions });
    expect(next.ok ? next.value : next.error.toJSON()).toEqual({ doubled: 42, record: { id: 21, name: 'record 21', kind: 'record' } });
  });
});

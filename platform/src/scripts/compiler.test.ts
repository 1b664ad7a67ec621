import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { checkSource } from './check.ts';
import { CompilerUnavailableError, ScriptCompiler } from './compiler.ts';
import { correctScript, everyTypeObjects } from './scripts-fixture.ts';

const compiler = new ScriptCompiler();
afterAll(() => compiler.close());

/** About 100 KB of statements: a second or so of checking. */
const large = `export default () => 1;\n${Array.from({ length: 2000 }, (_, i) => `const v${i}: number = ${i} + ctx.user.login.length;`).join('\n')}`;

describe('the compiler worker', () => {
  it('generates declarations and checks scripts off the main thread, with the same results as in it', async () => {
    const text = await compiler.generate(everyTypeObjects(), 1);
    const types = { key: 'worker-test', text };
    expect(text).toContain('interface Deal {');
    expect(await compiler.check(correctScript, types, 'en')).toEqual(checkSource(correctScript, types, 'en'));
    const broken = await compiler.check("import x from 'y';\nexport default () => ctx.recrd;", types, 'zh-CN');
    expect(broken.diagnostics.map((d) => d.code)).toEqual(['SCRIPT_IMPORT', 'TS2551']);
    expect(broken.javascript).toBeUndefined();
  });

  it('keeps the main event loop free while it checks a large script', async () => {
    const types = { key: 'worker-test', text: await compiler.generate(everyTypeObjects(), 1) };
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const started = performance.now();
    const result = await compiler.check(large, types, 'en');
    const took = performance.now() - started;
    delay.disable();
    expect(result.diagnostics).toEqual([]);
    console.log(`compiler worker: ${Buffer.byteLength(large)} B script checked in ${took.toFixed(0)} ms; main loop delay max ${(delay.max / 1e6).toFixed(1)} ms`);
    expect(delay.max / 1e6).toBeLessThan(Math.max(100, took / 4));
  });

  it('ends a check that takes too long, answering CompilerUnavailableError, and starts afresh for the next', async () => {
    const hasty = new ScriptCompiler({ requestMs: 50 });
    try {
      const types = { key: 'hasty', text: await compiler.generate([], 1) };
      const timedOut = await hasty.check(large, types, 'en').catch((error: unknown) => error);
      expect(timedOut).toBeInstanceOf(CompilerUnavailableError);
      expect((timedOut as CompilerUnavailableError).reason).toBe('timeout');
      hasty.options.requestMs = 30_000;
      expect((await hasty.check('export default () => 1;', types, 'en')).diagnostics).toEqual([]);
    } finally {
      await hasty.close();
    }
  });
});

import { DEBUG_SYNC, newQuickJSWASMModuleFromVariant, RELEASE_SYNC } from 'quickjs-emscripten';
import { describe, expect, test } from 'vitest';
import { counterOffset, pokerFor } from './interrupt-cadence.ts';

describe('the interrupt countdown', () => {
  test('is found in both builds by the probe', async () => {
    expect(await counterOffset(RELEASE_SYNC)).toEqual(expect.any(Number));
    expect(await counterOffset(DEBUG_SYNC)).toBe(await counterOffset(RELEASE_SYNC));
  });

  test('poked, makes QuickJS check for an interrupt every few ticks instead of every 10,000', async () => {
    const module = await newQuickJSWASMModuleFromVariant(RELEASE_SYNC);
    const offset = (await counterOffset(RELEASE_SYNC))!;
    const checks = (poke: boolean) => {
      const context = module.newContext();
      const set = pokerFor(module, context, offset);
      let count = 0;
      context.runtime.setInterruptHandler(() => {
        count++;
        if (poke) set();
        return false;
      });
      if (poke) set();
      context.evalCode('for (let i = 0; i < 1000; i++) {}').dispose();
      context.dispose();
      return count;
    };
    expect(checks(false)).toBeLessThanOrEqual(1);
    expect(checks(true)).toBeGreaterThan(50);
  });
});

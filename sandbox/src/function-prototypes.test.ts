import { DEBUG_SYNC, newQuickJSWASMModuleFromVariant, RELEASE_SYNC } from 'quickjs-emscripten';
import { describe, expect, test } from 'vitest';
import { attachRaw, detachRaw } from './engine.ts';
import { functionPrototypes } from './function-prototypes.ts';

describe('the prototypes of async, generator and async generator functions', () => {
  test('are found in both builds by the probe', async () => {
    expect(await functionPrototypes(RELEASE_SYNC)).toEqual({ classProtoOffset: expect.any(Number), entries: [expect.any(Number), expect.any(Number), expect.any(Number)] });
    expect(await functionPrototypes(DEBUG_SYNC)).toEqual(await functionPrototypes(RELEASE_SYNC));
  });

  test('are reached in a fresh context without compiling anything, and are the ones its functions have', async () => {
    const layout = (await functionPrototypes(RELEASE_SYNC))!;
    const module = await newQuickJSWASMModuleFromVariant(RELEASE_SYNC);
    const context = module.newContext();
    const raw = attachRaw(context)!;
    for (const entry of layout.entries) raw.define(raw.contextArrayEntry(layout.classProtoOffset, entry), 'marker', raw.global, { configurable: true });
    const seen = context.unwrapResult(context.evalCode('[async () => {}, function* () {}, async function* () {}].map((f) => Object.getPrototypeOf(f).marker === globalThis)'));
    expect(context.dump(seen)).toEqual([true, true, true]);
    seen.dispose();
    detachRaw(context);
    context.dispose();
  });
});

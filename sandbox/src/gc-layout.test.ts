import { DEBUG_SYNC, newQuickJSWASMModuleFromVariant, RELEASE_SYNC } from 'quickjs-emscripten';
import { describe, expect, test } from 'vitest';
import { BARE_CONTEXT_INTRINSICS, collect, gcLayout } from './gc-layout.ts';

type Ffi = {
  QTS_NewRuntime(): number;
  QTS_NewContext(rt: number, intrinsics: number): number;
  QTS_FreeContext(ctx: number): void;
  QTS_NewObject(ctx: number): number;
  QTS_FreeValuePointer(ctx: number, value: number): void;
};

describe('the collector fields of JSRuntime', () => {
  test('are found in both builds by the probe', async () => {
    expect(await gcLayout(RELEASE_SYNC)).toEqual({ countOffset: expect.any(Number), thresholdOffset: expect.any(Number) });
    expect(await gcLayout(DEBUG_SYNC)).toEqual(await gcLayout(RELEASE_SYNC));
  });

  test('let the host run the collector and see that a freed context left nothing behind', async () => {
    const { countOffset, thresholdOffset } = (await gcLayout(RELEASE_SYNC))!;
    const module = await newQuickJSWASMModuleFromVariant(RELEASE_SYNC);
    const ffi = module.getFFI() as unknown as Ffi;
    const memory = module.getWasmMemory();
    const words = () => new Int32Array(memory.buffer);
    const rt = ffi.QTS_NewRuntime();
    const janitor = ffi.QTS_NewContext(rt, BARE_CONTEXT_INTRINSICS);
    const count = () => words()[(rt + countOffset) >> 2]!;
    collect(ffi, words, rt, janitor, thresholdOffset);
    const before = count();
    // A context's built-ins reference each other: freeing the context frees none of them.
    ffi.QTS_FreeContext(ffi.QTS_NewContext(rt, 0));
    expect(count()).toBeGreaterThan(before + 200);
    collect(ffi, words, rt, janitor, thresholdOffset);
    expect(count()).toBe(before);
  });
});

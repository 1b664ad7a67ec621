import { newQuickJSWASMModuleFromVariant, type QuickJSContext, type QuickJSSyncVariant, type QuickJSWASMModule } from 'quickjs-emscripten';

/**
 * QuickJS calls the interrupt handler once every 10,000 "ticks" (function calls and loop back-edges),
 * whatever a tick costs. When each tick is a big engine operation (`[...big]`, `big.slice()`,
 * `s.repeat(1e6)`), 10,000 of them take minutes: measured, `while (true) [...big]` ran 110 s past a 100 ms
 * budget. QuickJS offers no setting for this count, so we rewrite the context's countdown
 * (`JSContext.interrupt_counter`) from the handler itself, which makes the next check come after
 * `POLL_EVERY_TICKS` ticks. The field's offset is found by probing a throwaway module and used only when the
 * probe proves it; otherwise runs fall back to QuickJS's own cadence.
 */
export const POLL_EVERY_TICKS = 16;

/** JS_INTERRUPT_COUNTER_INIT in quickjs.c: the countdown's value right after each check. */
const COUNTER_INIT = 10_000;
/** How far into `JSContext` to look for the countdown. */
const SEARCH_BYTES = 1024;

const offsets = new WeakMap<QuickJSSyncVariant, Promise<number | null>>();

/** The byte offset of `interrupt_counter` in this build's `JSContext`, or null when it cannot be proven. */
export function counterOffset(variant: QuickJSSyncVariant): Promise<number | null> {
  let offset = offsets.get(variant);
  if (!offset) offsets.set(variant, (offset = probe(variant)));
  return offset;
}

/** Sets the context's countdown so that the interrupt handler runs again after `POLL_EVERY_TICKS` ticks. */
export type Poke = () => void;

/** `memory` is the module's WebAssembly memory, when the caller has it at hand (asking the module for it costs). */
export function pokerFor(module: QuickJSWASMModule, context: QuickJSContext, offset: number, memory: { readonly buffer: ArrayBuffer } = module.getWasmMemory()): Poke {
  let heap = heaps.get(memory);
  const index = (contextPointer(context) + offset) >> 2;
  return () => {
    // The heap's buffer is replaced whenever WASM memory grows.
    if (heap?.buffer !== memory.buffer) heaps.set(memory, (heap = new Int32Array(memory.buffer)));
    heap[index] = POLL_EVERY_TICKS;
  };
}

/** A view of each module's heap, made again when its memory grows. */
const heaps = new WeakMap<object, Int32Array>();

function contextPointer(context: QuickJSContext): number {
  // `ctx` is protected in quickjs-emscripten's types; it is the JSContext* we need.
  return (context as unknown as { ctx: { value: number } }).ctx.value;
}

/**
 * Looks for the one word of `JSContext` that reads 10,000 at every interrupt check (the countdown was just
 * reset), then proves it: with the word set to 1 from the handler, a 1,000-iteration loop must be checked
 * at least 500 times. The probe writes into a module of its own, which is then dropped.
 */
async function probe(variant: QuickJSSyncVariant): Promise<number | null> {
  const module = await newQuickJSWASMModuleFromVariant(variant);
  try {
    const memory = module.getWasmMemory();
    const words = (pointer: number) => new Int32Array(memory.buffer, pointer, SEARCH_BYTES / 4);
    const found = withContext(module, (context, pointer) => {
      const seen: { candidates: number[] | null } = { candidates: null };
      let checks = 0;
      context.runtime.setInterruptHandler(() => {
        const view = words(pointer);
        const here: number[] = [];
        for (let i = 0; i < view.length; i++) if (view[i] === COUNTER_INIT) here.push(i * 4);
        seen.candidates = seen.candidates ? seen.candidates.filter((c) => here.includes(c)) : here;
        return ++checks >= 3;
      });
      context.evalCode('for (;;) {}').dispose();
      return seen.candidates;
    });
    if (found?.length !== 1) return null;
    const offset = found[0]!;
    const proven = withContext(module, (context, pointer) => {
      const index = (pointer + offset) >> 2;
      let checks = 0;
      let steady = true;
      context.runtime.setInterruptHandler(() => {
        const heap = new Int32Array(memory.buffer);
        steady &&= heap[index] === COUNTER_INIT;
        heap[index] = 1;
        checks++;
        return false;
      });
      new Int32Array(memory.buffer)[index] = 1;
      context.evalCode('for (let i = 0; i < 1000; i++) {}').dispose();
      return steady && checks >= 500;
    });
    return proven ? offset : null;
  } catch {
    return null;
  }
}

function withContext<T>(module: QuickJSWASMModule, fn: (context: QuickJSContext, pointer: number) => T): T {
  const context = module.newContext();
  try {
    return fn(context, contextPointer(context));
  } finally {
    context.runtime.removeInterruptHandler();
    context.dispose();
  }
}

import { newQuickJSWASMModuleFromVariant, type QuickJSSyncVariant } from 'quickjs-emscripten';

/**
 * Two fields of QuickJS's `JSRuntime` that a kept runtime (kept-runtime.ts) needs and quickjs-emscripten does
 * not expose: `malloc_state.malloc_count`, the number of live allocations, which tells whether everything a
 * run made was freed; and `malloc_gc_threshold`, the heap size past which QuickJS runs its cycle collector
 * at the next object allocation. Setting the threshold to 0 is the only way to run the collector on demand
 * (JS_RunGC is not exported), which a kept runtime must do after each run: objects that reference each other
 * (every context's built-ins do) are freed only by the collector.
 *
 * Their byte offsets are found by probing a throwaway module, and used only when the probe proves them.
 */
export type GcLayout = { countOffset: number; thresholdOffset: number };

/** JSRuntime's malloc_gc_threshold right after JS_NewRuntime (quickjs.c). */
export const DEFAULT_GC_THRESHOLD = 256 * 1024;
/** QTS_NewContext's intrinsic flags for a context with the basic objects only (QTS_Intrinsic_Eval). */
export const BARE_CONTEXT_INTRINSICS = 1 << 2;
/** How far into `JSRuntime` to look. */
const SEARCH_BYTES = 512;
/** A fresh context is about 700 allocations: its garbage must move the count by at least this much. */
const CONTEXT_ALLOCATIONS = 200;

type Ffi = {
  QTS_NewRuntime(): number;
  QTS_NewContext(rt: number, intrinsics: number): number;
  QTS_FreeContext(ctx: number): void;
  QTS_NewObject(ctx: number): number;
  QTS_FreeValuePointer(ctx: number, value: number): void;
};

/** Sets the runtime's GC threshold to 0, allocates an object in `ctx` (which runs the collector), and restores it. */
export function collect(ffi: Pick<Ffi, 'QTS_NewObject' | 'QTS_FreeValuePointer'>, words: () => Int32Array, rt: number, ctx: number, thresholdOffset: number): void {
  const index = (rt + thresholdOffset) >> 2;
  words()[index] = 0;
  try {
    ffi.QTS_FreeValuePointer(ctx, ffi.QTS_NewObject(ctx));
  } finally {
    // The collector set it to 1.5 × the heap it found; the default is what a fresh runtime would have.
    words()[index] = DEFAULT_GC_THRESHOLD;
  }
}

const layouts = new WeakMap<QuickJSSyncVariant, Promise<GcLayout | null>>();

export function gcLayout(variant: QuickJSSyncVariant): Promise<GcLayout | null> {
  let layout = layouts.get(variant);
  if (!layout) layouts.set(variant, (layout = probe(variant)));
  return layout;
}

/**
 * The threshold is a word of a fresh runtime that reads DEFAULT_GC_THRESHOLD and, set to 0, makes the next
 * allocation collect a freed context; the count is the one word that such a context's garbage raises by
 * hundreds and the collection brings back exactly (twice in a row), and that one more object raises by one
 * or two.
 */
async function probe(variant: QuickJSSyncVariant): Promise<GcLayout | null> {
  try {
    const module = await newQuickJSWASMModuleFromVariant(variant);
    const ffi = module.getFFI() as unknown as Ffi;
    const memory = module.getWasmMemory();
    const words = () => new Int32Array(memory.buffer);
    const rt = ffi.QTS_NewRuntime();
    const snapshot = () => Array.from(new Int32Array(memory.buffer, rt, SEARCH_BYTES / 4));
    const thresholds = snapshot().flatMap((word, i) => (word === DEFAULT_GC_THRESHOLD ? [i * 4] : []));
    const janitor = ffi.QTS_NewContext(rt, BARE_CONTEXT_INTRINSICS);
    const garbage = () => ffi.QTS_FreeContext(ffi.QTS_NewContext(rt, 0));
    for (const thresholdOffset of thresholds) {
      // Per round, offset → how much the garbage raised it, for the words the collection brought back.
      const rounds = [0, 1].map(() => {
        collect(ffi, words, rt, janitor, thresholdOffset);
        const before = snapshot();
        garbage();
        const dirty = snapshot();
        collect(ffi, words, rt, janitor, thresholdOffset);
        const after = snapshot();
        const raised = new Map<number, number>();
        before.forEach((word, i) => {
          if (dirty[i]! - word >= CONTEXT_ALLOCATIONS && after[i] === word) raised.set(i * 4, dirty[i]! - word);
        });
        return raised;
      });
      const [first, second] = rounds as [Map<number, number>, Map<number, number>];
      const steady = [...first.keys()].filter((offset) => second.get(offset) === first.get(offset));
      // The heap's byte size and the atom count move that way too; only the allocation count moves by one or
      // two (the object and its property array) when a single object is made, and back when it is freed.
      const before = snapshot();
      const object = ffi.QTS_NewObject(janitor);
      const held = snapshot();
      ffi.QTS_FreeValuePointer(janitor, object);
      const freed = snapshot();
      const counts = steady.filter((offset) => {
        const by = held[offset / 4]! - before[offset / 4]!;
        return by >= 1 && by <= 4 && freed[offset / 4] === before[offset / 4];
      });
      if (counts.length === 1) return { countOffset: counts[0]!, thresholdOffset };
    }
    return null;
  } catch {
    return null;
  }
}

import type { QuickJSContext, QuickJSRuntime, QuickJSWASMModule } from 'quickjs-emscripten';
import { BARE_CONTEXT_INTRINSICS, collect, type GcLayout } from './gc-layout.ts';
import { SCRIPT_INTRINSICS } from './intrinsics.ts';

type Ffi = {
  QTS_NewContext(rt: number, intrinsics: number): number;
  QTS_FreeContext(ctx: number): void;
  QTS_NewObject(ctx: number): number;
  QTS_FreeValuePointer(ctx: number, value: number): void;
  QTS_FreeValuePointerRuntime(rt: number, value: number): void;
  QTS_IsJobPending(rt: number): number;
};

type WasmMemory = { readonly buffer: ArrayBuffer };

/**
 * A QuickJS runtime kept across the runs of one pooled module. Each run still gets a context of its own (a
 * realm: its own global object, built-ins and prototypes), and the run's limits are set on the runtime
 * anew; what a runtime shares between its contexts is invisible to scripts (interned strings, object
 * shapes, registered classes). What it saves is the runtime's creation and teardown, and the guest strings
 * of the names the sandbox uses (`names`), which belong to the runtime, not to a context.
 *
 * After each run `sweep` frees everything the run's context made and checks that it did: the runtime must
 * hold exactly the allocations it held before the run (plus names it kept on purpose) and no pending promise
 * job. Otherwise, and after any fault or limit hit, the run's caller throws the runtime away.
 *
 * QuickJS frees objects that reference each other (every context's built-ins do) only in its cycle
 * collector, which a runtime runs when freed and otherwise only past an allocation threshold; `sweep` runs it
 * through that threshold (gc-layout.ts), in a context of the runtime's own that has only the basic objects
 * (the janitor), never given to a script.
 */
export class KeptRuntime {
  readonly #runtime: QuickJSRuntime;
  readonly #ffi: Ffi;
  readonly #rt: number;
  readonly #janitor: number;
  readonly #layout: GcLayout;
  readonly #memory: WasmMemory;
  #words: Int32Array;
  /** Allocations the runtime holds between runs. */
  #baseline: number;
  #stackBytes = -1;
  /** Guest strings for the names the sandbox uses (see raw.ts), kept for the runtime's life. */
  readonly names = new Map<string, number>();
  /** What QuickJS's interrupt checks ask during a run (true stops the guest); null between runs. */
  interrupt: (() => boolean) | null = null;

  /** `memoryLimit`: QuickJS's own limit for the runtime (see run-script.ts), the same for every run of a pool. */
  constructor(module: QuickJSWASMModule, layout: GcLayout, memory: WasmMemory, memoryLimit: number) {
    this.#layout = layout;
    this.#memory = memory;
    this.#words = new Int32Array(memory.buffer);
    this.#runtime = module.newRuntime();
    this.#runtime.setMemoryLimit(memoryLimit);
    this.#runtime.setInterruptHandler(() => this.interrupt?.() ?? false);
    this.#ffi = module.getFFI() as unknown as Ffi;
    // `rt` is protected in quickjs-emscripten's types; it is the JSRuntime* the fields are read from.
    this.#rt = (this.#runtime as unknown as { rt: { value: number } }).rt.value;
    this.#janitor = this.#ffi.QTS_NewContext(this.#rt, BARE_CONTEXT_INTRINSICS);
    // QuickJS registers some classes (and their names) on a runtime's first full context: let that happen
    // before the baseline is taken.
    this.#ffi.QTS_FreeContext(this.#ffi.QTS_NewContext(this.#rt, 0));
    this.#collect();
    this.#baseline = this.#count();
  }

  get runtime(): QuickJSRuntime {
    return this.#runtime;
  }

  newContext(): QuickJSContext {
    return this.#runtime.newContext({ intrinsics: SCRIPT_INTRINSICS });
  }

  /** Sets QuickJS's stack limit for the next run (the call is skipped when it is already that). */
  setMaxStackSize(bytes: number): void {
    if (bytes === this.#stackBytes) return;
    this.#runtime.setMaxStackSize(bytes);
    this.#stackBytes = bytes;
  }

  /** Makes a value the runtime keeps between runs (a name); the allocations it takes join the baseline. */
  keep(make: () => number): number {
    const before = this.#count();
    const value = make();
    this.#baseline += this.#count() - before;
    return value;
  }

  /**
   * After the run's context was disposed: collects what it left and answers whether the runtime is back to
   * what it held before the run, with no promise job waiting (a job would run in the next run's slice).
   */
  sweep(): boolean {
    if (this.#ffi.QTS_IsJobPending(this.#rt)) return false;
    this.#collect();
    return this.#count() === this.#baseline;
  }

  /** Frees the runtime. Throws what QuickJS aborts with when an object is still referenced. */
  dispose(): void {
    for (const value of this.names.values()) this.#ffi.QTS_FreeValuePointerRuntime(this.#rt, value);
    this.names.clear();
    this.#ffi.QTS_FreeContext(this.#janitor);
    this.#runtime.dispose();
  }

  #heap(): Int32Array {
    // The heap's buffer is replaced whenever WebAssembly memory grows.
    if (this.#words.buffer !== this.#memory.buffer) this.#words = new Int32Array(this.#memory.buffer);
    return this.#words;
  }

  #count(): number {
    return this.#heap()[(this.#rt + this.#layout.countOffset) >> 2]!;
  }

  #collect(): void {
    collect(this.#ffi, () => this.#heap(), this.#rt, this.#janitor, this.#layout.thresholdOffset);
  }
}

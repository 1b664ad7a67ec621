import type { QuickJSWASMModule } from 'quickjs-emscripten';

/**
 * QuickJS's `setMemoryLimit` does not bound a runtime's heap in this build: Emscripten's libc has no
 * `malloc_usable_size`, so QuickJS's byte count grows by 8 per allocation and the limit only refuses a
 * single allocation larger than itself (quickjs-emscripten issues #255 and #271). Measured: a hundred 1 MB
 * typed arrays, or a million small objects, under a 32 MB limit, and a loop growing a module to 2 GB.
 * QuickJS's own memory report cannot stand in for it either: it does not count rope strings at all.
 *
 * So the limit is enforced on WebAssembly memory, the engine's real heap. Each module gets its own
 * `WebAssembly.Memory`, whose `maximum` is a hard cap (no run can take more from the host), and whose
 * `grow` is wrapped to refuse growth past a ceiling; refused growth makes malloc fail, which QuickJS
 * reports as "out of memory". For the ceiling to mean "this run's heap", the run must not find free memory
 * left in the module: a balloon (blocks malloc'ed by the host) holds all of it except a small reserve, and
 * the ceiling is the size at the start of the run plus the limit minus that reserve. A run that stays
 * inside the reserve never grows the module, so pooled modules do not creep.
 */

const PAGE_BYTES = 65536;
const BALLOON_BLOCK_BYTES = 256 * 1024;
/** Free memory a run starts with, so that small runs never grow the module. */
const RESERVE_BYTES = 2 * 1024 * 1024;
/** Free memory drifts a little from run to run (contexts differ in size); the balloon is refilled this often anyway. */
const REFILL_EVERY_RUNS = 64;

/** The memory the prebuilt module declares it needs (its import's minimum: 256 pages). */
export const INITIAL_MODULE_BYTES = 256 * PAGE_BYTES;

type WasmMemory = { readonly buffer: ArrayBuffer; grow(pages: number): number };
type WasmMemoryConstructor = new (descriptor: { initial: number; maximum: number }) => WasmMemory;
type Allocator = { _malloc(bytes: number): number; _free(pointer: number): void };

// Node has WebAssembly; the repo's TypeScript libs (ES2024, no DOM) do not declare it.
const Memory = (globalThis as unknown as { WebAssembly: { Memory: WasmMemoryConstructor } }).WebAssembly.Memory;

export class MemoryGuard {
  readonly memory: WasmMemory;
  #allocator: Allocator | null = null;
  #balloon: number[] = [];
  #ceiling = Infinity;
  #reserve = 0;
  #reserveWanted = -1;
  #refill = true;
  #runs = 0;
  #startBytes = 0;
  /** The run asked for more memory than it may have. */
  refused = false;
  /** The module's memory grew during the run. */
  grew = false;

  constructor(maxBytes: number) {
    const memory = new Memory({ initial: INITIAL_MODULE_BYTES / PAGE_BYTES, maximum: Math.floor(maxBytes / PAGE_BYTES) });
    const grow = memory.grow.bind(memory);
    // Emscripten grows through `wasmMemory.grow(pages)` and treats a throw as "cannot grow".
    Object.defineProperty(memory, 'grow', {
      value: (pages: number): number => {
        if (memory.buffer.byteLength + pages * PAGE_BYTES > this.#ceiling) {
          this.refused = true;
          throw new RangeError('sandbox memory limit');
        }
        this.grew = true;
        return grow(pages);
      },
    });
    this.memory = memory;
  }

  /** Gives the guard the module's malloc, for the balloon. */
  attach(module: QuickJSWASMModule): void {
    // `module` is protected in quickjs-emscripten's types; it is the Emscripten module, with malloc and free.
    this.#allocator = (module as unknown as { module: Allocator }).module;
  }

  get bytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** Bytes the module grew by during the run: a lower bound of the run's peak heap. */
  get grownBytes(): number {
    return this.bytes - this.#startBytes;
  }

  /** Lets the run's heap reach about `limitBytes` until `endRun`. Call it after the run's context exists. */
  beginRun(limitBytes: number): void {
    const reserve = Math.min(RESERVE_BYTES, Math.floor(limitBytes / 2));
    if (this.#refill || reserve !== this.#reserveWanted || ++this.#runs % REFILL_EVERY_RUNS === 0) this.#refillBalloon(reserve);
    this.#startBytes = this.bytes;
    this.#ceiling = this.#startBytes + Math.max(0, limitBytes - this.#reserve);
    this.refused = false;
    this.grew = false;
  }

  endRun(): void {
    this.#ceiling = Infinity;
    // What the run grew is free memory once its runtime is gone: the next run must not find it.
    if (this.grew) this.#refill = true;
  }

  /** Takes all free memory into the balloon, then lets `reserve` of it go. */
  #refillBalloon(reserve: number): void {
    const allocator = this.#allocator;
    if (!allocator) return;
    this.#ceiling = this.bytes;
    for (let block = allocator._malloc(BALLOON_BLOCK_BYTES); block !== 0; block = allocator._malloc(BALLOON_BLOCK_BYTES)) this.#balloon.push(block);
    let released = 0;
    while (released < reserve && this.#balloon.length) {
      allocator._free(this.#balloon.pop()!);
      released += BALLOON_BLOCK_BYTES;
    }
    this.#reserve = released;
    this.#reserveWanted = reserve;
    this.#refill = false;
  }
}

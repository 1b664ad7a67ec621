import fs from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { newQuickJSWASMModuleFromVariant, newVariant, type QuickJSSyncVariant, type QuickJSWASMModule } from 'quickjs-emscripten';
import { gcLayout, type GcLayout } from './gc-layout.ts';
import { functionPrototypes, type FunctionPrototypes } from './function-prototypes.ts';
import { globalNames, type GuestBuild } from './guest.ts';
import { counterOffset } from './interrupt-cadence.ts';
import { KeptRuntime } from './kept-runtime.ts';
import { MemoryGuard } from './memory-guard.ts';

/** One WebAssembly instance of QuickJS, lent to one run at a time. */
export type PooledModule = {
  readonly id: number;
  readonly module: QuickJSWASMModule;
  /** The module's WebAssembly memory, capped and watched (see memory-guard.ts). */
  readonly guard: MemoryGuard;
  /** Where this build keeps the interrupt countdown, or null to leave QuickJS's cadence alone. */
  readonly counterOffset: number | null;
  /** What opening a guest needs to know of the build (see guest.ts). */
  readonly build: GuestBuild;
  /** The QuickJS runtime the module's runs share (each in a context of its own); null until a run makes one. */
  runtime: KeptRuntime | null;
  /** A runtime to keep, or null when this build cannot keep runtimes (then each run makes its own). */
  readonly newRuntime: () => KeptRuntime | null;
  runs: number;
};

export type PoolOptions = {
  variant: QuickJSSyncVariant;
  /** Modules lent at once on each nesting level, so runs at once; further runs of a level wait for one. */
  maxModules: number;
  /** Nesting levels (see `acquire`); each has `maxModules` of its own. */
  levels: number;
  /** A module is replaced after this many runs, so fragmentation of its heap cannot build up forever. */
  maxRunsPerModule: number;
  /** Hard cap on one module's WebAssembly memory, whatever a run's limit says. */
  maxModuleBytes: number;
  /** WebAssembly memory never shrinks: a module whose memory grew past this is replaced after its run. */
  retireModuleBytes: number;
};

export type PoolStats = {
  modules: number;
  idle: number;
  busy: number;
  waiting: number;
  created: number;
  /** Modules dropped after a fault that may have damaged them (a trap, a host stack overflow, a leak). */
  damaged: number;
  /** Modules dropped because they were worn (too many runs) or grown (too much memory). */
  retired: number;
  /** True when interrupts are checked every few ticks (see interrupt-cadence.ts); false on an unproven build. */
  preciseInterrupts: boolean;
  /** QuickJS runtimes made to be kept across runs (a module's is replaced after a fault, a limit hit or a run that left something behind). */
  runtimes: number;
  /** True when runs share their module's runtime (see kept-runtime.ts); false on an unproven build, where each run makes its own. */
  keptRuntimes: boolean;
};

/** A run waiting for a module; `timer` gives up for it, until a module is on its way to it. */
type Waiter = { resolve: (m: PooledModule | null) => void; reject: (e: unknown) => void; timer?: ReturnType<typeof setTimeout> };

/**
 * Lends modules out exclusively: a run owns its module until it ends, so a module that must be discarded
 * takes no other run down with it. Each run still makes its own runtime and context inside the module;
 * the module (≈15 ms to instantiate) is what the pool saves.
 *
 * A run that a host function of another run started (a save script run by a script's write) is lent a
 * module of the next nesting level, each level with `maxModules` of its own: its callers hold modules of
 * lower levels only, so it never waits for one of theirs, and runs cannot deadlock the pool. At most
 * `maxModules × levels` modules are lent at once, and at most `maxModules` kept idle.
 */
export class ModulePool {
  #options: PoolOptions;
  #idle: PooledModule[] = [];
  /** The level each lent module was lent on. */
  #busy = new Map<PooledModule, number>();
  /** Per level: modules lent or being created for a run. */
  #taken: number[];
  #waiting: Waiter[][];
  #creating = 0;
  #nextId = 1;
  #closed = false;
  #offset: number | null | undefined;
  #gcLayout: GcLayout | null | undefined;
  #build: GuestBuild | undefined;
  #prototypes: FunctionPrototypes | null | undefined;
  #counts = { created: 0, damaged: 0, retired: 0, runtimes: 0 };

  constructor(options: PoolOptions) {
    this.#options = options;
    this.#taken = Array.from({ length: options.levels }, () => 0);
    this.#waiting = Array.from({ length: options.levels }, () => []);
  }

  /**
   * A module for a run of nesting `level` (0 for a run no other run waits on), or null when none came
   * back within `waitMs`.
   */
  async acquire(level = 0, waitMs = Infinity): Promise<PooledModule | null> {
    const idle = this.take(level);
    if (idle) return idle;
    if (this.#taken[level]! >= this.#options.maxModules) return this.#wait(level, waitMs);
    this.#taken[level]!++;
    try {
      return this.#lend(await this.#create(), level);
    } catch (error) {
      this.#taken[level]!--;
      throw error;
    }
  }

  /** An idle module for a run of nesting `level`, lent at once, or null when `acquire` must make one or wait. */
  take(level = 0): PooledModule | null {
    if (this.#closed) throw new Error('the sandbox is disposed');
    if (!Number.isInteger(level) || level < 0 || level >= this.#options.levels) throw new RangeError(`level must be an integer from 0 to ${this.#options.levels - 1}`);
    if (this.#taken[level]! >= this.#options.maxModules || this.#idle.length === 0) return null;
    this.#taken[level]!++;
    return this.#lend(this.#idle.pop()!, level);
  }

  /** Takes a module back. `damaged`: it faulted in a way that may have left its memory inconsistent. */
  release(pooled: PooledModule, damaged: boolean): void {
    const level = this.#busy.get(pooled);
    if (level === undefined) return;
    this.#busy.delete(pooled);
    pooled.runs++;
    const worn = pooled.runs >= this.#options.maxRunsPerModule || pooled.guard.bytes > this.#options.retireModuleBytes;
    if (damaged) this.#counts.damaged++;
    else if (worn) this.#counts.retired++;
    const keep = !damaged && !worn && !this.#closed;
    // A run of the same level waits only while its level has no module to spare: it takes this one's place.
    const waiter = this.#waiting[level]!.shift();
    if (waiter) {
      clearTimeout(waiter.timer);
      if (keep) return waiter.resolve(this.#lend(pooled, level));
      this.#create().then(
        (m) => waiter.resolve(this.#lend(m, level)),
        (error: unknown) => {
          this.#taken[level]!--;
          waiter.reject(error);
        },
      );
      return;
    }
    this.#taken[level]!--;
    // Beyond `maxModules` idle, a module lent to a nested run is let go: memory stays what one level needs.
    if (keep && this.#idle.length < this.#options.maxModules) this.#idle.push(pooled);
  }

  /** Creates modules until `count` are idle, so the first runs do not pay for instantiation. */
  async warm(count: number): Promise<void> {
    const wanted = Math.min(count, this.#options.maxModules) - this.#idle.length - this.#busy.size - this.#creating;
    const created = await Promise.all(Array.from({ length: Math.max(0, wanted) }, () => this.#create()));
    if (this.#closed) return;
    // Runs wait only on a level that has all its modules lent: a new module is idle, not theirs.
    for (const m of created) if (this.#idle.length < this.#options.maxModules) this.#idle.push(m);
  }

  stats(): PoolStats {
    return {
      modules: this.#idle.length + this.#busy.size,
      idle: this.#idle.length,
      busy: this.#busy.size,
      waiting: this.#waiting.reduce((sum, queue) => sum + queue.length, 0),
      ...this.#counts,
      preciseInterrupts: this.#offset != null,
      keptRuntimes: this.#gcLayout != null,
    };
  }

  /** Drops idle modules and refuses new runs; runs in progress finish, and their modules are dropped. */
  close(): void {
    this.#closed = true;
    this.#idle = [];
    for (const waiter of this.#waiting.flatMap((queue) => queue.splice(0))) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error('the sandbox is disposed'));
    }
  }

  #wait(level: number, waitMs: number): Promise<PooledModule | null> {
    const queue = this.#waiting[level]!;
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { resolve, reject };
      queue.push(waiter);
      if (Number.isFinite(waitMs)) {
        waiter.timer = setTimeout(() => {
          queue.splice(queue.indexOf(waiter), 1);
          resolve(null);
        }, Math.max(0, waitMs));
      }
    });
  }

  #lend(pooled: PooledModule, level: number): PooledModule {
    this.#busy.set(pooled, level);
    return pooled;
  }

  async #create(): Promise<PooledModule> {
    this.#creating++;
    try {
      this.#offset ??= await counterOffset(this.#options.variant);
      const layout = (this.#gcLayout ??= await gcLayout(this.#options.variant));
      this.#prototypes ??= await functionPrototypes(this.#options.variant);
      const guard = new MemoryGuard(this.#options.maxModuleBytes);
      const module = await instantiate(this.#options.variant, guard.memory);
      guard.attach(module);
      const build = (this.#build ??= { globals: globalNames(module), prototypes: this.#prototypes });
      this.#counts.created++;
      const newRuntime = () => {
        if (!layout) return null;
        this.#counts.runtimes++;
        return new KeptRuntime(module, layout, guard.memory, this.#options.maxModuleBytes);
      };
      return { id: this.#nextId++, module, guard, counterOffset: this.#offset, build, runtime: null, newRuntime, runs: 0 };
    } finally {
      this.#creating--;
    }
  }
}

type WasmModule = object;
type WasmApi = { compile(bytes: Uint8Array): Promise<WasmModule> };
// Node has WebAssembly; the repo's TypeScript libs (ES2024, no DOM) do not declare it.
const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The compiled WebAssembly.Module of each variant whose .wasm file could be found, compiled once. */
const compiled = new WeakMap<QuickJSSyncVariant, Promise<WasmModule | null>>();

/**
 * A new instance of `variant` on `memory`. Instances are made from one WebAssembly.Module per variant,
 * compiled once: V8 compiles a module's functions quickly at first and optimises the hot ones as they run,
 * so an instance compiled afresh (each pooled module otherwise is) runs its first few hundred scripts
 * markedly slower; instances of one module share its optimised code. The first instance of a variant is
 * made the ordinary way, which tells where its .wasm file is; a variant that never says (one with the
 * module inlined) keeps being instantiated the ordinary way.
 */
async function instantiate(variant: QuickJSSyncVariant, memory: unknown): Promise<QuickJSWASMModule> {
  const known = compiled.get(variant);
  const wasmModule = known && (await known);
  if (wasmModule) return newQuickJSWASMModuleFromVariant(newVariant(variant, { wasmMemory: memory as never, wasmModule: wasmModule as never }));
  let located: string | undefined;
  const module = await newQuickJSWASMModuleFromVariant(
    newVariant(variant, {
      wasmMemory: memory as never,
      locateFile: (file: string, directory: string) => (located = directory + file),
    }),
  );
  if (!compiled.has(variant) && located?.endsWith('.wasm')) {
    const path = located.startsWith('file:') ? fileURLToPath(located) : located;
    compiled.set(
      variant,
      fs
        .readFile(path)
        .then((bytes) => Wasm.compile(bytes))
        .catch(() => null),
    );
  }
  return module;
}

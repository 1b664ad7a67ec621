import { AsyncLocalStorage } from 'node:async_hooks';
import { RELEASE_SYNC, type QuickJSSyncVariant } from 'quickjs-emscripten';
import { checkHostFunctions, type HostFunctions } from './bridge.ts';
import { determinismConfig, type Determinism } from './determinism.ts';
import { TimeLimitError } from './errors.ts';
import { resolveLimits, type Limits } from './limits.ts';
import { stringifyStrict, type JsonValue } from './marshal.ts';
import { INITIAL_MODULE_BYTES } from './memory-guard.ts';
import { ModulePool, type PoolStats } from './pool.ts';
import { runScript, type RunResult } from './run-script.ts';

export type SandboxOptions = {
  /** Limits for every run of this sandbox (each run may override them). */
  limits?: Partial<Limits>;
  /** Runs at once (one WebAssembly module each, ≈16 MB and up) per nesting level; more wait their turn. Default 8. */
  maxModules?: number;
  /**
   * How deep runs nest: a run started while a host function of another run works (which waits for it) is
   * one level deeper, and each level has `maxModules` modules of its own, so a nested run never waits for
   * a module its callers hold. Runs deeper than this share the deepest level (where they could wait for
   * each other until their wall-clock limit). Default 4.
   */
  nestingLevels?: number;
  /** A module is replaced after this many runs. Default 1,000. */
  maxRunsPerModule?: number;
  /**
   * Hard cap on the WebAssembly memory of one module (so of one run), whatever the run's limit says: at most
   * `maxModules × nestingLevels × maxModuleBytes` go to scripts. A run's `memoryBytes` may not exceed it minus 16 MiB (the
   * module's own footprint). Default 128 MiB.
   */
  maxModuleBytes?: number;
  /**
   * The QuickJS build: a sync variant. Default the release build. (Debug builds carry LeakSanitizer, which
   * exits when memory runs out, so a memory limit hit there ends in an engine fault.)
   */
  variant?: QuickJSSyncVariant;
  /**
   * Told about faults of the engine, not of scripts, each of which costs a module: Node's stack overflowing
   * inside it, a WebAssembly trap, or QuickJS aborting because objects were still referenced when a runtime
   * was freed (a handle leaked by the sandbox, or QuickJS's own leak after running out of memory inside
   * promise jobs). The run itself still answers with a result. Log these.
   */
  onFault?: (fault: unknown) => void;
};

export type RunOptions = {
  /** The argument of the script's default export; JSON only. */
  input?: JsonValue;
  /** Capabilities granted to this run only. */
  hostFunctions?: HostFunctions;
  limits?: Partial<Limits>;
  determinism?: Determinism;
  /** The file name in the guest's stack traces and syntax errors. Default `script.js`. */
  filename?: string;
  /**
   * Count the guest heap for `usage.memoryBytes` at the end of the run. Counting walks the whole heap (a few
   * per cent of a short run), so without this it is done only for runs that grew their module's memory.
   */
  measureMemory?: boolean;
};

export type SandboxStats = PoolStats;

/**
 * Runs admin-written scripts in QuickJS, one fresh runtime and context per run, on pooled WebAssembly
 * modules. `run` answers `{ ok: false, error }` for anything the script does; it throws only for mistakes
 * of the host (bad options, a host function answering something that is not JSON).
 */
export class Sandbox {
  #pool: ModulePool;
  #levels: number;
  /** The run whose host functions are working, seen from the runs they start. */
  #nesting = new AsyncLocalStorage<{ level: number; running: boolean }>();
  #limits: Partial<Limits>;
  /** The limits of a run that sets none of its own. */
  #defaultLimits: Readonly<Limits>;
  #onFault: (fault: unknown) => void;
  #maxModuleBytes: number;

  constructor(options: SandboxOptions = {}) {
    this.#maxModuleBytes = positive(options.maxModuleBytes ?? 128 * 1024 * 1024, 'maxModuleBytes');
    this.#defaultLimits = Object.freeze(this.#checkMemory(resolveLimits(options.limits)));
    this.#limits = { ...options.limits };
    this.#onFault = options.onFault ?? (() => {});
    this.#levels = positive(options.nestingLevels ?? 4, 'nestingLevels');
    this.#pool = new ModulePool({
      variant: options.variant ?? RELEASE_SYNC,
      maxModules: positive(options.maxModules ?? 8, 'maxModules'),
      levels: this.#levels,
      maxRunsPerModule: positive(options.maxRunsPerModule ?? 1_000, 'maxRunsPerModule'),
      maxModuleBytes: this.#maxModuleBytes,
      retireModuleBytes: 2 * INITIAL_MODULE_BYTES,
    });
  }

  /** Runs `code`, an ES module whose default export is called with `options.input`. */
  async run(code: string, options: RunOptions = {}): Promise<RunResult> {
    const arrivedAt = performance.now();
    if (typeof code !== 'string') throw new TypeError('the script must be a string of JavaScript');
    const filename = options.filename ?? 'script.js';
    if (!/^[^\n\r]{1,200}$/.test(filename)) throw new TypeError('filename must be one line of 1 to 200 characters');
    const functions = options.hostFunctions ?? {};
    const request = {
      code,
      filename,
      inputJson: stringifyStrict(options.input, 'the run input'),
      functions,
      names: checkHostFunctions(functions),
      limits: options.limits ? this.#checkMemory(resolveLimits(this.#limits, options.limits)) : this.#defaultLimits,
      determinism: determinismConfig(options.determinism),
      measureMemory: options.measureMemory === true,
      maxModuleBytes: this.#maxModuleBytes,
      arrivedAt,
    };
    const outer = this.#nesting.getStore();
    const level = outer?.running ? Math.min(outer.level + 1, this.#levels - 1) : 0;
    // Waiting for a module is part of the run's wall-clock time.
    const pooled = this.#pool.take(level) ?? (await this.#pool.acquire(level, request.limits.wallMs));
    if (!pooled) return waitedTooLong(request.limits.wallMs, arrivedAt);
    const frame = { level, running: true };
    let damaged = true;
    try {
      const report = await this.#nesting.run(frame, () => runScript(pooled, request));
      damaged = report.damaged;
      if (report.fault !== null) this.#onFault(report.fault);
      if (report.hostFault) throw report.hostFault;
      return report.result;
    } finally {
      frame.running = false;
      this.#pool.release(pooled, damaged);
    }
  }

  #checkMemory(limits: Limits): Limits {
    const most = this.#maxModuleBytes - INITIAL_MODULE_BYTES;
    if (limits.memoryBytes > most) throw new RangeError(`memoryBytes may be at most ${most} (maxModuleBytes minus the module's 16 MiB)`);
    return limits;
  }

  /** Instantiates modules ahead of time, so the first `count` runs at once need not wait for one. */
  warmUp(count = 1): Promise<void> {
    return this.#pool.warm(count);
  }

  stats(): SandboxStats {
    return this.#pool.stats();
  }

  /** Refuses new runs and drops idle modules; runs in progress finish. */
  dispose(): void {
    this.#pool.close();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

export function createSandbox(options?: SandboxOptions): Sandbox {
  return new Sandbox(options);
}

function waitedTooLong(wallMs: number, arrivedAt: number): RunResult {
  const usage = { cpuMs: 0, wallMs: Math.round(performance.now() - arrivedAt), hostCalls: 0, outputBytes: 0, memoryBytes: null };
  return { ok: false, error: new TimeLimitError(wallMs, 'module'), logs: [], usage };
}

function positive(n: number, name: string): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`${name} must be a positive integer, got ${String(n)}`);
  return n;
}

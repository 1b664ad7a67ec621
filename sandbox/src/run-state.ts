import type { LogEntry } from './console.ts';
import { CpuLimitError, MemoryLimitError, ScriptError, StackLimitError, TimeLimitError, type SandboxError } from './errors.ts';
import type { Poke } from './interrupt-cadence.ts';
import type { Limits } from './limits.ts';
import type { MemoryGuard } from './memory-guard.ts';

/**
 * The meters and the verdict of one run. The guest only executes inside `slice()`; the CPU clock runs only
 * there, so time spent awaiting host functions is not CPU time. Whoever finds a limit broken calls
 * `fail()`: from then on the interrupt handler stops the guest at its next check, and the driver ends the
 * run after the current slice. The first failure wins.
 */
export class RunState {
  readonly limits: Limits;
  readonly startedAt: number;
  readonly logs: LogEntry[] = [];
  cpuMs = 0;
  hostCalls = 0;
  outputBytes = 0;
  failure: SandboxError | null = null;
  /** A programming error of the host found mid-run (say, a host function returned a BigInt): the run throws it. */
  hostFault: Error | null = null;
  /** The module faulted in a way that may have left it inconsistent: touch nothing of it again. */
  damaged = false;
  /** Whatever was thrown out of the engine when it was damaged, for the sandbox's `onFault`. */
  fault: unknown = null;
  poke: Poke | null = null;
  guard: MemoryGuard | null = null;
  #sliceStartedAt = 0;
  #inSlice = false;

  constructor(limits: Limits, startedAt = performance.now()) {
    this.limits = limits;
    this.startedAt = startedAt;
  }

  fail(error: SandboxError): SandboxError {
    this.failure ??= error;
    return this.failure;
  }

  failHost(error: Error): void {
    this.hostFault ??= error;
    this.fail(new ScriptError('The host broke the sandbox contract.', { reason: 'HOST_FAULT' }));
  }

  /** The heap was refused room to grow (memory-guard.ts): the run is over, even if the guest caught the error. */
  #outOfMemory(): boolean {
    if (!this.guard?.refused) return false;
    this.fail(new MemoryLimitError(this.limits.memoryBytes, { engineMessage: 'out of memory' }));
    return true;
  }

  wallMs(now = performance.now()): number {
    return now - this.startedAt;
  }

  wallRemaining(): number {
    return this.limits.wallMs - this.wallMs();
  }

  /** Called by QuickJS every few ticks while the guest runs; true stops the guest (uncatchably). */
  interrupt = (): boolean => {
    this.poke?.();
    if (this.failure || this.#outOfMemory()) return true;
    const now = performance.now();
    const cpu = this.cpuMs + (now - this.#sliceStartedAt);
    if (cpu > this.limits.cpuMs) return !!this.fail(new CpuLimitError(this.limits.cpuMs, cpu));
    if (this.wallMs(now) > this.limits.wallMs) return !!this.fail(new TimeLimitError(this.limits.wallMs, 'guest'));
    return false;
  };

  /**
   * Runs `fn`, which enters the guest, on the CPU clock. An exception that comes out of the engine itself
   * rather than out of the guest (V8's stack overflowing inside WebAssembly, a WebAssembly trap) unwound C
   * frames halfway: the module is marked damaged and the run fails; the caller must check `damaged`.
   */
  slice<T>(fn: () => T): T | undefined {
    if (this.damaged) return undefined;
    if (this.#inSlice) return fn();
    this.#inSlice = true;
    this.#sliceStartedAt = performance.now();
    try {
      const result = fn();
      this.#outOfMemory();
      return result;
    } catch (error) {
      if (error instanceof RangeError && /call stack/i.test(error.message)) {
        this.fail(new StackLimitError(this.limits.stackBytes, true));
      } else if ((error as { name?: unknown } | null)?.name === 'RuntimeError' || (error as { name?: unknown } | null)?.name === 'ExitStatus') {
        // WebAssembly.RuntimeError: a trap, or Emscripten's abort() on a failed assertion; ExitStatus: the
        // build called exit() (debug builds' sanitizers do when they run out of memory).
        this.fail(new ScriptError('The script crashed the engine.', { reason: 'ENGINE_FAULT', engineMessage: String((error as { message?: unknown }).message) }));
      } else {
        throw error;
      }
      this.damaged = true;
      this.fault = error;
      return undefined;
    } finally {
      this.#inSlice = false;
      this.cpuMs += performance.now() - this.#sliceStartedAt;
    }
  }
}

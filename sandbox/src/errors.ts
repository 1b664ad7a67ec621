/**
 * Why a run failed. Codes are stable: the platform stores them with run records and shows them to admins,
 * so never rename one (add a new one instead).
 */
export const SandboxErrorCode = {
  /** The guest ran past its CPU-time budget. */
  LIMIT_CPU: 'SCRIPT_LIMIT_CPU',
  /** An allocation would have taken the runtime's heap past its limit (and the script did not recover). */
  LIMIT_MEMORY: 'SCRIPT_LIMIT_MEMORY',
  /** The guest recursed too deep. */
  LIMIT_STACK: 'SCRIPT_LIMIT_STACK',
  /** The guest called host functions more often than allowed. */
  LIMIT_HOST_CALLS: 'SCRIPT_LIMIT_HOST_CALLS',
  /** Logs plus the returned value outgrew the output budget. */
  LIMIT_OUTPUT: 'SCRIPT_LIMIT_OUTPUT',
  /** The run outlived its wall-clock budget, or waited on a promise that nothing could ever settle. */
  LIMIT_TIME: 'SCRIPT_LIMIT_TIME',
  /** The source does not parse; `details` has `line` and `column`. */
  SYNTAX: 'SCRIPT_SYNTAX',
  /** The guest threw (or returned something that is not JSON); `details` has the guest's `name` and `stack`. */
  ERROR: 'SCRIPT_ERROR',
  /** A host function failed; the guest sees this as a catchable error whose `code` is the host's code. */
  HOST_ERROR: 'SCRIPT_HOST_ERROR',
} as const;

/** A limit the host keeps on what its functions do (records read, HTTP calls…), named by the host. */
export type HostLimitCode = `SCRIPT_LIMIT_${Uppercase<string>}`;

export type SandboxErrorCode = (typeof SandboxErrorCode)[keyof typeof SandboxErrorCode] | HostLimitCode;

export type SandboxErrorDetails = Record<string, unknown>;

/**
 * A run's failure, as a value: the runner returns it in `{ ok: false, error }` rather than throwing it.
 * `toJSON` keeps `message`, which `JSON.stringify` would otherwise drop from an Error.
 */
export class SandboxError extends Error {
  override name = 'SandboxError';
  readonly code: SandboxErrorCode;
  readonly details: SandboxErrorDetails;

  constructor(code: SandboxErrorCode, message: string, details: SandboxErrorDetails = {}) {
    super(message);
    this.code = code;
    this.details = details;
  }

  toJSON(): { code: SandboxErrorCode; message: string; details: SandboxErrorDetails } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export class CpuLimitError extends SandboxError {
  override name = 'CpuLimitError';
  constructor(limitMs: number, usedMs: number) {
    super(SandboxErrorCode.LIMIT_CPU, `The script used more than ${limitMs} ms of CPU time.`, { limitMs, usedMs: Math.round(usedMs) });
  }
}

export class MemoryLimitError extends SandboxError {
  override name = 'MemoryLimitError';
  /** `usedBytes`: the heap measured over the limit; `engineMessage`: what QuickJS said when an allocation failed. */
  constructor(limitBytes: number, seen: { usedBytes?: number; engineMessage?: string }) {
    super(SandboxErrorCode.LIMIT_MEMORY, `The script needed more than ${limitBytes} bytes of memory.`, { limitBytes, ...seen });
  }
}

export class StackLimitError extends SandboxError {
  override name = 'StackLimitError';
  /** `hostStack`: the engine's own check did not fire first and the host's stack ran out (the module is discarded). */
  constructor(limitBytes: number, hostStack = false) {
    super(SandboxErrorCode.LIMIT_STACK, 'The script recursed too deeply.', { limitBytes, ...(hostStack && { hostStack }) });
  }
}

export class HostCallLimitError extends SandboxError {
  override name = 'HostCallLimitError';
  constructor(limit: number, fn: string) {
    super(SandboxErrorCode.LIMIT_HOST_CALLS, `The script made more than ${limit} host calls.`, { limit, function: fn });
  }
}

export class OutputLimitError extends SandboxError {
  override name = 'OutputLimitError';
  constructor(limitBytes: number, source: 'logs' | 'result') {
    super(SandboxErrorCode.LIMIT_OUTPUT, `The script's logs and result exceed ${limitBytes} bytes.`, { limitBytes, source });
  }
}

export class TimeLimitError extends SandboxError {
  override name = 'TimeLimitError';
  /**
   * `waitingFor: 'nothing'`: no host call was in flight and no job was queued, so the run could never finish;
   * `'module'`: every module of its nesting level stayed lent out, and the script never started.
   */
  constructor(limitMs: number, waitingFor: 'host' | 'nothing' | 'guest' | 'module') {
    const message =
      waitingFor === 'nothing' ? 'The script is waiting for a promise that nothing can settle.' : `The script ran for more than ${limitMs} ms.`;
    super(SandboxErrorCode.LIMIT_TIME, message, { limitMs, waitingFor });
  }
}

export class ScriptSyntaxError extends SandboxError {
  override name = 'ScriptSyntaxError';
  constructor(message: string, line: number, column: number) {
    super(SandboxErrorCode.SYNTAX, message, { line, column });
  }
}

/** The guest threw, or broke the script contract (no default export, a result that is not JSON, …). */
export class ScriptError extends SandboxError {
  override name = 'ScriptError';
  constructor(message: string, details: SandboxErrorDetails = {}) {
    super(SandboxErrorCode.ERROR, message, details);
  }
}

/**
 * A host function failed. Host functions may throw one to choose the code the guest sees; anything else
 * they throw is turned into one (its string `code`, else SCRIPT_HOST_ERROR). The guest receives it as an
 * `Error` named `HostError` with `message`, `code` (this `hostCode`) and `function`; if the guest lets it
 * escape, the run ends with a `ScriptError` whose details carry that code.
 */
export class HostFunctionError extends SandboxError {
  override name = 'HostFunctionError';
  readonly hostCode: string;
  constructor(fn: string, message: string, hostCode: string = SandboxErrorCode.HOST_ERROR) {
    super(SandboxErrorCode.HOST_ERROR, message, { function: fn, code: hostCode });
    this.hostCode = hostCode;
  }
}

/**
 * Thrown by a host function to end the run, not just the call: the guest cannot catch it, and the run
 * fails with this error. For limits the host keeps on its own capabilities (records read, HTTP calls),
 * so that a script cannot swallow the refusal and keep trying.
 */
export class HostLimitError extends SandboxError {
  override name = 'HostLimitError';
  constructor(code: HostLimitCode, message: string, details: SandboxErrorDetails = {}) {
    super(code, message, details);
  }
}

// The public face of `sandbox/`: everything else in src/ is internal.
export { Sandbox, createSandbox, type RunOptions, type SandboxOptions, type SandboxStats } from './sandbox.ts';
export type { RunResult, RunUsage } from './run-script.ts';
export type { HostCall, HostFunction, HostFunctions } from './bridge.ts';
export type { LogEntry, LogLevel } from './console.ts';
export type { Determinism } from './determinism.ts';
export type { JsonValue } from './marshal.ts';
export { DEFAULT_LIMITS, DEFAULT_STACK_BYTES, MAX_STACK_BYTES, type Limits } from './limits.ts';
export { LOG_MESSAGE_CHARS } from './console.ts';
export {
  CpuLimitError,
  HostCallLimitError,
  HostFunctionError,
  HostLimitError,
  MemoryLimitError,
  OutputLimitError,
  SandboxError,
  SandboxErrorCode,
  ScriptError,
  ScriptSyntaxError,
  StackLimitError,
  TimeLimitError,
  type HostLimitCode,
  type SandboxErrorDetails,
} from './errors.ts';

/** What one run may consume. Every field has a default; a sandbox and each run may override any of them. */
export type Limits = {
  /** Milliseconds the guest may spend executing. Time inside host functions is not counted. */
  cpuMs: number;
  /** Milliseconds from the start of the run to its result, host calls and waiting included. */
  wallMs: number;
  /** Bytes the guest's heap may hold (QuickJS `setMemoryLimit`). */
  memoryBytes: number;
  /** Bytes of guest stack. Default `DEFAULT_STACK_BYTES` (64 KiB); capped at `MAX_STACK_BYTES` (256 KiB). */
  stackBytes: number;
  /** Host function calls per run. */
  hostCalls: number;
  /** UTF-8 bytes of log messages plus the serialized result. */
  outputBytes: number;
};

/**
 * Deeper than this, recursion inside the engine can exhaust Node's own stack before QuickJS's check fires
 * (measured: 512 KB and "no limit" both let a deep recursion overflow the host; 256 KB failed inside the
 * guest). Even 256 KB does not hold for every path: JSON.stringify/parse of very deep nesting, and
 * toString/valueOf recursion when Node's stack is already deep, still overflow Node first. The runner
 * catches that (SCRIPT_LIMIT_STACK, `hostStack: true`) and discards the module; 64 KB kept every measured
 * path inside the guest.
 */
export const MAX_STACK_BYTES = 256 * 1024;

/**
 * The default guest stack: about 300 plain recursive calls (290 with a few locals per frame, 170 async ones,
 * 140 nested toString calls; measured), which ordinary scripts never come near. At this size every deep
 * recursion measured fails inside the guest, including JSON.parse/stringify of nesting 100,000 deep, which at
 * 128 KB and up overflows Node's stack first and costs the run its module.
 */
export const DEFAULT_STACK_BYTES = 64 * 1024;

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  cpuMs: 1_000,
  wallMs: 30_000,
  // Small on purpose: a single engine operation (a copy, a sort) costs more the bigger the heap, and the CPU
  // deadline can only land between operations.
  memoryBytes: 32 * 1024 * 1024,
  stackBytes: DEFAULT_STACK_BYTES,
  hostCalls: 1_000,
  outputBytes: 1024 * 1024,
});

/** The limits of one run: defaults, then the sandbox's, then the run's. Throws on a nonsensical value. */
export function resolveLimits(...layers: (Partial<Limits> | undefined)[]): Limits {
  const limits: Limits = { ...DEFAULT_LIMITS };
  for (const layer of layers) {
    if (!layer) continue;
    for (const key of Object.keys(DEFAULT_LIMITS) as (keyof Limits)[]) {
      const value = layer[key];
      if (value === undefined) continue;
      if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new RangeError(`sandbox limit ${key} must be a positive number, got ${String(value)}`);
      limits[key] = value;
    }
  }
  limits.stackBytes = Math.min(limits.stackBytes, MAX_STACK_BYTES);
  limits.hostCalls = Math.floor(limits.hostCalls);
  return limits;
}

/** Messages between the main thread and the PGlite worker. */
export type WorkerRequest =
  | { kind: 'query'; id: number; sql: string; params: readonly unknown[] }
  | { kind: 'exec'; id: number; sql: string }
  | { kind: 'listen'; id: number; channel: string }
  | { kind: 'unlisten'; id: number; channel: string }
  | { kind: 'close'; id: number };

export type SerialisedError = { message: string; fields: Record<string, unknown> };

export type WorkerReply =
  | { kind: 'ready' }
  | { kind: 'failed'; error: SerialisedError }
  | { kind: 'result'; id: number; rows: Record<string, unknown>[]; affectedRows: number | null }
  | { kind: 'error'; id: number; error: SerialisedError }
  | { kind: 'notify'; channel: string; payload: string };

import type { Locale } from '../contracts/common.ts';
import type { ObjectDefinition } from '../contracts/meta.ts';
import type { CheckedSource } from './check.ts';
import type { CompileResult } from './compile.ts';
import type { ScriptTypes } from './type-check.ts';

/** What the main thread asks the compiler worker (compiler-worker.ts); one request at a time. */
export type CompilerRequest =
  | { id: number; kind: 'types'; objects: ObjectDefinition[]; version: number }
  | { id: number; kind: 'check'; source: string; locale: Locale; types: ScriptTypes }
  | { id: number; kind: 'compile'; source: string; locale: Locale };

export type CompilerReply =
  | { kind: 'ready' }
  | { id: number; kind: 'types'; text: string }
  | { id: number; kind: 'check'; result: CheckedSource }
  | { id: number; kind: 'compile'; result: CompileResult }
  | { id: number; kind: 'failed'; message: string };

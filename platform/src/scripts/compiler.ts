import { Worker } from 'node:worker_threads';
import type { Locale } from '../contracts/common.ts';
import type { ObjectDefinition } from '../contracts/meta.ts';
import type { CheckedSource } from './check.ts';
import type { CompileResult } from './compile.ts';
import type { CompilerReply, CompilerRequest } from './compiler-protocol.ts';
import type { ScriptTypes } from './type-check.ts';

/** The worker took too long (a type that explodes) or ran out of memory: it is gone, the next request starts another. */
export class CompilerUnavailableError extends Error {
  override name = 'CompilerUnavailableError';
  readonly reason: 'timeout' | 'crashed';
  constructor(reason: 'timeout' | 'crashed', detail = '') {
    super(`The script compiler ${reason === 'timeout' ? 'timed out' : 'stopped'}${detail ? `: ${detail}` : ''}`);
    this.reason = reason;
  }
}

type Request = CompilerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;
export type CompilerOptions = { startMs: number; requestMs: number; maxHeapMb: number };

/**
 * The main thread's handle on the compiler worker (compiler-worker.ts). The worker starts on first use,
 * so a platform that never compiles a script never loads TypeScript; it does not keep the process alive.
 * Requests go one at a time, each with a time limit, so a hostile script costs at most that long and
 * only the admin who sent it waits.
 */
export class ScriptCompiler {
  readonly options: CompilerOptions;
  #worker: Worker | null = null;
  #ready: Promise<Worker> | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  #nextId = 1;

  constructor(options: Partial<CompilerOptions> = {}) {
    this.options = { startMs: 60_000, requestMs: 10_000, maxHeapMb: 1024, ...options };
  }

  async generate(objects: ObjectDefinition[], version: number): Promise<string> {
    const reply = await this.#enqueue({ kind: 'types', objects, version });
    return (reply as Extract<CompilerReply, { kind: 'types' }>).text;
  }

  async check(source: string, types: ScriptTypes, locale: Locale): Promise<CheckedSource> {
    const reply = await this.#enqueue({ kind: 'check', source, types, locale });
    return (reply as Extract<CompilerReply, { kind: 'check' }>).result;
  }

  /** Syntax and sandbox rules only, no types: what publishing a script needs, and its JavaScript. */
  async compile(source: string, locale: Locale): Promise<CompileResult> {
    const reply = await this.#enqueue({ kind: 'compile', source, locale });
    return (reply as Extract<CompilerReply, { kind: 'compile' }>).result;
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    if (worker) this.#forget(worker);
    await worker?.terminate();
  }

  /** A worker that is being ended is never handed to the next request, even before its 'exit' comes. */
  #forget(worker: Worker): void {
    if (this.#worker !== worker) return;
    this.#worker = null;
    this.#ready = null;
  }

  #enqueue(request: Request): Promise<CompilerReply> {
    const run = this.#queue.then(() => this.#send(request));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #start(): Promise<Worker> {
    if (this.#ready) return this.#ready;
    const worker = new Worker(new URL('./compiler-worker.ts', import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: this.options.maxHeapMb } });
    worker.unref();
    // Always listened to: an 'error' event without a listener would throw in the main thread. What the
    // worker was doing is failed by 'exit', which follows.
    worker.on('error', () => {});
    const ready = new Promise<Worker>((resolve, reject) => {
      const timer = setTimeout(() => settle(new CompilerUnavailableError('timeout', 'starting')), this.options.startMs);
      const onMessage = (reply: CompilerReply) => reply.kind === 'ready' && settle(null);
      const onExit = (code: number) => settle(new CompilerUnavailableError('crashed', `exit code ${code} while starting`));
      const settle = (error: Error | null) => {
        clearTimeout(timer);
        worker.off('message', onMessage).off('exit', onExit);
        if (!error) return resolve(worker);
        this.#forget(worker);
        void worker.terminate();
        reject(error);
      };
      worker.on('message', onMessage).on('exit', onExit);
    });
    this.#worker = worker;
    this.#ready = ready;
    worker.once('exit', () => this.#forget(worker));
    return ready;
  }

  async #send(request: Request): Promise<CompilerReply> {
    const worker = await this.#start();
    const id = this.#nextId++;
    return new Promise<CompilerReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        settle();
        this.#forget(worker);
        void worker.terminate();
        reject(new CompilerUnavailableError('timeout', `no answer within ${this.options.requestMs} ms`));
      }, this.options.requestMs);
      const onMessage = (reply: CompilerReply) => {
        if (!('id' in reply) || reply.id !== id) return;
        settle();
        if (reply.kind === 'failed') reject(new Error(reply.message));
        else resolve(reply);
      };
      const onExit = (code: number) => {
        settle();
        reject(new CompilerUnavailableError('crashed', `exit code ${code}`));
      };
      // Listening for 'message' keeps the process alive until the answer comes; idle, the worker does not.
      const settle = () => {
        clearTimeout(timer);
        worker.off('message', onMessage).off('exit', onExit);
      };
      worker.on('message', onMessage).on('exit', onExit);
      worker.postMessage({ ...request, id } as CompilerRequest);
    });
  }
}

import { Worker } from 'node:worker_threads';
import type { SerialisedError, WorkerReply, WorkerRequest } from './pglite-worker-protocol.ts';

type Pending = { resolve: (r: { rows: Record<string, unknown>[]; affectedRows: number | null }) => void; reject: (e: Error) => void };
type Request = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** An Error that carries PostgreSQL's fields (code, constraint…) across the thread boundary. */
function revive(error: SerialisedError): Error {
  return Object.assign(new Error(error.message), error.fields);
}

/** The main thread's handle on the PGlite worker: request/response by id, NOTIFY fanned out to listeners. */
export class PGliteWorkerClient {
  #worker: Worker;
  #pending = new Map<number, Pending>();
  #listeners = new Map<string, Set<(payload: string) => void>>();
  #nextId = 1;
  #exited: Error | null = null;

  private constructor(worker: Worker) {
    this.#worker = worker;
    worker.on('message', (reply: WorkerReply) => this.#onReply(reply));
    worker.on('exit', () => this.#fail(new Error('The PGlite worker stopped')));
    worker.on('error', (error) => this.#fail(error));
  }

  static async start(dataDir: string | null): Promise<PGliteWorkerClient> {
    const worker = new Worker(new URL('./pglite-worker.ts', import.meta.url), { workerData: { dataDir } });
    await new Promise<void>((resolve, reject) => {
      const onMessage = (reply: WorkerReply) => {
        if (reply.kind === 'ready') settle(null);
        if (reply.kind === 'failed') settle(revive(reply.error));
      };
      const onError = (error: Error) => settle(error);
      const onExit = (code: number) => settle(new Error(`The PGlite worker exited with code ${code} while starting`));
      // Only the startup listeners are removed: dropping a Worker's last 'message' listener unrefs it.
      const settle = (error: Error | null) => {
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
        if (error) reject(error);
        else resolve();
      };
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    });
    return new PGliteWorkerClient(worker);
  }

  query(sql: string, params: readonly unknown[]) {
    return this.#send({ kind: 'query', sql, params });
  }

  /** A parameterless multi-statement script (simple protocol); the rows of all its statements, in order. */
  async exec(sql: string): Promise<Record<string, unknown>[]> {
    return (await this.#send({ kind: 'exec', sql })).rows;
  }

  async listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>> {
    const set = this.#listeners.get(channel) ?? new Set();
    this.#listeners.set(channel, set);
    set.add(onPayload);
    if (set.size === 1) await this.#send({ kind: 'listen', channel });
    return async () => {
      set.delete(onPayload);
      if (set.size === 0 && !this.#exited) await this.#send({ kind: 'unlisten', channel });
    };
  }

  async close(): Promise<void> {
    if (this.#exited) return;
    await this.#send({ kind: 'close' });
    await this.#worker.terminate();
  }

  #send(request: Request) {
    if (this.#exited) return Promise.reject(this.#exited);
    const id = this.#nextId++;
    return new Promise<{ rows: Record<string, unknown>[]; affectedRows: number | null }>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ ...request, id } as WorkerRequest);
    });
  }

  #onReply(reply: WorkerReply) {
    if (reply.kind === 'notify') {
      for (const listener of this.#listeners.get(reply.channel) ?? []) listener(reply.payload);
      return;
    }
    if (reply.kind !== 'result' && reply.kind !== 'error') return;
    const pending = this.#pending.get(reply.id);
    this.#pending.delete(reply.id);
    if (reply.kind === 'result') pending?.resolve({ rows: reply.rows, affectedRows: reply.affectedRows });
    else pending?.reject(revive(reply.error));
  }

  #fail(error: Error) {
    this.#exited ??= error;
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }
}

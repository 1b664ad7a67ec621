import { sql, type KyselyPlugin, type PluginTransformQueryArgs, type PluginTransformResultArgs, type QueryResult, type RootOperationNode, type UnknownRow } from 'kysely';
import { inTransaction, type Ctx } from '../core/context.ts';

/** What a host call's database work meets once its run is over. */
export class RunEndedError extends Error {
  override name = 'RunEndedError';
  constructor() {
    super('The script run has ended.');
  }
}

/** Lets queries through until it is shut; a query built after that throws before it reaches the database. */
class Gate implements KyselyPlugin {
  open = true;

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    if (!this.open) throw new RunEndedError();
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

let savepoints = 0;

/**
 * `fn` in a savepoint of the caller's transaction: if it fails, what it did is undone and the transaction
 * goes on (on PostgreSQL a failed statement would otherwise abort all of it). Its after-commit hooks join
 * the transaction's only if it succeeds.
 */
async function inSavepoint<T>(ctx: Ctx, fn: (tx: Ctx) => Promise<T>): Promise<T> {
  const name = `tb_script_${++savepoints}`;
  await sql.raw(`savepoint ${name}`).execute(ctx.db);
  const afterCommit: (() => void)[] = [];
  let result: T;
  try {
    result = await fn({ ...ctx, afterCommit });
  } catch (error) {
    await sql.raw(`rollback to savepoint ${name}`).execute(ctx.db);
    await sql.raw(`release savepoint ${name}`).execute(ctx.db);
    throw error;
  }
  await sql.raw(`release savepoint ${name}`).execute(ctx.db);
  ctx.afterCommit!.push(...afterCommit);
  return result;
}

/**
 * The host calls of one run, which may still be working when the guest is done (a script need not await
 * them). The runner `end`s the scope before it answers: no call starts after that, the calls in flight
 * get until the run's wall-clock limit to settle, and then the database is shut to whatever is left, so
 * nothing of theirs reaches a transaction that is being committed or rolled back, or commits on its own.
 *
 * Inside the run's caller's transaction (a save's, a test run's), each call's database work runs alone
 * and in a savepoint: a write that is refused, and caught by the script, leaves nothing behind.
 */
export class RunScope {
  /** The run's context, its database shut when the run ends. */
  readonly ctx: Ctx;
  #gate = new Gate();
  #pending = new Set<Promise<unknown>>();
  #ended = false;
  /** The call whose savepoint is open: the next waits for it, so that savepoints nest and never interleave. */
  #turn: Promise<unknown> = Promise.resolve();

  constructor(ctx: Ctx) {
    this.ctx = this.#gated(ctx);
  }

  /** A host call, refused once the run has ended, and waited for by `end` until it settles. */
  track<T>(call: () => Promise<T>): Promise<T> {
    if (this.#ended) return Promise.reject(new RunEndedError());
    const promise = (async () => call())();
    this.#pending.add(promise);
    const settled = () => this.#pending.delete(promise);
    promise.then(settled, settled);
    return promise;
  }

  /** Reads of a host call. */
  read<T>(fn: (ctx: Ctx) => Promise<T>): Promise<T> {
    return this.ctx.afterCommit ? this.#alone(() => inSavepoint(this.ctx, fn)) : fn(this.ctx);
  }

  /** Writes of a host call: outside a transaction, in one of their own, which commits only while the run goes on. */
  write<T>(fn: (tx: Ctx) => Promise<T>): Promise<T> {
    if (this.ctx.afterCommit) return this.#alone(() => inSavepoint(this.ctx, fn));
    return inTransaction(this.ctx, async (tx) => {
      const result = await fn(this.#gated(tx));
      if (!this.#gate.open) throw new RunEndedError();
      return result;
    });
  }

  /**
   * Ends the run's host calls: waits up to `waitMs` for those in flight, then shuts the database to them.
   * Answers whether every call had settled.
   */
  async end(waitMs: number): Promise<boolean> {
    this.#ended = true;
    if (this.#pending.size && waitMs > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise((resolve) => (timer = setTimeout(resolve, waitMs)));
      await Promise.race([Promise.allSettled(this.#pending), timeout]);
      clearTimeout(timer);
    }
    this.#gate.open = false;
    return this.#pending.size === 0;
  }

  #alone<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#turn.then(fn);
    // The queue goes on after a failed call; the call's own caller gets its error from `result`.
    this.#turn = result.catch(() => undefined);
    return result;
  }

  #gated(ctx: Ctx): Ctx {
    return { ...ctx, db: ctx.db.withPlugin(this.#gate) };
  }
}

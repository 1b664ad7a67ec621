import type { CompiledQuery, DatabaseConnection, Dialect, Driver, QueryCompiler, QueryResult, TransactionSettings } from 'kysely';

type Options = Parameters<DatabaseConnection['executeQuery']>[1];

/**
 * A connection whose BEGIN is held back until its first statement and then sent with it: postgres.js
 * writes both to the socket at once, so a transaction costs one round trip and one write fewer.
 * PostgreSQL still receives BEGIN first; a transaction that never ran a statement sends nothing.
 */
class PipelinedBeginConnection implements DatabaseConnection {
  readonly inner: DatabaseConnection;
  begin: CompiledQuery[] = [];

  constructor(inner: DatabaseConnection) {
    this.inner = inner;
  }

  async executeQuery<R>(query: CompiledQuery, options?: Options): Promise<QueryResult<R>> {
    if (this.begin.length === 0) return this.inner.executeQuery<R>(query, options);
    const pending = this.begin.splice(0).map((begin) => this.inner.executeQuery(begin, options));
    const [result] = await Promise.all([this.inner.executeQuery<R>(query, options), ...pending]);
    return result;
  }

  async *streamQuery<R>(query: CompiledQuery, chunkSize: number, options?: Options): AsyncIterableIterator<QueryResult<R>> {
    for (const begin of this.begin.splice(0)) await this.inner.executeQuery(begin, options);
    yield* this.inner.streamQuery<R>(query, chunkSize, options);
  }

  cancelQuery: DatabaseConnection['cancelQuery'] = (provider) => this.inner.cancelQuery?.(provider) ?? Promise.resolve();
  collectSessionInfo: DatabaseConnection['collectSessionInfo'] = () => this.inner.collectSessionInfo?.() ?? Promise.resolve();
  killSession: DatabaseConnection['killSession'] = (provider) => this.inner.killSession?.(provider) ?? Promise.resolve();
}

/** Records the statements a driver would send to begin a transaction, instead of sending them. */
function recorder(into: CompiledQuery[]): DatabaseConnection {
  return {
    async executeQuery<R>(query: CompiledQuery) {
      into.push(query);
      return { rows: [] as R[] };
    },
    streamQuery: () => {
      throw new Error('a transaction begins with plain statements');
    },
  };
}

class PipelinedBeginDriver implements Driver {
  #inner: Driver;

  constructor(inner: Driver) {
    this.#inner = inner;
  }

  init: Driver['init'] = (options) => this.#inner.init(options);
  destroy: Driver['destroy'] = (options) => this.#inner.destroy(options);

  async acquireConnection(options?: Options): Promise<DatabaseConnection> {
    return new PipelinedBeginConnection(await this.#inner.acquireConnection(options));
  }

  async releaseConnection(connection: DatabaseConnection, options?: Options): Promise<void> {
    const c = connection as PipelinedBeginConnection;
    c.begin = [];
    await this.#inner.releaseConnection(c.inner, options);
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const c = connection as PipelinedBeginConnection;
    await this.#inner.beginTransaction(recorder(c.begin), settings);
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const c = connection as PipelinedBeginConnection;
    if (c.begin.length > 0) c.begin = [];
    else await this.#inner.commitTransaction(c.inner);
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const c = connection as PipelinedBeginConnection;
    if (c.begin.length > 0) c.begin = [];
    else await this.#inner.rollbackTransaction(c.inner);
  }

  // Savepoints are statements: they go through the connection, which sends a held-back BEGIN first.
  async savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    await this.#inner.savepoint!(connection, name, compile);
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    await this.#inner.rollbackToSavepoint!(connection, name, compile);
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    await this.#inner.releaseSavepoint!(connection, name, compile);
  }
}

/** `dialect` with each transaction's BEGIN sent together with its first statement (see above). */
export function pipelinedBegin(dialect: Dialect): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createDriver: () => new PipelinedBeginDriver(dialect.createDriver()),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createIntrospector: (db) => dialect.createIntrospector(db),
  };
}

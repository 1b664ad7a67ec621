import { CompiledQuery, PGliteDialect, type DatabaseConnection, type Driver, type QueryResult, type TransactionSettings } from 'kysely';
import type { PGliteWorkerClient } from './pglite-worker-client.ts';

/**
 * Kysely's PGlite dialect (compiler, adapter, introspector) with a driver that sends each query to the
 * worker thread owning PGlite. Kysely's adapter marks PGlite as single-connection, so Kysely hands the
 * one connection to one caller at a time and a transaction's statements are never interleaved.
 */
export class PGliteWorkerDialect extends PGliteDialect {
  #client: PGliteWorkerClient;

  constructor(client: PGliteWorkerClient) {
    super({
      pglite: () => {
        throw new Error('PGliteWorkerDialect has its own driver');
      },
    });
    this.#client = client;
  }

  override createDriver(): Driver {
    const client = this.#client;
    const connection: DatabaseConnection = {
      async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
        const { rows, affectedRows } = await client.query(compiled.sql, compiled.parameters);
        return { rows: rows as R[], numAffectedRows: affectedRows == null ? undefined : BigInt(affectedRows) };
      },
      streamQuery() {
        throw new Error('Streaming is not supported by PGlite.');
      },
    };
    const run = (sql: string) => connection.executeQuery(CompiledQuery.raw(sql)).then(() => undefined);
    return {
      init: async () => {},
      acquireConnection: async () => connection,
      releaseConnection: async () => {},
      beginTransaction: (_c, settings: TransactionSettings) =>
        run(settings.isolationLevel ? `begin isolation level ${settings.isolationLevel}` : 'begin'),
      commitTransaction: () => run('commit'),
      rollbackTransaction: () => run('rollback'),
      destroy: () => client.close(),
    };
  }
}

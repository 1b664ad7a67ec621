import { CompiledQuery, PGliteAdapter, PGliteDialect, type DatabaseConnection, type DialectAdapter, type Driver, type QueryResult, type TransactionSettings } from 'kysely';
import { LanedLock } from './lanes.ts';
import type { PGliteWorkerClient } from './pglite-worker-client.ts';

/** Kysely's PGlite adapter, but the driver below, not Kysely, hands the one connection out. */
class LanedAdapter extends PGliteAdapter {
  override get supportsMultipleConnections(): boolean {
    return true;
  }
}

/**
 * Kysely's PGlite dialect (compiler, introspector) with a driver that sends each query to the worker
 * thread owning PGlite. The driver hands the one connection to one caller at a time, so a transaction's
 * statements are never interleaved, and to the urgent lane first (db/lanes.ts).
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

  override createAdapter(): DialectAdapter {
    return new LanedAdapter();
  }

  override createDriver(): Driver {
    const client = this.#client;
    const lock = new LanedLock();
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
      acquireConnection: async () => {
        await lock.acquire();
        return connection;
      },
      releaseConnection: async () => lock.release(),
      beginTransaction: (_c, settings: TransactionSettings) =>
        run(settings.isolationLevel ? `begin isolation level ${settings.isolationLevel}` : 'begin'),
      commitTransaction: () => run('commit'),
      rollbackTransaction: () => run('rollback'),
      destroy: () => client.close(),
    };
  }
}

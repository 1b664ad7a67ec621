import path from 'node:path';
import { Kysely, PGliteDialect } from 'kysely';
import { PostgresJSDialect } from 'kysely-postgres-js';
import postgres from 'postgres';
import { createPglite } from './create-pglite.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { PGliteWorkerClient } from './pglite-worker-client.ts';
import { PGliteWorkerDialect } from './pglite-worker-dialect.ts';
import { pipelinedBegin } from './pipelined-begin.ts';

export type Dialect = 'pglite' | 'postgres';

/** The one handle to the database: Kysely for queries, plus LISTEN for cross-process wake-ups. */
export type Database = {
  kysely: Kysely<any>;
  dialect: Dialect;
  /** Subscribes to NOTIFY on a channel; resolves to an unsubscribe function. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  /**
   * PGlite only: runs a parameterless multi-statement script on the single connection and returns the
   * rows of all its statements. Callers must hold the connection (`kysely.connection()`), or the script
   * could land inside someone else's transaction.
   */
  execScript?(sql: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
};

/** Where PGlite executes: a worker thread (default) keeps long queries from stalling the event loop. */
export type PGliteThread = 'worker' | 'main';

export type DatabaseTarget =
  | { kind: 'postgres'; url: string; max: number }
  | { kind: 'pglite'; dataDir: string; thread?: PGliteThread }
  | { kind: 'pglite-memory'; thread?: PGliteThread };

export function databaseTarget(config: { databaseUrl: string | undefined; dataDir: string; pgliteThread: PGliteThread; dbPoolSize: number }): DatabaseTarget {
  return config.databaseUrl ? { kind: 'postgres', url: config.databaseUrl, max: config.dbPoolSize } : { kind: 'pglite', dataDir: config.dataDir, thread: config.pgliteThread };
}

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  return target.kind === 'postgres' ? openPostgres(target.url, target.max) : openPglite(target);
}

async function openPostgres(url: string, max: number): Promise<Database> {
  const client = postgres(url, { max, onnotice: () => {}, connection: { application_name: 'threadbase' } });
  const kysely = new Kysely<any>({ dialect: pipelinedBegin(new PostgresJSDialect({ postgres: client })) });
  return {
    kysely,
    dialect: 'postgres',
    async listen(channel, onPayload) {
      const { unlisten } = await client.listen(channel, onPayload);
      return unlisten;
    },
    async close() {
      await kysely.destroy();
    },
  };
}

async function openPglite(target: Extract<DatabaseTarget, { kind: 'pglite' | 'pglite-memory' }>): Promise<Database> {
  const dataDir = target.kind === 'pglite' ? path.join(target.dataDir, 'pg') : null;
  const unlock = target.kind === 'pglite' ? lockDataDir(target.dataDir) : () => {};
  try {
    const opened = target.thread === 'main' ? await onMainThread(dataDir) : await inWorker(dataDir);
    return {
      ...opened,
      dialect: 'pglite',
      async close() {
        await opened.close();
        unlock();
      },
    };
  } catch (error) {
    unlock();
    throw error;
  }
}

async function inWorker(dataDir: string | null): Promise<Omit<Database, 'dialect'>> {
  const client = await PGliteWorkerClient.start(dataDir);
  const kysely = new Kysely<any>({ dialect: new PGliteWorkerDialect(client) });
  return {
    kysely,
    listen: (channel, onPayload) => client.listen(channel, onPayload),
    execScript: (sql) => client.exec(sql),
    async close() {
      await kysely.destroy();
      await client.close();
    },
  };
}

async function onMainThread(dataDir: string | null): Promise<Omit<Database, 'dialect'>> {
  const pglite = await createPglite(dataDir);
  const kysely = new Kysely<any>({ dialect: new PGliteDialect({ pglite }) });
  return {
    kysely,
    listen: (channel, onPayload) => pglite.listen(channel, onPayload),
    execScript: async (sql) => (await pglite.exec(sql, { rowMode: 'object' })).flatMap((r) => r.rows as Record<string, unknown>[]),
    async close() {
      await kysely.destroy();
      if (!pglite.closed) await pglite.close();
    },
  };
}

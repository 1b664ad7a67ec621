import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect } from 'kysely';
import { PostgresJSDialect } from 'kysely-postgres-js';
import postgres from 'postgres';
import { lockDataDir } from './data-dir-lock.ts';

export type Dialect = 'pglite' | 'postgres';

/** The one handle to the database: Kysely for queries, plus LISTEN for cross-process wake-ups. */
export type Database = {
  kysely: Kysely<any>;
  dialect: Dialect;
  /** Subscribes to NOTIFY on a channel; resolves to an unsubscribe function. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
};

export type DatabaseTarget =
  | { kind: 'postgres'; url: string; max?: number }
  | { kind: 'pglite'; dataDir: string }
  | { kind: 'pglite-memory' };

export function databaseTarget(config: { databaseUrl: string | undefined; dataDir: string }): DatabaseTarget {
  return config.databaseUrl ? { kind: 'postgres', url: config.databaseUrl } : { kind: 'pglite', dataDir: config.dataDir };
}

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  return target.kind === 'postgres' ? openPostgres(target.url, target.max ?? 10) : openPglite(target);
}

async function openPostgres(url: string, max: number): Promise<Database> {
  const client = postgres(url, { max, onnotice: () => {}, connection: { application_name: 'threadbase' } });
  const kysely = new Kysely<any>({ dialect: new PostgresJSDialect({ postgres: client }) });
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

async function openPglite(target: { kind: 'pglite'; dataDir: string } | { kind: 'pglite-memory' }): Promise<Database> {
  const unlock = target.kind === 'pglite' ? lockDataDir(target.dataDir) : () => {};
  try {
    const pglite = target.kind === 'pglite' ? await PGlite.create(path.join(target.dataDir, 'pg')) : await PGlite.create();
    const kysely = new Kysely<any>({ dialect: new PGliteDialect({ pglite }) });
    return {
      kysely,
      dialect: 'pglite',
      async listen(channel, onPayload) {
        const unsubscribe = await pglite.listen(channel, onPayload);
        return unsubscribe;
      },
      async close() {
        await kysely.destroy();
        if (!pglite.closed) await pglite.close();
        unlock();
      },
    };
  } catch (error) {
    unlock();
    throw error;
  }
}

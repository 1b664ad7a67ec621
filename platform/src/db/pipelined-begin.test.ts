import { CompiledQuery, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, sql, type DatabaseConnection, type Driver } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig, testTarget } from '../testing/index.ts';
import { openDatabase, type Database } from './open-database.ts';
import { pipelinedBegin } from './pipelined-begin.ts';

/** A driver that answers every statement at once and logs when each was sent and when it was answered. */
function loggingKysely() {
  const log: string[] = [];
  const connection: DatabaseConnection = {
    async executeQuery(query) {
      log.push(`send ${query.sql}`);
      await Promise.resolve();
      log.push(`done ${query.sql}`);
      return { rows: [] };
    },
    streamQuery: () => {
      throw new Error('not used');
    },
  };
  const driver: Driver = {
    init: async () => {},
    acquireConnection: async () => connection,
    beginTransaction: async (c, settings) => void (await c.executeQuery(CompiledQuery.raw(settings.isolationLevel ? `start transaction isolation level ${settings.isolationLevel}` : 'begin'))),
    commitTransaction: async (c) => void (await c.executeQuery(CompiledQuery.raw('commit'))),
    rollbackTransaction: async (c) => void (await c.executeQuery(CompiledQuery.raw('rollback'))),
    releaseConnection: async () => {},
    destroy: async () => {},
  };
  const dialect = pipelinedBegin({
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => driver,
    createQueryCompiler: () => new PostgresQueryCompiler(),
    createIntrospector: (db) => new PostgresIntrospector(db),
  });
  return { kysely: new Kysely<any>({ dialect }), log };
}

describe('pipelined BEGIN', () => {
  it('sends BEGIN together with the first statement, before waiting for either', async () => {
    const { kysely, log } = loggingKysely();
    await kysely.transaction().execute(async (trx) => {
      await sql`insert into a values (1)`.execute(trx);
      await sql`insert into b values (2)`.execute(trx);
    });
    expect(log).toEqual([
      'send begin', 'send insert into a values (1)', 'done begin', 'done insert into a values (1)',
      'send insert into b values (2)', 'done insert into b values (2)',
      'send commit', 'done commit',
    ]);
  });

  it('keeps the transaction settings, and sends nothing for a transaction without statements', async () => {
    const { kysely, log } = loggingKysely();
    await kysely.transaction().setIsolationLevel('serializable').execute(async (trx) => sql`select 1`.execute(trx));
    expect(log[0]).toBe('send start transaction isolation level serializable');
    log.length = 0;
    expect(await kysely.transaction().execute(async () => 42)).toBe(42);
    await expect(kysely.transaction().execute(async () => Promise.reject(new Error('before any statement')))).rejects.toThrow('before any statement');
    expect(log).toEqual([]);
  });
});

describe('transactions on the platform database', () => {
  let db: Database;
  const table = `${testConfig().schema}_pipelined`;

  beforeAll(async () => {
    db = await openDatabase(testTarget());
    await sql`create table ${sql.table(table)} (n int primary key)`.execute(db.kysely);
  });
  afterAll(async () => {
    await sql`drop table if exists ${sql.table(table)}`.execute(db.kysely);
    await db.close();
  });

  it('commit what they did, roll back on an error, and honour the isolation level', async () => {
    await db.kysely.transaction().execute(async (trx) => {
      await sql`insert into ${sql.table(table)} values (1)`.execute(trx);
      await sql`insert into ${sql.table(table)} values (2)`.execute(trx);
    });
    await expect(
      db.kysely.transaction().execute(async (trx) => {
        await sql`insert into ${sql.table(table)} values (3)`.execute(trx);
        await sql`insert into ${sql.table(table)} values (1)`.execute(trx);
      }),
    ).rejects.toThrow();
    await expect(db.kysely.transaction().execute(async (trx) => sql`select 1 / 0`.execute(trx))).rejects.toThrow();
    const level = await db.kysely.transaction().setIsolationLevel('serializable').execute(async (trx) => (await sql<{ level: string }>`select current_setting('transaction_isolation') as level`.execute(trx)).rows[0]!.level);
    expect(level).toBe('serializable');
    const rows = await sql<{ n: number }>`select n from ${sql.table(table)} order by n`.execute(db.kysely);
    expect(rows.rows.map((r) => r.n)).toEqual([1, 2]);
  });
});

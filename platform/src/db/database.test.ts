import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig, testTarget } from '../testing/index.ts';
import { buildPgliteTemplate, templateFile } from './create-pglite.ts';
import { DataDirLockedError } from './data-dir-lock.ts';
import { runMigrations, pendingMigrations, type Migration, type MigrationScope } from './migrate.ts';
import { openDatabase, type Database } from './open-database.ts';
import { jsonb, toNumber } from './tables.ts';

let db: Database;
const prefix = testConfig().schema;

beforeAll(async () => {
  db = await openDatabase(testTarget());
});
afterAll(async () => {
  for (const schema of [prefix, `${prefix}_m`]) await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db.kysely);
  await db.close();
});

const created: string[] = [];
const migrations: Migration[] = [
  {
    name: '001_things',
    async up(trx, schema) {
      created.push('001');
      await sql`create table ${sql.table(`${schema}.things`)} (id int primary key, data jsonb)`.execute(trx);
    },
  },
  {
    name: '002_more',
    async up(trx, schema) {
      created.push('002');
      await sql`alter table ${sql.table(`${schema}.things`)} add column note text`.execute(trx);
    },
  },
];
const scope: MigrationScope = { scope: 'test', schema: `${prefix}_m`, createSchemas: [`${prefix}_m`], migrations };

describe('migrations', () => {
  it('apply in order, once, and report what is pending', async () => {
    expect(await pendingMigrations(db.kysely, prefix, [scope])).toEqual(['test:001_things', 'test:002_more']);
    expect(await runMigrations(db.kysely, prefix, [scope])).toEqual(['test:001_things', 'test:002_more']);
    expect(await runMigrations(db.kysely, prefix, [scope])).toEqual([]);
    expect(await pendingMigrations(db.kysely, prefix, [scope])).toEqual([]);
    expect(created).toEqual(['001', '002']);
  });

  it('run once when several starts race for them', async () => {
    const counted: string[] = [];
    const racing: MigrationScope = {
      ...scope,
      migrations: [...migrations, { name: '003_race', up: async () => void counted.push('003') }],
    };
    // On PostgreSQL a second connection pool stands for a second process; PGlite has only one.
    const other = db.dialect === 'postgres' ? await openDatabase(testTarget()) : db;
    try {
      const results = await Promise.all([runMigrations(db.kysely, prefix, [racing]), runMigrations(other.kysely, prefix, [racing])]);
      expect(results.flat()).toEqual(['test:003_race']);
      expect(counted).toEqual(['003']);
    } finally {
      if (other !== db) await other.close();
    }
  });

  it('leave nothing behind when one fails half-way', async () => {
    const failing: MigrationScope = {
      ...scope,
      migrations: [
        ...migrations,
        {
          name: '004_half',
          async up(trx, schema) {
            await sql`create table ${sql.table(`${schema}.half`)} (id int)`.execute(trx);
            throw new Error('disk full');
          },
        },
      ],
    };
    await expect(runMigrations(db.kysely, prefix, [failing])).rejects.toThrow('disk full');
    const half = await sql<{ t: string | null }>`select to_regclass(${`${prefix}_m.half`})::text as t`.execute(db.kysely);
    expect(half.rows[0]!.t).toBeNull();
    expect(await pendingMigrations(db.kysely, prefix, [failing])).toEqual(['test:004_half']);
  });
});

describe('dialect differences hidden by db/', () => {
  it('jsonb values and counts come back the same on both drivers', async () => {
    const things = sql.table(`${prefix}_m.things`);
    await sql`insert into ${things} (id, data) values (1, ${jsonb({ a: [1, 'two'] })}), (2, ${jsonb('text')})`.execute(db.kysely);
    const rows = await sql<{ data: unknown }>`select data from ${things} order by id`.execute(db.kysely);
    expect(rows.rows.map((r) => r.data)).toEqual([{ a: [1, 'two'] }, 'text']);
    const count = await sql<{ n: string | number }>`select count(*) as n from ${things}`.execute(db.kysely);
    expect(toNumber(count.rows[0]!.n)).toBe(2);
  });

  it('a rolled-back transaction does not take a concurrent write with it', async () => {
    const things = sql.table(`${prefix}_m.things`);
    const doomed = db.kysely
      .transaction()
      .execute(async (trx) => {
        await sql`insert into ${things} (id) values (10)`.execute(trx);
        await new Promise((r) => setTimeout(r, 50));
        throw new Error('rollback');
      })
      .catch(() => undefined);
    await new Promise((r) => setTimeout(r, 10));
    await sql`insert into ${things} (id) values (11)`.execute(db.kysely);
    await doomed;
    const ids = await sql<{ id: number }>`select id from ${things} where id >= 10 order by id`.execute(db.kysely);
    expect(ids.rows.map((r) => r.id)).toEqual([11]);
  });
});

describe('embedded PGlite data folder', () => {
  it('a new folder is restored from the initdb template and keeps what is written', async () => {
    await buildPgliteTemplate();
    expect(fs.existsSync(templateFile)).toBe(true);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tb-template-'));
    try {
      const first = await openDatabase({ kind: 'pglite', dataDir: dir });
      expect(fs.existsSync(path.join(dir, 'pg', 'PG_VERSION'))).toBe(true);
      await sql`create table from_template (v int)`.execute(first.kysely);
      await sql`insert into from_template values (42)`.execute(first.kysely);
      await first.close();
      const again = await openDatabase({ kind: 'pglite', dataDir: dir, thread: 'main' });
      expect((await sql<{ v: number }>`select v from from_template`.execute(again.kysely)).rows).toEqual([{ v: 42 }]);
      await again.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is reopened with nothing lost, and refuses a second process while in use', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tb-pglite-'));
    try {
      const first = await openDatabase({ kind: 'pglite', dataDir: dir });
      await sql`create table kept (v text)`.execute(first.kysely);
      await sql`insert into kept values ('still here')`.execute(first.kysely);
      fs.writeFileSync(path.join(dir, 'threadbase.pid'), String(process.ppid));
      await expect(openDatabase({ kind: 'pglite', dataDir: dir })).rejects.toThrow(DataDirLockedError);
      fs.writeFileSync(path.join(dir, 'threadbase.pid'), String(process.pid));
      await first.close();
      expect(fs.existsSync(path.join(dir, 'threadbase.pid'))).toBe(false);
      const again = await openDatabase({ kind: 'pglite', dataDir: dir });
      const rows = await sql<{ v: string }>`select v from kept`.execute(again.kysely);
      expect(rows.rows).toEqual([{ v: 'still here' }]);
      await again.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});


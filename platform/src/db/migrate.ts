import { sql, type Kysely } from 'kysely';

/** A migration gets the transaction and the schema it applies to (the global one or a workspace's). */
export type Migration = {
  name: string;
  up: (db: Kysely<any>, schema: string) => Promise<void>;
};

/** `schema` is what the migrations receive; `createSchemas` are created first when missing. */
export type MigrationScope = { scope: string; schema: string; createSchemas: readonly string[]; migrations: readonly Migration[] };

/**
 * Applies pending migrations of each scope in one transaction under an advisory lock, so two processes
 * starting together run them once, and a process killed half-way leaves nothing applied.
 * Returns the names applied, as `scope:name`.
 */
export async function runMigrations(db: Kysely<any>, globalSchema: string, scopes: readonly MigrationScope[]): Promise<string[]> {
  // The common case, a restart with nothing to do, answers from one read instead of DDL under a lock.
  if ((await pendingMigrations(db, globalSchema, scopes)).length === 0) return [];
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${`threadbase:migrate:${globalSchema}`}))`.execute(trx);
    await sql`create schema if not exists ${sql.id(globalSchema)}`.execute(trx);
    await sql`create table if not exists ${sql.table(`${globalSchema}.migrations`)} (
      scope text not null,
      name text not null,
      applied_at timestamptz not null default now(),
      primary key (scope, name)
    )`.execute(trx);
    const applied: string[] = [];
    for (const { scope, schema, createSchemas, migrations } of scopes) {
      for (const name of createSchemas) await sql`create schema if not exists ${sql.id(name)}`.execute(trx);
      const done = await trx.withSchema(globalSchema).selectFrom('migrations').select('name').where('scope', '=', scope).execute();
      const doneNames = new Set(done.map((r) => r.name as string));
      for (const migration of migrations) {
        if (doneNames.has(migration.name)) continue;
        await migration.up(trx, schema);
        await trx.withSchema(globalSchema).insertInto('migrations').values({ scope, name: migration.name }).execute();
        applied.push(`${scope}:${migration.name}`);
      }
    }
    return applied;
  });
}

/** Lists the migrations not yet applied, without taking the lock (for `readyz`). */
export async function pendingMigrations(db: Kysely<any>, globalSchema: string, scopes: readonly MigrationScope[]): Promise<string[]> {
  const exists = await sql<{ ok: boolean }>`select to_regclass(${`${globalSchema}.migrations`}) is not null as ok`.execute(db);
  const all = scopes.flatMap((s) => s.migrations.map((m) => `${s.scope}:${m.name}`));
  if (!exists.rows[0]?.ok) return all;
  const done = await db.withSchema(globalSchema).selectFrom('migrations').select(['scope', 'name']).execute();
  const doneSet = new Set(done.map((r) => `${r.scope}:${r.name}`));
  return all.filter((n) => !doneSet.has(n));
}

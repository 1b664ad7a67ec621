import { sql, type Kysely } from 'kysely';

export const table = (schema: string, name: string) => sql.table(`${schema}.${name}`);

export async function run(db: Kysely<any>, statements: ReturnType<typeof sql>[]) {
  for (const statement of statements) await statement.execute(db);
}

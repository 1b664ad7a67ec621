import { sql } from 'kysely';
import type { FieldDefinition } from '../contracts/meta.ts';
import { toNumber } from '../db/tables.ts';
import type { SchemaTarget } from './apply.ts';
import { columnsOf } from './columns.ts';

/** Archived definitions whose storage a purge removes: whole tables, and fields of tables that stay. */
export type ArchivedStorage = { tables: string[]; fields: { object: string; field: FieldDefinition }[] };

const dataTable = (target: SchemaTarget, object: string) => sql.table(`${target.schemas.data}.${object}`);

/**
 * What a purge would destroy, read in one scan per table: its rows, and for each field the rows holding
 * a value in any of its columns (a currency's code counts too). Computed fields store nothing: null.
 */
export async function storedData(target: SchemaTarget, object: string, fields: readonly FieldDefinition[]): Promise<{ rows: number; values: (number | null)[] }> {
  const stored = fields.map((f, i) => ({ i, columns: columnsOf(f) })).filter((f) => f.columns.length > 0);
  const counts = stored.map(({ i, columns }) => sql`count(*) filter (where ${sql.join(columns.map((c) => sql`${sql.ref(c.name)} is not null`), sql` or `)}) as ${sql.id(`v${i}`)}`);
  const row = (await sql<Record<string, string | number>>`select ${sql.join([sql`count(*) as total`, ...counts])} from ${dataTable(target, object)}`.execute(target.db)).rows[0]!;
  return { rows: toNumber(row.total), values: fields.map((_, i) => (`v${i}` in row ? toNumber(row[`v${i}`]) : null)) };
}

/**
 * Drops the columns first, so an archived lookup that pointed into a dropped table no longer holds its
 * foreign key; then all tables in one statement, so tables referencing each other go together. Without
 * `cascade`, anything the caller's checks missed still pointing at a table makes PostgreSQL refuse.
 */
export async function dropArchived(target: SchemaTarget, storage: ArchivedStorage): Promise<void> {
  const byObject = Map.groupBy(storage.fields, (f) => f.object);
  for (const [object, fields] of byObject) {
    const columns = fields.flatMap((f) => columnsOf(f.field));
    if (columns.length === 0) continue;
    await sql`alter table ${dataTable(target, object)} ${sql.join(columns.map((c) => sql`drop column ${sql.id(c.name)}`))}`.execute(target.db);
  }
  if (storage.tables.length > 0) await sql`drop table ${sql.join(storage.tables.map((t) => dataTable(target, t)))}`.execute(target.db);
}

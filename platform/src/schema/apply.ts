import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { FieldDefinition, ObjectDefinition } from '../contracts/meta.ts';
import { AppError } from '../core/app-error.ts';
import type { WorkspaceSchemas } from '../db/schema-names.ts';
import { columnsOf, derivedName, type ForeignKey } from './columns.ts';
import type { SchemaAction } from './plan.ts';

/** Where to apply: a transaction (publishing applies metadata and DDL together) and the workspace's schemas. */
export type SchemaTarget = { db: Kysely<any>; schemas: WorkspaceSchemas };

const SAMPLE = 20;

/**
 * Applies planned actions in order. Every check that could refuse (values that would not convert,
 * duplicates under a new unique rule) runs before the statement it guards, and the caller's
 * transaction rolls everything back on the first refusal.
 */
export async function applySchemaActions(target: SchemaTarget, actions: readonly SchemaAction[]): Promise<void> {
  // New tables exist before any column refers to them: a lookup may point at an object listed after its own.
  for (const action of actions) if (action.kind === 'create_table') await createTable(target, action.object);
  for (const action of actions) {
    switch (action.kind) {
      case 'create_table':
        for (const field of action.object.fields) await addField(target, action.object.name, field);
        break;
      case 'add_field':
        await addField(target, action.object, action.field);
        break;
      case 'check_values':
        await refuseFailingRows(target, action.object, action.field, action.failing);
        break;
      case 'convert_column':
        if (action.conversion.failing) await refuseFailingRows(target, action.object, action.field, action.conversion.failing);
        await convertColumn(target, action.object, action.column, action.to, action.conversion.using);
        break;
      case 'create_unique':
        await createUnique(target, action.object, action.column);
        break;
      case 'drop_unique':
        await sql`drop index if exists ${sql.table(`${target.schemas.data}.${derivedName('ux', action.object, action.column)}`)}`.execute(target.db);
        break;
      case 'replace_foreign_key':
        await replaceForeignKey(target, action.object, action.column, action.references);
        break;
      case 'ensure_sort_index': {
        if (action.keys.length === 0) break;
        const name = derivedName('sx', action.object, action.keys.map((k) => `${k.desc ? '-' : ''}${k.column}`).join(','));
        const columns = sql.join([...action.keys.map((k) => sql`${sql.id(k.column)} ${sql.raw(k.desc ? 'desc nulls first' : 'asc nulls last')}`), sql`id`]);
        await sql`create index if not exists ${sql.id(name)} on ${dataTable(target, action.object)} (${columns})`.execute(target.db);
        break;
      }
    }
  }
}

const dataTable = (target: SchemaTarget, object: string) => sql.table(`${target.schemas.data}.${object}`);
const usersTable = (target: SchemaTarget) => sql.table(`${target.schemas.system}.users`);

async function createTable(target: SchemaTarget, object: ObjectDefinition): Promise<void> {
  const table = dataTable(target, object.name);
  await sql`create table ${table} (
    id uuid primary key,
    created_at timestamptz not null default now(),
    created_by uuid references ${usersTable(target)} (id) on delete set null,
    updated_at timestamptz not null default now(),
    updated_by uuid references ${usersTable(target)} (id) on delete set null,
    owner uuid references ${usersTable(target)} (id) on delete set null,
    version integer not null default 1
  )`.execute(target.db);
  await sql`create index ${sql.id(derivedName('ix', object.name, 'owner'))} on ${table} (owner)`.execute(target.db);
}

async function addField(target: SchemaTarget, object: string, field: FieldDefinition): Promise<void> {
  for (const column of columnsOf(field)) {
    await sql`alter table ${dataTable(target, object)} add column ${sql.id(column.name)} ${column.type}`.execute(target.db);
    if (column.references) await addForeignKey(target, object, column.name, column.references);
  }
  const [main] = columnsOf(field);
  if (main && field.unique) await createUnique(target, object, main.name);
}

async function addForeignKey(target: SchemaTarget, object: string, column: string, references: ForeignKey): Promise<void> {
  const schema = references.schema === 'system' ? target.schemas.system : target.schemas.data;
  const onDelete = sql.raw(references.onDelete);
  await sql`alter table ${dataTable(target, object)} add constraint ${sql.id(derivedName('fk', object, column))}
    foreign key (${sql.id(column)}) references ${sql.table(`${schema}.${references.table}`)} (id) on delete ${onDelete}`.execute(target.db);
  // Lookups are filtered, joined and cascaded on: each gets an index.
  await sql`create index ${sql.id(derivedName('ix', object, column))} on ${dataTable(target, object)} (${sql.id(column)})`.execute(target.db);
}

async function replaceForeignKey(target: SchemaTarget, object: string, column: string, references: ForeignKey): Promise<void> {
  await sql`alter table ${dataTable(target, object)} drop constraint if exists ${sql.id(derivedName('fk', object, column))}`.execute(target.db);
  await sql`drop index if exists ${sql.table(`${target.schemas.data}.${derivedName('ix', object, column)}`)}`.execute(target.db);
  await addForeignKey(target, object, column, references);
}

async function createUnique(target: SchemaTarget, object: string, column: string): Promise<void> {
  const duplicates = await sql<{ value: unknown }>`
    select ${sql.ref(column)}::text as value from ${dataTable(target, object)}
    where ${sql.ref(column)} is not null group by ${sql.ref(column)} having count(*) > 1 limit ${SAMPLE}`.execute(target.db);
  if (duplicates.rows.length > 0) {
    throw new AppError('UNIQUE_VIOLATED_BY_DATA', 409, {
      params: { field: `${object}.${column}` },
      details: { object, field: column, values: duplicates.rows.map((r) => r.value) },
    });
  }
  await sql`create unique index ${sql.id(derivedName('ux', object, column))} on ${dataTable(target, object)} (${sql.id(column)})`.execute(target.db);
}

async function refuseFailingRows(target: SchemaTarget, object: string, field: string, failing: RawBuilder<boolean>): Promise<void> {
  const rows = await sql<{ id: string }>`
    select id from ${dataTable(target, object)} where ${sql.ref(field)} is not null and (${failing}) order by id limit ${SAMPLE}`.execute(target.db);
  if (rows.rows.length > 0) {
    throw new AppError('TYPE_CHANGE_LOSES_DATA', 409, {
      params: { field: `${object}.${field}`, count: rows.rows.length },
      details: { object, field, rows: rows.rows.map((r) => r.id) },
    });
  }
}

async function convertColumn(target: SchemaTarget, object: string, column: string, to: FieldDefinition, using: RawBuilder<unknown> | null): Promise<void> {
  const [spec] = columnsOf(to);
  const expression = using ?? sql.ref(column);
  await sql`alter table ${dataTable(target, object)} alter column ${sql.id(column)} type ${spec!.type} using ${expression}`.execute(target.db);
}

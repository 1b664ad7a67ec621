import { sql, type AliasedRawBuilder, type Kysely } from 'kysely';
import type { ObjectDefinition } from '../contracts/meta.ts';
import type { RecordOut } from '../contracts/records.ts';
import type { Ctx } from '../core/context.ts';
import type { WorkspaceDB } from '../db/tables.ts';
import { formulaSql } from '../schema/index.ts';
import { codecOf, type FieldCodec } from './field-codecs.ts';

export type { RecordOut } from '../contracts/records.ts';

export const SYSTEM_OUT = ['id', 'created_at', 'created_by', 'updated_at', 'updated_by', 'owner', 'version'] as const;

const dataDbs = new WeakMap<Kysely<WorkspaceDB>, Kysely<any>>();

/**
 * Object tables are reached by name through Kysely<any>: names come only from validated metadata.
 * `ctx.db` carries only the system schema's plugin (core/context.ts), which would find nothing left
 * to qualify after the data schema's and still copy the whole query tree on every execution. Kept
 * per handle, as building the plugin's transformer costs about as much as running it.
 */
export function dataDb(ctx: Ctx): Kysely<any> {
  let db = dataDbs.get(ctx.db);
  if (!db) dataDbs.set(ctx.db, (db = ctx.db.withoutPlugins().withSchema(ctx.workspace.schemas.data) as unknown as Kysely<any>));
  return db;
}

const plainDbs = new WeakMap<Kysely<WorkspaceDB>, Kysely<any>>();

/**
 * `select … from <data schema>.<object> as t`, the schema written into the query: a query whose every
 * other table is schema-qualified too (expansions, rollups) then needs no plugin to walk its tree.
 */
export function selectRecords(ctx: Ctx, object: ObjectDefinition) {
  let db = plainDbs.get(ctx.db);
  if (!db) plainDbs.set(ctx.db, (db = ctx.db.withoutPlugins() as unknown as Kysely<any>));
  return db.selectFrom(`${ctx.workspace.schemas.data}.${object.name} as t`);
}

/** Codecs hold zod schemas: built once per published object definition, not per row. */
const codecCache = new WeakMap<ObjectDefinition, Map<string, FieldCodec>>();

export function liveCodecs(object: ObjectDefinition): Map<string, FieldCodec> {
  let codecs = codecCache.get(object);
  if (!codecs) {
    codecs = new Map(object.fields.filter((f) => !f.archived).map((f) => [f.name, codecOf(f)]));
    codecCache.set(object, codecs);
  }
  return codecs;
}

/** Select lists depend only on the definition, the data schema and the time zone: built once, not per request. */
const selectionCache = new WeakMap<ObjectDefinition, Map<string, readonly AliasedRawBuilder<unknown, string>[]>>();

/**
 * The select list of a record: system columns, stored columns (dates as text, so no driver shifts
 * them through a time zone) and rollups as correlated aggregates over the related object.
 */
export function recordSelection(ctx: Ctx, object: ObjectDefinition, only?: readonly string[]): readonly AliasedRawBuilder<unknown, string>[] {
  if (only) return buildSelection(ctx, object, only);
  const key = `${ctx.workspace.schemas.data} ${ctx.platform.config.timeZone}`;
  let byKey = selectionCache.get(object);
  if (!byKey) selectionCache.set(object, (byKey = new Map()));
  let selection = byKey.get(key);
  if (!selection) byKey.set(key, (selection = buildSelection(ctx, object)));
  return selection;
}

function buildSelection(ctx: Ctx, object: ObjectDefinition, only?: readonly string[]): AliasedRawBuilder<unknown, string>[] {
  const column = (name: string) => sql`t.${sql.id(name)}`.as(name);
  const selections = SYSTEM_OUT.map(column);
  for (const field of object.fields) {
    if (field.archived || (only && !only.includes(field.name))) continue;
    if (field.type === 'formula') {
      const value = formulaSql(field, object, ctx.platform.config.timeZone);
      selections.push((field.resultType === 'date' ? sql`${value}::text` : value).as(field.name));
    } else if (field.type === 'date') selections.push(sql`t.${sql.id(field.name)}::text`.as(field.name));
    else if (field.type === 'currency') selections.push(column(field.name), column(`${field.name}__currency`));
    else if (field.type === 'rollup') {
      const source = sql.table(`${ctx.workspace.schemas.data}.${field.source}`);
      const aggregate = field.fn === 'count' ? sql`count(*)` : sql`${sql.raw(field.fn)}(s.${sql.id(field.field!)})`;
      selections.push(sql`(select ${aggregate} from ${source} s where s.${sql.id(field.via)} = t.id)`.as(field.name));
    } else selections.push(column(field.name));
  }
  return selections;
}

export function toRecord(object: ObjectDefinition, row: Record<string, unknown>, only?: readonly string[]): RecordOut {
  const out: Record<string, unknown> = {
    id: row.id,
    created_at: new Date(row.created_at as string).toISOString(),
    created_by: row.created_by ?? null,
    updated_at: new Date(row.updated_at as string).toISOString(),
    updated_by: row.updated_by ?? null,
    owner: row.owner ?? null,
    version: Number(row.version),
  };
  for (const [name, codec] of liveCodecs(object)) if (!only || only.includes(name)) out[name] = codec.fromRow(row);
  return out as RecordOut;
}

import { sql, type AliasedRawBuilder, type Kysely } from 'kysely';
import type { ObjectDefinition } from '../contracts/meta.ts';
import type { RecordOut } from '../contracts/records.ts';
import type { Ctx } from '../core/context.ts';
import { formulaSql } from '../schema/index.ts';
import { codecOf, type FieldCodec } from './field-codecs.ts';

export type { RecordOut } from '../contracts/records.ts';

export const SYSTEM_OUT = ['id', 'created_at', 'created_by', 'updated_at', 'updated_by', 'owner', 'version'] as const;

/** Object tables are reached by name through Kysely<any>: names come only from validated metadata. */
export function dataDb(ctx: Ctx): Kysely<any> {
  return ctx.db.withSchema(ctx.workspace.schemas.data) as unknown as Kysely<any>;
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

/**
 * The select list of a record: system columns, stored columns (dates as text, so no driver shifts
 * them through a time zone) and rollups as correlated aggregates over the related object.
 */
export function recordSelection(ctx: Ctx, object: ObjectDefinition, only?: readonly string[]): AliasedRawBuilder<unknown, string>[] {
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

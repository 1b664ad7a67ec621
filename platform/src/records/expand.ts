import { sql, type AliasedRawBuilder, type RawBuilder, type SelectQueryBuilder } from 'kysely';
import type { FieldDefinition, ObjectDefinition } from '../contracts/meta.ts';
import { AppError } from '../core/app-error.ts';
import type { Ctx } from '../core/context.ts';
import { accessTo } from '../access/index.ts';
import { SYSTEM_OUT, toRecord } from './record-shape.ts';

/** A lookup's target as the user may see it: its visible fields, and only records she may read. */
export type Expansion = { field: string; alias: string; target: ObjectDefinition | 'user' | 'department'; readable?: RawBuilder<boolean> | null };

const aliasOf = (field: string) => `x_${field}`;

const MAX_EXPANSIONS = 10;
const EXPANDABLE = new Set(['lookup', 'user', 'department']);

/**
 * The fields `expand=` names; `*` is every lookup, user and department field the reader sees (the first
 * ten), so a record page can ask before it has the object's metadata.
 */
export function expandNames(expand: string | undefined, view: ObjectDefinition): string[] {
  if (expand?.trim() === '*') return view.fields.filter((f) => !f.archived && EXPANDABLE.has(f.type)).slice(0, MAX_EXPANSIONS).map((f) => f.name);
  return [...new Set((expand ?? '').split(',').map((s) => s.trim()).filter(Boolean))].slice(0, MAX_EXPANSIONS);
}

/** The fields `expand=` names, each a lookup, user or department field of the object (as the user sees it). */
export async function parseExpand(ctx: Ctx, object: ObjectDefinition, objects: Map<string, ObjectDefinition>, expand: string | undefined): Promise<Expansion[]> {
  const expansions: Expansion[] = [];
  for (const name of expandNames(expand, object)) {
    const field = object.fields.find((f) => f.name === name && !f.archived);
    if (field?.type === 'user' || field?.type === 'department') {
      expansions.push({ field: name, alias: aliasOf(name), target: field.type });
      continue;
    }
    const target = field?.type === 'lookup' ? objects.get(field.target) : undefined;
    if (!target) throw new AppError('UNKNOWN_FIELD', 400, { params: { object: object.name, fields: name.slice(0, 64) }, details: { fields: [name], reason: 'not expandable' } });
    const access = await accessTo(ctx, target);
    expansions.push({ field: name, alias: aliasOf(name), target: access.view, readable: access.canRead ? access.read : sql<boolean>`false` });
  }
  return expansions;
}

/** A target record as JSON with exact values (numerics and dates as text); jsonb_build_object takes 100 arguments, so pairs are chunked. */
function recordJson(alias: string, target: ObjectDefinition): RawBuilder<unknown> {
  const c = (name: string) => sql`${sql.id(alias)}.${sql.id(name)}`;
  const pairs: RawBuilder<unknown>[] = SYSTEM_OUT.map((name) => sql`${sql.lit(name)}, ${c(name)}`);
  const asText = (f: FieldDefinition) => ['decimal', 'percent', 'currency', 'date'].includes(f.type);
  for (const f of target.fields.filter((x) => !x.archived && x.type !== 'formula' && x.type !== 'rollup')) {
    pairs.push(sql`${sql.lit(f.name)}, ${asText(f) ? sql`${c(f.name)}::text` : c(f.name)}`);
    if (f.type === 'currency') pairs.push(sql`${sql.lit(`${f.name}__currency`)}, ${c(`${f.name}__currency`)}`);
  }
  const chunks: RawBuilder<unknown>[] = [];
  for (let i = 0; i < pairs.length; i += 40) chunks.push(sql`jsonb_build_object(${sql.join(pairs.slice(i, i + 40))})`);
  return sql`case when ${c('id')} is null then null else ${sql.join(chunks, sql` || `)} end`;
}

/** Left joins for the expansions and one JSON column per expansion: a page of any size stays one query. */
export function withExpansions<Q extends SelectQueryBuilder<any, any, any>>(ctx: Ctx, query: Q, expansions: Expansion[]): Q {
  let q = query as SelectQueryBuilder<any, any, any>;
  for (const e of expansions) {
    const schema = e.target === 'user' || e.target === 'department' ? ctx.workspace.schemas.system : ctx.workspace.schemas.data;
    const table = e.target === 'user' ? 'users' : e.target === 'department' ? 'departments' : e.target.name;
    const target = sql.table(`${schema}.${table}`);
    // The target's access filter is written over `t`: checked in a subquery of its own, one index probe per joined row.
    q = e.readable
      ? q.leftJoin(target.as(e.alias), (join) => join.onRef(`${e.alias}.id`, '=', `t.${e.field}`).on(sql<boolean>`exists (select 1 from ${target} t where t.id = ${sql.id(e.alias)}.id and ${e.readable})`))
      : q.leftJoin(target.as(e.alias), `${e.alias}.id`, `t.${e.field}`);
    const a = (name: string) => sql`${sql.id(e.alias)}.${sql.id(name)}`;
    const json: AliasedRawBuilder<unknown, string> =
      e.target === 'user'
        ? sql`case when ${a('id')} is null then null else jsonb_build_object('id', ${a('id')}, 'login', ${a('login')}, 'displayName', ${a('display_name')}, 'avatarUrl', ${a('avatar_url')}) end`.as(`_${e.alias}`)
        : e.target === 'department'
          ? sql`case when ${a('id')} is null then null else jsonb_build_object('id', ${a('id')}, 'name', ${a('name')}) end`.as(`_${e.alias}`)
          : recordJson(e.alias, e.target).as(`_${e.alias}`);
    q = q.select(json);
  }
  return q as Q;
}

/** `_expanded` of a record: each expanded field's target, or null when it points nowhere. */
export function expandedOf(row: Record<string, unknown>, expansions: Expansion[]): Record<string, unknown> {
  return Object.fromEntries(
    expansions.map((e) => {
      const raw = row[`_${e.alias}`] as Record<string, unknown> | null;
      return [e.field, raw && typeof e.target === 'object' ? toRecord(e.target, raw) : raw];
    }),
  );
}

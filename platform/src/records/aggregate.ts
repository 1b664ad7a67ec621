import { sql, type RawBuilder } from 'kysely';
import type { FieldDefinition, ObjectDefinition } from '../contracts/meta.ts';
import { AppError } from '../core/app-error.ts';
import type { Ctx } from '../core/context.ts';
import { publishedObject } from '../meta/index.ts';
import { accessTo } from '../access/index.ts';
import { scopedFilter } from './list-records.ts';
import { dataDb } from './record-shape.ts';

export type AggregateQuery = { groupBy?: string; bucket?: 'day' | 'week' | 'month' | 'quarter' | 'year'; metrics?: string; filter?: string };
export type AggregateGroup = { keys: Record<string, unknown>; count: number; values: Record<string, string | null> };

const GROUPABLE = new Set(['text', 'email', 'phone', 'url', 'single_select', 'boolean', 'user', 'department', 'lookup', 'integer', 'date', 'datetime']);
const NUMERIC = new Set(['integer', 'decimal', 'percent', 'currency']);
const FUNCTIONS = new Set(['sum', 'avg', 'min', 'max']);
const BUCKET_FORMAT = { day: 'YYYY-MM-DD', week: 'YYYY-MM-DD', month: 'YYYY-MM', quarter: 'YYYY-"Q"Q', year: 'YYYY' } as const;
const MAX_GROUPS = 1000;

const bad = (reason: string) => new AppError('INVALID_FILTER', 400, { params: { reason }, details: { reason } });

function field(object: ObjectDefinition, name: string): FieldDefinition {
  const found = object.fields.find((f) => f.name === name && !f.archived);
  if (!found) throw new AppError('UNKNOWN_FIELD', 400, { params: { object: object.name, fields: name.slice(0, 64) }, details: { fields: [name] } });
  return found;
}

/** A group key: the value itself, or for dates the bucket it falls in (local to the workspace for datetimes). */
function keyOf(f: FieldDefinition, bucket: AggregateQuery['bucket'], timeZone: string): RawBuilder<unknown> {
  const c = sql`t.${sql.id(f.name)}`;
  if (f.type !== 'date' && f.type !== 'datetime') return c;
  const unit = bucket ?? 'month';
  const local = f.type === 'datetime' ? sql`(${c} at time zone ${timeZone})` : sql`${c}::timestamp`;
  return sql`to_char(date_trunc(${unit}, ${local}), ${BUCKET_FORMAT[unit]})`;
}

/** Counts and sums per group for charts, under the same filter as the list. Values stay exact strings. */
export async function aggregateRecords(ctx: Ctx, objectName: string, query: AggregateQuery): Promise<{ groups: AggregateGroup[]; truncated: boolean }> {
  const access = await accessTo(ctx, await publishedObject(ctx, objectName));
  const object = access.view;
  const groupNames = (query.groupBy ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const metricNames = (query.metrics ?? '').split(',').map((spec) => spec.split(':')[1]?.trim() ?? '').filter(Boolean);
  const where = await scopedFilter(ctx, access, query.filter, [...groupNames, ...metricNames]);
  const groupFields = groupNames.map((name) => field(object, name));
  if (groupFields.length > 2) throw bad('group by at most 2 fields');
  for (const f of groupFields) if (!GROUPABLE.has(f.type)) throw bad(`cannot group by ${f.name}`);
  const metrics = (query.metrics ?? '').split(',').map((s) => s.trim()).filter(Boolean).slice(0, 10).map((spec) => {
    const [fn = '', name = ''] = spec.split(':');
    const f = field(object, name);
    if (!FUNCTIONS.has(fn) || !NUMERIC.has(f.type)) throw bad(`"${spec.slice(0, 64)}" is not fn:numeric_field with fn sum, avg, min or max`);
    return { spec: `${fn}:${f.name}`, sql: sql`${sql.raw(fn)}(t.${sql.id(f.name)})::text` };
  });
  const keys = groupFields.map((f, i) => ({ name: f.name, sql: keyOf(f, query.bucket, ctx.platform.config.timeZone), alias: `k${i}` }));
  const selections = [
    ...keys.map((k) => k.sql.as(k.alias)),
    sql<number>`count(*)`.as('n'),
    ...metrics.map((m, i) => m.sql.as(`m${i}`)),
  ];
  let q = dataDb(ctx).selectFrom(`${object.name} as t`).select(selections).where(where);
  if (keys.length) {
    const positions = sql.join(keys.map((_, i) => sql.raw(String(i + 1))));
    q = q.groupBy(positions).orderBy(positions);
  }
  const rows = (await q.limit(MAX_GROUPS + 1).execute()) as Record<string, unknown>[];
  const groups = rows.slice(0, MAX_GROUPS).map((row) => ({
    keys: Object.fromEntries(keys.map((k) => [k.name, row[k.alias] instanceof Date ? (row[k.alias] as Date).toISOString() : (row[k.alias] ?? null)])),
    count: Number(row.n),
    values: Object.fromEntries(metrics.map((m, i) => [m.spec, (row[`m${i}`] as string | null) ?? null])),
  }));
  return { groups, truncated: rows.length > MAX_GROUPS };
}

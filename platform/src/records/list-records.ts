import { sql, type RawBuilder } from 'kysely';
import type { ObjectDefinition } from '../contracts/meta.ts';
import { AppError } from '../core/app-error.ts';
import { accessTo, assertCanRead, assertVisible, filterFields, type ObjectAccess } from '../access/index.ts';
import { actorId, type Ctx } from '../core/context.ts';
import { isUuid } from '../core/references.ts';
import { publishedObject, publishedObjects } from '../meta/index.ts';
import { expandedOf, expandNames, parseExpand, withExpansions } from './expand.ts';
import { getActorProfile } from '../org/index.ts';
import { parseSortSpec, type SortKind } from '../schema/index.ts';
import { compileFilter, type FilterContext } from './filter.ts';
import { recordSelection, selectRecords, toRecord, type RecordOut } from './record-shape.ts';

export type ListQuery = { filter?: string; sort?: string; limit: number; cursor?: string; offset?: number; fields?: string; expand?: string; count?: boolean };

type Kind = SortKind;
type SortKey = { column: string; desc: boolean; kind: Kind };

/** A cursor value must be of its column's kind, so a forged cursor is a 400, never a database cast error. */
const VALID: Record<Kind, (v: unknown) => boolean> = {
  text: (v) => typeof v === 'string' && v.isWellFormed() && !v.includes('\u0000'),
  int: (v) => typeof v === 'number' && Number.isSafeInteger(v),
  numeric: (v) => typeof v === 'string' && /^-?\d{1,40}(\.\d{1,20})?$/.test(v),
  date: (v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)),
  timestamp: (v) => typeof v === 'string' && !Number.isNaN(Date.parse(v)) && /^\d{4}-\d{2}-\d{2}T/.test(v),
  bool: (v) => typeof v === 'boolean',
  uuid: isUuid,
};

function parseSort(object: ObjectDefinition, sort: string | undefined): SortKey[] {
  const { keys, invalid } = parseSortSpec(object.fields, sort ?? '');
  if (invalid.length) throw new AppError('INVALID_SORT', 400, { params: { field: invalid[0]!.slice(0, 64) } });
  return [...keys, { column: 'id', desc: false, kind: 'uuid' }];
}

function cursorValue(row: Record<string, unknown>, key: SortKey): unknown {
  const value = row[key.column];
  if (value == null) return null;
  if (value instanceof Date) return value.toISOString();
  if (key.kind === 'int') return Number(value);
  if (key.kind === 'numeric') return String(value);
  return value;
}

/**
 * Rows after the cursor in the sort order, nulls placed as PostgreSQL does (last ascending, first
 * descending): for each key, all earlier keys equal and this one past the cursor's value.
 */
function after(keys: SortKey[], values: unknown[]): RawBuilder<boolean> {
  const c = (k: SortKey) => sql`t.${sql.id(k.column)}`;
  const beyond = (k: SortKey, v: unknown): RawBuilder<boolean> => {
    if (v === null) return k.desc ? sql<boolean>`${c(k)} is not null` : sql<boolean>`false`;
    return k.desc ? sql<boolean>`${c(k)} < ${v}` : sql<boolean>`(${c(k)} > ${v} or ${c(k)} is null)`;
  };
  const branches = keys.map((key, i) => {
    const equal = keys.slice(0, i).map((k, j) => sql<boolean>`${c(k)} is not distinct from ${values[j]}`);
    return sql<boolean>`(${sql.join([...equal, beyond(key, values[i])], sql` and `)})`;
  });
  return sql<boolean>`(${sql.join(branches, sql` or `)})`;
}

function decodeCursor(cursor: string, keys: SortKey[]): unknown[] {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new AppError('INVALID_CURSOR', 400);
  }
  if (!Array.isArray(values) || values.length !== keys.length || !keys.every((k, i) => values[i] === null || VALID[k.kind]((values as unknown[])[i]))) {
    throw new AppError('INVALID_CURSOR', 400);
  }
  return values;
}

export function parseFilter(filter: string | undefined): unknown {
  if (!filter) return null;
  try {
    return JSON.parse(filter);
  } catch {
    throw new AppError('INVALID_FILTER', 400, { params: { reason: 'not JSON' }, details: { reason: 'not JSON' } });
  }
}

export async function filterContext(ctx: Ctx, filter: string): Promise<FilterContext> {
  const id = actorId(ctx);
  const departmentId = id && filter.includes('$my_department') ? ((await getActorProfile(ctx, id))?.mainDepartmentId ?? null) : null;
  return { actorId: id, departmentId, timeZone: ctx.platform.config.timeZone };
}

/** The names a sort spec mentions ("-amount,title" → amount, title). */
export const sortNames = (sort: string | undefined) => (sort ?? '').split(',').map((s) => s.trim().replace(/^-/, '')).filter(Boolean);

/**
 * The user's filter and her access filter, both over `t`, after refusing any mention of a field she may
 * not see (403, not an "unknown field" that would look like a typo).
 */
export async function scopedFilter(ctx: Ctx, access: ObjectAccess, filter: string | undefined, alsoNamed: string[] = []): Promise<RawBuilder<boolean>> {
  assertCanRead(access);
  const tree = parseFilter(filter);
  assertVisible(access, [...filterFields(tree), ...alsoNamed]);
  const own = tree === null ? null : compileFilter(access.view, tree, await filterContext(ctx, filter ?? ''));
  if (own && access.read) return sql<boolean>`(${own}) and ${access.read}`;
  return own ?? access.read ?? sql<boolean>`true`;
}

export async function listRecords(ctx: Ctx, objectName: string, query: ListQuery): Promise<{ items: RecordOut[]; nextCursor: string | null; total: number | null }> {
  const { objects } = await publishedObjects(ctx);
  const access = await accessTo(ctx, await publishedObject(ctx, objectName));
  const object = access.view;
  const named = query.fields?.split(',').map((f) => f.trim()).filter(Boolean);
  const only = named?.length ? named : undefined;
  const where = await scopedFilter(ctx, access, query.filter, [...sortNames(query.sort), ...(only ?? []), ...expandNames(query.expand, object)]);
  const expansions = await parseExpand(ctx, object, objects, query.expand);
  const unknown = only?.filter((f) => !object.fields.some((d) => d.name === f && !d.archived));
  if (unknown?.length) throw new AppError('UNKNOWN_FIELD', 400, { params: { object: object.name, fields: unknown.slice(0, 10).join(', ') }, details: { fields: unknown } });
  const keys = parseSort(object, query.sort);
  const order = sql.join(keys.map((k) => sql`t.${sql.id(k.column)} ${sql.raw(k.desc ? 'desc nulls first' : 'asc nulls last')}`));
  // The whole row is read even with `fields=`: the next cursor needs the sort columns.
  let rows = withExpansions(ctx, selectRecords(ctx, object).select(recordSelection(ctx, object)).where(where), expansions);
  if (query.cursor) rows = rows.where(after(keys, decodeCursor(query.cursor, keys)));
  // The total is counted beside the page, on a connection of its own, rather than after it.
  const [found, counted] = await Promise.all([
    rows
      .orderBy(order)
      .limit(query.limit + 1)
      .offset(query.cursor ? 0 : (query.offset ?? 0))
      .execute() as Promise<Record<string, unknown>[]>,
    query.count ? selectRecords(ctx, object).select(sql<number>`count(*)`.as('n')).where(where).executeTakeFirstOrThrow() : null,
  ]);
  const page = found.slice(0, query.limit);
  const last = page.at(-1);
  const nextCursor = found.length > query.limit && last ? Buffer.from(JSON.stringify(keys.map((k) => cursorValue(last, k)))).toString('base64url') : null;
  const total = counted ? Number(counted.n) : null;
  const items = page.map((row) => (expansions.length ? { ...toRecord(object, row, only), _expanded: expandedOf(row, expansions) } : toRecord(object, row, only)));
  return { items, nextCursor, total };
}

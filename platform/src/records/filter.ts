import { sql, type RawBuilder } from 'kysely';
import { z } from 'zod';
import type { FieldDefinition, ObjectDefinition } from '../contracts/meta.ts';
import { AppError } from '../core/app-error.ts';
import { codecOf, decimalText } from './field-codecs.ts';
import { RELATIVE_PERIODS, withinPeriod } from './relative-dates.ts';

/** The filter tree a list takes: and / or / not over conditions `{ field, op, value }`. */
export type FilterNode = { and: FilterNode[] } | { or: FilterNode[] } | { not: FilterNode } | { field: string; op: string; value?: unknown };

const MAX_NODES = 200;
const MAX_DEPTH = 10;

const COMMON = ['eq', 'ne', 'in', 'not_in', 'is_empty', 'is_not_empty'];
const ORDERED = ['lt', 'lte', 'gt', 'gte', 'between'];
const TEXTUAL = ['contains', 'starts_with'];
const OPERATORS: Record<string, string[]> = {
  text: [...COMMON, ...ORDERED, ...TEXTUAL],
  long_text: ['contains', 'is_empty', 'is_not_empty'],
  rich_text: ['contains', 'is_empty', 'is_not_empty'],
  email: [...COMMON, ...TEXTUAL],
  phone: [...COMMON, ...TEXTUAL],
  url: [...COMMON, ...TEXTUAL],
  integer: [...COMMON, ...ORDERED],
  decimal: [...COMMON, ...ORDERED],
  percent: [...COMMON, ...ORDERED],
  currency: [...COMMON, ...ORDERED],
  boolean: ['eq', 'ne', 'is_empty', 'is_not_empty'],
  date: [...COMMON, ...ORDERED, 'during'],
  datetime: [...COMMON, ...ORDERED, 'during'],
  single_select: COMMON,
  multi_select: ['contains', 'is_empty', 'is_not_empty'],
  user: COMMON,
  department: COMMON,
  lookup: COMMON,
  auto_number: [...COMMON, ...ORDERED],
};

const invalid = (reason: string) => new AppError('INVALID_FILTER', 400, { params: { reason }, details: { reason } });

/** Who is asking and where: "$me", "$my_department" and relative periods depend on it. */
export type FilterContext = { actorId: string | null; departmentId: string | null; timeZone: string };

/** Built once per published field definition, not per condition: making zod schemas costs more than running them. */
const operandSchemas = new WeakMap<FieldDefinition, z.ZodType>();

/** The field's own input schema (currency compares its amount). */
function operandSchema(field: FieldDefinition): z.ZodType {
  let schema = operandSchemas.get(field);
  if (!schema) {
    schema =
      field.type === 'currency' || field.type === 'decimal' || field.type === 'percent'
        ? decimalText
        : field.type === 'multi_select'
          ? z.enum(field.options.map((o) => o.key) as [string, ...string[]])
          : field.type === 'auto_number'
            ? z.number().int()
            : (codecOf(field).input ?? z.never());
    operandSchemas.set(field, schema);
  }
  return schema;
}

/** A condition's value, checked by the field's input schema. */
function operand(field: FieldDefinition, value: unknown, context: FilterContext): unknown {
  if (value === '$me' && field.type === 'user') {
    if (!context.actorId) throw invalid(`"$me" needs a logged-in user`);
    return context.actorId;
  }
  // Someone without a main department matches no record rather than every record.
  if (value === '$my_department' && field.type === 'department') return context.departmentId;
  const parsed = operandSchema(field).safeParse(value);
  if (!parsed.success) throw invalid(`${field.name}: ${parsed.error.issues[0]?.message ?? 'invalid value'}`);
  return parsed.data;
}

function likeOf(value: unknown, prefixOnly: boolean): string {
  const escaped = String(value).replace(/[\\%_]/g, (c) => `\\${c}`);
  return prefixOnly ? `${escaped}%` : `%${escaped}%`;
}

/**
 * The record's own id, filterable like a reference (`eq`, `ne`, `in`, `not_in`): a selection of rows can be
 * exported or counted by the filter every list endpoint takes. No field may be named `id` (a system column).
 */
const ID_FIELD = { name: 'id', type: 'lookup', label: { 'zh-CN': 'ID', en: 'ID' }, target: '', required: false } as unknown as FieldDefinition;
const ID_OPERATORS = ['eq', 'ne', 'in', 'not_in'];

function condition(object: ObjectDefinition, node: { field: string; op: string; value?: unknown }, context: FilterContext): RawBuilder<boolean> {
  if (node.field === 'id' && !ID_OPERATORS.includes(node.op)) throw invalid(`"${String(node.op).slice(0, 32)}" does not apply to id`);
  const field = node.field === 'id' ? ID_FIELD : object.fields.find((f) => f.name === node.field && !f.archived);
  if (!field || !OPERATORS[field.type]) throw invalid(`no filterable field "${String(node.field).slice(0, 64)}"`);
  if (!OPERATORS[field.type]!.includes(node.op)) throw invalid(`"${String(node.op).slice(0, 32)}" does not apply to ${field.name}`);
  const c = sql`t.${sql.id(field.name)}`;
  const one = () => operand(field, node.value, context);
  const list = () => {
    if (!Array.isArray(node.value) || node.value.length === 0 || node.value.length > 500) throw invalid(`${field.name}: "${node.op}" takes a list of 1 to 500 values`);
    return node.value.map((v) => operand(field, v, context));
  };
  switch (node.op) {
    case 'eq':
      return sql<boolean>`${c} = ${one()}`;
    case 'ne':
      return sql<boolean>`${c} is distinct from ${one()}`;
    case 'in':
      return sql<boolean>`${c} in (${sql.join(list())})`;
    case 'not_in':
      return sql<boolean>`(${c} is null or ${c} not in (${sql.join(list())}))`;
    case 'is_empty':
      return field.type === 'multi_select' ? sql<boolean>`(${c} is null or ${c} = '[]'::jsonb)` : sql<boolean>`${c} is null`;
    case 'is_not_empty':
      return field.type === 'multi_select' ? sql<boolean>`(${c} is not null and ${c} <> '[]'::jsonb)` : sql<boolean>`${c} is not null`;
    case 'lt':
      return sql<boolean>`${c} < ${one()}`;
    case 'lte':
      return sql<boolean>`${c} <= ${one()}`;
    case 'gt':
      return sql<boolean>`${c} > ${one()}`;
    case 'gte':
      return sql<boolean>`${c} >= ${one()}`;
    case 'between': {
      const [low, high] = list();
      if (!Array.isArray(node.value) || node.value.length !== 2) throw invalid(`${field.name}: "between" takes [low, high]`);
      return sql<boolean>`${c} between ${low} and ${high}`;
    }
    case 'contains':
      if (field.type === 'multi_select') return sql<boolean>`${c} @> cast(${JSON.stringify([one()])} as text)::jsonb`;
      return sql<boolean>`${c} ilike ${likeOf(node.value, false)} escape '\\'`;
    case 'starts_with':
      return sql<boolean>`${c} ilike ${likeOf(node.value, true)} escape '\\'`;
    case 'during': {
      const period = RELATIVE_PERIODS.find((p) => p === node.value);
      if (!period) throw invalid(`${field.name}: "during" takes one of ${RELATIVE_PERIODS.join(', ')}`);
      return withinPeriod(c, field.type === 'date' ? 'date' : 'datetime', period, context.timeZone);
    }
    default:
      throw invalid(`unknown operator "${String(node.op).slice(0, 32)}"`);
  }
}

/** Compiles a filter tree to a parameterised WHERE fragment; every field name is checked against the metadata. */
export function compileFilter(object: ObjectDefinition, tree: unknown, context: FilterContext): RawBuilder<boolean> {
  let nodes = 0;
  const walk = (node: unknown, depth: number): RawBuilder<boolean> => {
    if (++nodes > MAX_NODES || depth > MAX_DEPTH) throw invalid(`at most ${MAX_NODES} conditions, nested ${MAX_DEPTH} deep`);
    if (!node || typeof node !== 'object' || Array.isArray(node)) throw invalid('each node is an object');
    const n = node as Record<string, unknown>;
    if (Array.isArray(n.and) || Array.isArray(n.or)) {
      const parts = ((n.and ?? n.or) as unknown[]).map((child) => walk(child, depth + 1));
      if (parts.length === 0) return sql<boolean>`true`;
      return sql<boolean>`(${sql.join(parts, n.and ? sql` and ` : sql` or `)})`;
    }
    if ('not' in n) return sql<boolean>`not (${walk(n.not, depth + 1)})`;
    if (typeof n.field === 'string' && typeof n.op === 'string') return condition(object, { field: n.field, op: n.op, value: n.value }, context);
    throw invalid('a node is {and:[…]}, {or:[…]}, {not:…} or {field, op, value}');
  };
  return walk(tree, 0);
}

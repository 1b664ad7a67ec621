import type { FieldDefinition } from '@threadbase/platform/contracts';

/** One row of the filter bar: `{field, op, value}` in the records API's filter tree (docs/records.md). */
export type FilterCondition = { field: string; op: FilterOperator; value?: unknown };
export type FilterOperator =
  | 'eq' | 'ne' | 'in' | 'not_in' | 'is_empty' | 'is_not_empty'
  | 'lt' | 'lte' | 'gt' | 'gte' | 'between' | 'contains' | 'starts_with' | 'during';
/** What a value box looks like for an operator: nothing, one value, several, a range, or a period. */
export type OperandShape = 'none' | 'one' | 'many' | 'range' | 'period';

const COMMON: FilterOperator[] = ['eq', 'ne', 'in', 'not_in', 'is_empty', 'is_not_empty'];
const ORDERED: FilterOperator[] = ['lt', 'lte', 'gt', 'gte', 'between'];
const TEXTUAL: FilterOperator[] = ['contains', 'starts_with'];

/** The operators the server accepts per field type (records/filter.ts); a person's most likely first. */
const OPERATORS: Partial<Record<FieldDefinition['type'], FilterOperator[]>> = {
  text: ['contains', 'eq', 'ne', 'starts_with', 'in', 'not_in', 'is_empty', 'is_not_empty', ...ORDERED],
  long_text: ['contains', 'is_empty', 'is_not_empty'],
  rich_text: ['contains', 'is_empty', 'is_not_empty'],
  email: [...TEXTUAL, ...COMMON],
  phone: [...TEXTUAL, ...COMMON],
  url: [...TEXTUAL, ...COMMON],
  integer: [...COMMON.slice(0, 2), ...ORDERED, ...COMMON.slice(2)],
  decimal: [...COMMON.slice(0, 2), ...ORDERED, ...COMMON.slice(2)],
  percent: [...COMMON.slice(0, 2), ...ORDERED, ...COMMON.slice(2)],
  currency: [...COMMON.slice(0, 2), ...ORDERED, ...COMMON.slice(2)],
  boolean: ['eq', 'ne', 'is_empty', 'is_not_empty'],
  date: ['during', 'eq', 'ne', ...ORDERED, 'is_empty', 'is_not_empty'],
  datetime: ['during', ...ORDERED, 'is_empty', 'is_not_empty'],
  single_select: COMMON,
  multi_select: ['contains', 'is_empty', 'is_not_empty'],
  user: COMMON,
  department: COMMON,
  lookup: ['eq', 'ne', 'is_empty', 'is_not_empty'],
  auto_number: [...COMMON.slice(0, 2), ...ORDERED, ...COMMON.slice(2)],
};

export const RELATIVE_PERIODS = [
  'today', 'yesterday', 'tomorrow', 'this_week', 'last_week', 'next_week', 'this_month', 'last_month', 'next_month',
  'this_quarter', 'last_quarter', 'this_year', 'last_year', 'last_7_days', 'last_30_days', 'next_7_days', 'next_30_days',
] as const;

export function operatorsFor(field: FieldDefinition): FilterOperator[] {
  return OPERATORS[field.type] ?? [];
}

export const isFilterable = (field: FieldDefinition) => operatorsFor(field).length > 0;

export function operandShape(op: FilterOperator): OperandShape {
  if (op === 'is_empty' || op === 'is_not_empty') return 'none';
  if (op === 'in' || op === 'not_in') return 'many';
  if (op === 'between') return 'range';
  if (op === 'during') return 'period';
  return 'one';
}

/** Whether the condition has what its operator needs; incomplete rows are not sent. */
export function isComplete(condition: FilterCondition): boolean {
  const { value } = condition;
  switch (operandShape(condition.op)) {
    case 'none':
      return true;
    case 'many':
      return Array.isArray(value) && value.length > 0;
    case 'range':
      return Array.isArray(value) && value.length === 2 && value.every((v) => v !== null && v !== undefined && v !== '');
    default:
      return value !== null && value !== undefined && value !== '';
  }
}

/** The filter tree for the API: the complete conditions, all of which must hold. */
export function filterTree(conditions: readonly FilterCondition[]): string | undefined {
  const complete = conditions.filter(isComplete).map(({ field, op, value }) => (operandShape(op) === 'none' ? { field, op } : { field, op, value }));
  return complete.length ? JSON.stringify({ and: complete }) : undefined;
}

/**
 * Reads conditions back from a URL's filter (a tree this bar wrote, or a list view's): only a flat
 * `and` of conditions on known fields is understood; anything else yields no conditions.
 */
export function conditionsOf(tree: unknown, fields: readonly FieldDefinition[]): FilterCondition[] {
  const parsed = typeof tree === 'string' ? safeParse(tree) : tree;
  if (!parsed || typeof parsed !== 'object' || !Array.isArray((parsed as { and?: unknown }).and)) return [];
  const known = new Map(fields.map((f) => [f.name, f]));
  return ((parsed as { and: unknown[] }).and).flatMap((node) => {
    if (!node || typeof node !== 'object') return [];
    const { field, op, value } = node as Record<string, unknown>;
    const definition = typeof field === 'string' ? known.get(field) : undefined;
    if (!definition || !operatorsFor(definition).includes(op as FilterOperator)) return [];
    return [{ field: field as string, op: op as FilterOperator, value }];
  });
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

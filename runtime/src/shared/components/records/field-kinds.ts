import type { FieldAccess, FieldDefinition, ListView, MyObjectAccess, ObjectDefinition } from '@threadbase/platform/contracts';

export type FieldType = FieldDefinition['type'];

/** Values the platform computes: shown, never written. */
const COMPUTED: ReadonlySet<FieldType> = new Set(['auto_number', 'formula', 'rollup']);

/**
 * Fields a header click may sort by: those the server sorts (schema/sort-kinds.ts) and a person can
 * read an order into; users, departments and lookups sort by id there, which looks random.
 */
const SORTABLE: ReadonlySet<FieldType> = new Set([
  'text', 'email', 'phone', 'url', 'single_select', 'integer', 'auto_number', 'decimal', 'percent', 'currency', 'date', 'datetime', 'boolean',
]);

/** Fields whose target comes along with `expand=`: a name to show instead of an id. */
const EXPANDABLE: ReadonlySet<FieldType> = new Set(['user', 'department', 'lookup']);
/** The server expands at most this many fields per request (records/expand.ts). */
const MAX_EXPAND = 10;

export const isComputed = (field: FieldDefinition) => COMPUTED.has(field.type);
export const isSortable = (field: FieldDefinition) => SORTABLE.has(field.type);

/** The user's level for a field; fields her roles do not name are editable, computed ones read-only. */
export function fieldLevel(field: FieldDefinition, access: MyObjectAccess | null): FieldAccess {
  const level = access?.fields[field.name] ?? 'edit';
  return level === 'edit' && isComputed(field) ? 'read' : level;
}

/** The fields a person sees, in metadata order: archived and hidden ones left out. */
export function visibleFields(object: ObjectDefinition, access: MyObjectAccess | null): FieldDefinition[] {
  return object.fields.filter((f) => !f.archived && fieldLevel(f, access) !== 'hidden');
}

/**
 * A list's columns: the list view's, else the record name and the fields after it, up to `max`.
 * Columns naming fields gone or hidden are dropped rather than shown empty.
 */
export function listColumns(object: ObjectDefinition, view: ListView | null, access: MyObjectAccess | null, max = 8): FieldDefinition[] {
  const fields = visibleFields(object, access);
  const byName = new Map(fields.map((f) => [f.name, f]));
  if (view) return view.columns.map((name) => byName.get(name)).filter((f): f is FieldDefinition => f !== undefined);
  const name = byName.get(object.recordName);
  const rest = fields.filter((f) => f !== name && f.type !== 'rich_text' && f.type !== 'long_text');
  return (name ? [name, ...rest] : rest).slice(0, max);
}

/** The `expand=` value that brings names for the given fields' users, departments and lookups. */
export function expandFor(fields: readonly FieldDefinition[]): string {
  return fields.filter((f) => EXPANDABLE.has(f.type)).slice(0, MAX_EXPAND).map((f) => f.name).join(',');
}

/** The label in the UI language. */
export function localised(text: { 'zh-CN': string; en: string }, locale: string): string {
  return locale === 'en' ? text.en : text['zh-CN'];
}

import type { FieldDefinition } from '../contracts/meta.ts';

/** What a sortable column holds; decides cursor validation in lists and which fields a list view may sort by. */
export type SortKind = 'text' | 'int' | 'numeric' | 'date' | 'timestamp' | 'bool' | 'uuid';

export const SYSTEM_SORT_KINDS: Record<string, SortKind> = {
  id: 'uuid', created_at: 'timestamp', updated_at: 'timestamp', owner: 'uuid', created_by: 'uuid', updated_by: 'uuid', version: 'int',
};

const FIELD_SORT_KINDS: Partial<Record<FieldDefinition['type'], SortKind>> = {
  text: 'text', email: 'text', phone: 'text', url: 'text', single_select: 'text', integer: 'int', auto_number: 'int',
  decimal: 'numeric', percent: 'numeric', currency: 'numeric', date: 'date', datetime: 'timestamp', boolean: 'bool',
  user: 'uuid', department: 'uuid', lookup: 'uuid',
};

export function sortKindOf(fields: readonly FieldDefinition[], name: string): SortKind | undefined {
  const field = fields.find((f) => f.name === name && !f.archived);
  return SYSTEM_SORT_KINDS[name] ?? (field ? FIELD_SORT_KINDS[field.type] : undefined);
}

/** "-amount,title" → keys; unknown or unsortable names are returned in `invalid`. */
export function parseSortSpec(fields: readonly FieldDefinition[], spec: string): { keys: { column: string; desc: boolean; kind: SortKind }[]; invalid: string[] } {
  const keys: { column: string; desc: boolean; kind: SortKind }[] = [];
  const invalid: string[] = [];
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean).slice(0, 5)) {
    const desc = part.startsWith('-');
    const name = desc ? part.slice(1) : part;
    const kind = name === 'id' ? undefined : sortKindOf(fields, name);
    if (kind) keys.push({ column: name, desc, kind });
    else invalid.push(name);
  }
  return { keys, invalid };
}

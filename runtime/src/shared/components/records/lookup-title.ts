import type { FieldDefinition, ObjectDefinition } from '@threadbase/platform/contracts';
import { formatValue } from './format-value.ts';

/**
 * The title a lookup editor shows for the record it points to before anyone searches: the target's
 * name, from the record's `_expanded` entry for the field.
 */
export function lookupTitle(field: FieldDefinition, expanded: Record<string, unknown> | null | undefined, objects: ReadonlyMap<string, ObjectDefinition>, locale: string): string {
  if (field.type !== 'lookup') return '';
  const target = objects.get(field.target);
  const nameField = target?.fields.find((f) => f.name === target.recordName);
  const raw = expanded?.[target?.recordName ?? ''];
  return nameField && raw != null ? formatValue(nameField, raw, { locale, yes: '', no: '' }) : '';
}

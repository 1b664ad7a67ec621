import type { FieldDefinition, LocalisedText, MyObjectAccess, ObjectDefinition } from '@threadbase/platform/contracts';
import { fieldLevel, isComputed, visibleFields } from './field-kinds.ts';

export type FormSection = { key: string; label: LocalisedText | null; columns: 1 | 2; fields: FieldDefinition[] };

/** Types that need the whole width of a two-column section. */
const WIDE: ReadonlySet<FieldDefinition['type']> = new Set(['long_text', 'rich_text', 'attachments']);
export const isWide = (field: FieldDefinition) => WIDE.has(field.type);

/**
 * The sections of a record page: the object's first layout, else one section of every field. Fields
 * the person may not see are left out, and so are sections left empty. When creating, required fields
 * the layout forgot come last, since the record cannot be saved without them.
 */
export function formSections(object: ObjectDefinition, access: MyObjectAccess | null, mode: 'view' | 'create'): FormSection[] {
  const visible = visibleFields(object, access);
  const byName = new Map(visible.map((f) => [f.name, f]));
  const layout = object.layouts[0];
  if (!layout) {
    const fields = mode === 'create' ? visible.filter((f) => !isComputed(f)) : visible;
    return [{ key: 'all', label: null, columns: 2, fields }];
  }
  const placed = new Set<string>();
  const sections: FormSection[] = layout.sections.map((section, index) => {
    const fields: FieldDefinition[] = [];
    for (const name of section.fields) {
      const field = byName.get(name);
      if (!field || placed.has(name)) continue;
      placed.add(name);
      fields.push(field);
    }
    return { key: `s${index}`, label: section.label, columns: section.columns, fields: mode === 'create' ? fields.filter((f) => !isComputed(f)) : fields };
  });
  if (mode === 'create') {
    const missing = visible.filter((f) => f.required && !placed.has(f.name) && fieldLevel(f, access) === 'edit');
    if (missing.length) sections.push({ key: 'required', label: null, columns: 2, fields: missing });
  }
  return sections.filter((s) => s.fields.length > 0);
}

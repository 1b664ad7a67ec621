import type { FieldDefinition, MyObjectAccess, ObjectDefinition } from '@threadbase/platform/contracts';
import { describe, expect, it } from 'vitest';
import { formSections } from './layout-sections.ts';

const label = (text: string) => ({ 'zh-CN': text, en: text });
const base = { required: false, unique: false, tracked: false, archived: false };
const field = (name: string, type: string, extra: Record<string, unknown> = {}) => ({ ...base, name, type, label: label(name), ...extra }) as FieldDefinition;

const object = (layouts: ObjectDefinition['layouts']): ObjectDefinition => ({
  name: 'thing',
  label: label('thing'),
  pluralLabel: label('things'),
  icon: 'document',
  recordName: 'title',
  archived: false,
  fields: [field('title', 'text', { required: true }), field('code', 'auto_number', { prefix: 'T', digits: 3 }), field('secret', 'text'), field('old', 'text', { archived: true }), field('owner_note', 'text', { required: true })],
  layouts,
  listViews: [],
});
const access = { fields: { secret: 'hidden' } } as unknown as MyObjectAccess;
const names = (sections: ReturnType<typeof formSections>) => sections.map((s) => [s.key, s.fields.map((f) => f.name)]);

describe('formSections', () => {
  it('without a layout shows every field the person may see in one section', () => {
    expect(names(formSections(object([]), access, 'view'))).toEqual([['all', ['title', 'code', 'owner_note']]]);
    expect(names(formSections(object([]), access, 'create'))).toEqual([['all', ['title', 'owner_note']]]);
  });

  it('follows the layout, dropping hidden fields, repeats and sections left empty', () => {
    const layout = { name: 'main', label: label('Main'), sections: [{ label: label('A'), columns: 1 as const, fields: ['title', 'secret', 'title'] }, { label: label('B'), columns: 2 as const, fields: ['secret'] }, { label: label('C'), columns: 2 as const, fields: ['code'] }] };
    const sections = formSections(object([layout]), access, 'view');
    expect(names(sections)).toEqual([['s0', ['title']], ['s2', ['code']]]);
    expect(sections[0]!.columns).toBe(1);
  });

  it('when creating, adds the required fields a layout left out and leaves computed ones out', () => {
    const layout = { name: 'main', label: label('Main'), sections: [{ label: label('A'), columns: 2 as const, fields: ['title', 'code'] }] };
    expect(names(formSections(object([layout]), access, 'create'))).toEqual([['s0', ['title']], ['required', ['owner_note']]]);
  });
});

import type { FieldDefinition, ListView, MyObjectAccess, ObjectDefinition } from '@threadbase/platform/contracts';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { nextTick, ref } from 'vue';
import { columnsStorageKey } from './column-choice.ts';
import { useColumnChoice, type ColumnChoiceSource } from './use-column-choice.ts';
import { memoryStorage } from '../../../shared/testing.ts';

const label = (text: string) => ({ 'zh-CN': text, en: text });
const field = (name: string, type = 'text') => ({ name, type, label: label(name), archived: false }) as FieldDefinition;
const object = {
  name: 'deal',
  recordName: 'title',
  fields: [field('title'), field('stage'), field('amount'), field('secret'), field('notes', 'long_text')],
} as ObjectDefinition;
const view = { name: 'all', label: label('All'), columns: ['title', 'stage', 'secret'], sort: '', pageSize: 20 } as ListView;
const rights = (fields: MyObjectAccess['fields'] = {}) => ({ object: 'deal', create: true, read: 'all', edit: 'all', delete: 'all', viewAll: true, modifyAll: false, fields }) as MyObjectAccess;

const names = (fields: readonly FieldDefinition[]) => fields.map((f) => f.name);

beforeEach(() => vi.stubGlobal('localStorage', memoryStorage()));

describe('useColumnChoice', () => {
  it('shows the view’s columns, then remembers a choice for this person, object and view', () => {
    const source = ref<ColumnChoiceSource>({ userId: 'u1', object, view, access: rights() });
    const choice = useColumnChoice(source);
    expect(names(choice.columns.value)).toEqual(['title', 'stage', 'secret']);
    expect(names(choice.offered.value)).toEqual(['title', 'stage', 'secret', 'amount', 'notes']);
    choice.choose(['title', 'amount', 'stage']);
    expect(names(choice.columns.value)).toEqual(['title', 'amount', 'stage']);
    expect(localStorage.getItem(columnsStorageKey('u1', 'deal', 'all'))).toBe('["title","amount","stage"]');
    expect(names(useColumnChoice(source).columns.value)).toEqual(['title', 'amount', 'stage']);
  });

  it('reads another person’s or another view’s choice separately', async () => {
    localStorage.setItem(columnsStorageKey('u1', 'deal', 'all'), '["title","amount"]');
    const source = ref<ColumnChoiceSource>({ userId: 'u2', object, view, access: rights() });
    const choice = useColumnChoice(source);
    expect(names(choice.columns.value)).toEqual(['title', 'stage', 'secret']);
    source.value = { ...source.value, userId: 'u1' };
    await nextTick();
    expect(names(choice.columns.value)).toEqual(['title', 'amount']);
    source.value = { ...source.value, view: null };
    await nextTick();
    expect(names(choice.columns.value)).toEqual(['title', 'stage', 'amount', 'secret']);
  });

  it('drops a saved column whose field became hidden, keeping the order of the others', () => {
    localStorage.setItem(columnsStorageKey('u1', 'deal', 'all'), '["amount","secret","title","gone"]');
    const choice = useColumnChoice({ userId: 'u1', object, view, access: rights({ secret: 'hidden' }) });
    expect(names(choice.columns.value)).toEqual(['amount', 'title']);
    expect(names(choice.offered.value)).not.toContain('secret');
  });

  it('goes back to the view’s columns on reset, forgetting the choice', () => {
    const choice = useColumnChoice({ userId: 'u1', object, view, access: rights() });
    choice.choose(['title', 'amount']);
    choice.reset();
    expect(names(choice.columns.value)).toEqual(['title', 'stage', 'secret']);
    expect(localStorage.getItem(columnsStorageKey('u1', 'deal', 'all'))).toBeNull();
  });

  it('still works for the page when storage is refused', () => {
    vi.stubGlobal('localStorage', { getItem: () => { throw new Error('denied'); }, setItem: () => { throw new Error('denied'); }, removeItem: () => {} });
    const choice = useColumnChoice({ userId: 'u1', object, view, access: rights() });
    choice.choose(['title', 'amount']);
    expect(names(choice.columns.value)).toEqual(['title', 'amount']);
  });
});

import type { FieldDefinition } from '@threadbase/platform/contracts';
import { describe, expect, it } from 'vitest';
import { chosenColumns, columnsStorageKey, moveName, offeredFields, parseChoice } from './column-choice.ts';

const field = (name: string) => ({ name, type: 'text', label: { 'zh-CN': name, en: name } }) as FieldDefinition;
const [title, stage, amount, owner, notes] = ['title', 'stage', 'amount', 'owner', 'notes'].map(field) as [FieldDefinition, FieldDefinition, FieldDefinition, FieldDefinition, FieldDefinition];
const visible = [title, amount, stage, owner, notes];
const defaults = [title, stage, amount];
const offered = offeredFields(visible, defaults);
const names = (fields: FieldDefinition[]) => fields.map((f) => f.name);

describe('the column choice', () => {
  it('offers the view’s columns first, then the other visible fields in metadata order', () => {
    expect(names(offered)).toEqual(['title', 'stage', 'amount', 'owner', 'notes']);
  });

  it('is the view’s default when nothing was saved', () => {
    expect(names(chosenColumns(null, offered, defaults, 'title'))).toEqual(['title', 'stage', 'amount']);
  });

  it('shows a saved choice in its own order', () => {
    expect(names(chosenColumns(['title', 'owner', 'stage'], offered, defaults, 'title'))).toEqual(['title', 'owner', 'stage']);
  });

  it('drops names of fields that are gone or now hidden, keeping the order of the rest', () => {
    // "secret" became hidden (it is no longer offered), "old" was removed from the object.
    expect(names(chosenColumns(['notes', 'secret', 'title', 'old', 'amount'], offered, defaults, 'title'))).toEqual(['notes', 'title', 'amount']);
  });

  it('always shows the record’s name, first when the saved choice lacks it', () => {
    expect(names(chosenColumns(['amount', 'stage'], offered, defaults, 'title'))).toEqual(['title', 'amount', 'stage']);
  });

  it('falls back to the default when nothing but the name is left', () => {
    expect(names(chosenColumns(['gone', 'title'], offered, defaults, 'title'))).toEqual(['title', 'stage', 'amount']);
    expect(names(chosenColumns([], offered, defaults, 'title'))).toEqual(['title', 'stage', 'amount']);
  });

  it('shows a name once even when saved twice', () => {
    expect(names(chosenColumns(['title', 'stage', 'stage'], offered, defaults, 'title'))).toEqual(['title', 'stage']);
  });
});

describe('parseChoice', () => {
  it('reads a list of names and ignores anything else', () => {
    expect(parseChoice('["title","stage"]')).toEqual(['title', 'stage']);
    expect(parseChoice(null)).toBeNull();
    expect(parseChoice('{not json')).toBeNull();
    expect(parseChoice('{"columns":["title"]}')).toBeNull();
    expect(parseChoice('["title",3]')).toBeNull();
  });
});

describe('moveName', () => {
  it('moves a name one place and stops at either end', () => {
    expect(moveName(['a', 'b', 'c'], 'c', -1)).toEqual(['a', 'c', 'b']);
    expect(moveName(['a', 'b', 'c'], 'a', 1)).toEqual(['b', 'a', 'c']);
    expect(moveName(['a', 'b', 'c'], 'a', -1)).toEqual(['a', 'b', 'c']);
    expect(moveName(['a', 'b', 'c'], 'c', 1)).toEqual(['a', 'b', 'c']);
  });
});

describe('columnsStorageKey', () => {
  it('keeps each person’s choice per object and per view', () => {
    expect(columnsStorageKey('u1', 'deal', 'all')).toBe('threadbase.columns.u1.deal.all');
    expect(columnsStorageKey('u1', 'deal', null)).not.toBe(columnsStorageKey('u1', 'deal', 'all'));
    expect(columnsStorageKey('u2', 'deal', 'all')).not.toBe(columnsStorageKey('u1', 'deal', 'all'));
  });
});

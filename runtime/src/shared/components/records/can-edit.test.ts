import type { FieldDefinition, MyObjectAccess } from '@threadbase/platform/contracts';
import { describe, expect, it } from 'vitest';
import { canDeleteRecords, canEditField, canEditRecords } from './can-edit.ts';

const label = { 'zh-CN': 'x', en: 'x' };
const field = (name: string, type: string, extra: object = {}) => ({ name, type, label, required: false, unique: false, tracked: false, archived: false, ...extra }) as FieldDefinition;
const access = (patch: Partial<MyObjectAccess> = {}): MyObjectAccess => ({
  object: 'deal',
  create: true,
  read: 'all',
  edit: 'own',
  delete: 'none',
  viewAll: false,
  modifyAll: false,
  fields: {},
  ...patch,
});

describe('canEditField', () => {
  it('allows fields her roles leave editable, not read-only or hidden ones', () => {
    const rights = access({ fields: { amount: 'read', secret: 'hidden' } });
    expect(canEditField(field('title', 'text'), rights)).toBe(true);
    expect(canEditField(field('amount', 'currency'), rights)).toBe(false);
    expect(canEditField(field('secret', 'text'), rights)).toBe(false);
  });

  it('never offers computed fields or attachments', () => {
    expect(canEditField(field('no', 'auto_number'), null)).toBe(false);
    expect(canEditField(field('total', 'formula', { expression: '1', resultType: 'decimal' }), null)).toBe(false);
    expect(canEditField(field('sum', 'rollup', { source: 'line', via: 'deal', fn: 'count' }), null)).toBe(false);
    expect(canEditField(field('files', 'attachments'), null)).toBe(false);
  });
});

describe('object rights', () => {
  it('follow the edit and delete scopes, with modify-all covering both', () => {
    expect(canEditRecords(access())).toBe(true);
    expect(canEditRecords(access({ edit: 'none' }))).toBe(false);
    expect(canDeleteRecords(access())).toBe(false);
    expect(canDeleteRecords(access({ delete: 'own' }))).toBe(true);
    expect(canEditRecords(access({ edit: 'none', modifyAll: true }))).toBe(true);
    expect(canDeleteRecords(access({ modifyAll: true }))).toBe(true);
  });

  it('are offered while the rights are unknown: the server decides', () => {
    expect(canEditRecords(null)).toBe(true);
    expect(canDeleteRecords(null)).toBe(true);
  });
});

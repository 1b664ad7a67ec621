import { describe, expect, it } from 'vitest';
import type { RecordData } from '../../shared/api/records-api.ts';
import { changedValues } from './changed-values.ts';

const record = {
  id: '0190a0a0-0000-7000-8000-000000000001',
  created_at: '2026-01-01T00:00:00.000Z',
  created_by: null,
  updated_at: '2026-01-01T00:00:00.000Z',
  updated_by: null,
  owner: null,
  version: 3,
  title: '框架协议',
  amount: { amount: '100.00', currency: 'CNY' },
  tags: ['vip'],
  note: null,
} as RecordData;

describe('changedValues', () => {
  it('is empty when nothing changed, with an unset value and null alike', () => {
    expect(changedValues(record, { ...record, note: undefined })).toEqual({});
  });

  it('names the changed fields only, compared by value', () => {
    const values = { ...record, title: '框架协议 v2', amount: { amount: '100.00', currency: 'CNY' }, tags: ['vip', 'renewal'] };
    expect(changedValues(record, values)).toEqual({ title: '框架协议 v2', tags: ['vip', 'renewal'] });
  });

  it('never sends what the platform keeps itself', () => {
    expect(changedValues(record, { ...record, version: 9, id: 'x', _expanded: {} })).toEqual({});
  });
});

import type { FieldDefinition } from '@threadbase/platform/contracts';
import { describe, expect, it } from 'vitest';
import { formatValue, recordName } from './format-value.ts';

const base = { label: { 'zh-CN': '字段', en: 'Field' }, required: false, unique: false, tracked: false, archived: false };
const f = (field: Record<string, unknown>) => ({ ...base, name: 'x', ...field }) as FieldDefinition;
const zh = { locale: 'zh-CN', yes: '是', no: '否' };
const en = { locale: 'en', yes: 'Yes', no: 'No' };

describe('formatValue', () => {
  it('groups numbers and keeps a decimal’s scale exactly', () => {
    expect(formatValue(f({ type: 'integer' }), 1234567, en)).toBe('1,234,567');
    expect(formatValue(f({ type: 'decimal', precision: 30, scale: 2 }), '12345678901234567890.10', en)).toBe('12,345,678,901,234,567,890.10');
  });

  it('shows money with its own currency in the reader’s language', () => {
    const amount = f({ type: 'currency', precision: 12, scale: 2, defaultCurrency: 'CNY' });
    expect(formatValue(amount, { amount: '125000.5', currency: 'CNY' }, zh)).toBe('¥125,000.50');
    expect(formatValue(amount, { amount: '99', currency: 'USD' }, en)).toBe('$99.00');
  });

  it('shows a stored fraction as a percent, with the digits the scale leaves', () => {
    expect(formatValue(f({ type: 'percent', precision: 5, scale: 4 }), '0.3550', en)).toBe('35.5%');
    expect(formatValue(f({ type: 'percent', precision: 3, scale: 2 }), '0.07', en)).toBe('7%');
  });

  it('keeps a date on its own day whatever the time zone', () => {
    expect(formatValue(f({ type: 'date' }), '2026-12-31', en)).toBe('Dec 31, 2026');
    expect(formatValue(f({ type: 'date' }), '2026-12-31', zh)).toBe('2026年12月31日');
  });

  it('names options by their label in the reader’s language, and an unknown key by itself', () => {
    const options = [{ key: 'won', label: { 'zh-CN': '赢单', en: 'Won' }, color: '#00b42a' }, { key: 'lost', label: { 'zh-CN': '输单', en: 'Lost' }, color: '#f53f3f' }];
    expect(formatValue(f({ type: 'single_select', options }), 'won', zh)).toBe('赢单');
    expect(formatValue(f({ type: 'multi_select', options }), ['won', 'lost'], en)).toBe('Won, Lost');
    expect(formatValue(f({ type: 'single_select', options }), 'gone', en)).toBe('gone');
  });

  it('formats formulas by their result type and leaves empty values empty', () => {
    expect(formatValue(f({ type: 'formula', expression: 'x', resultType: 'boolean' }), true, zh)).toBe('是');
    expect(formatValue(f({ type: 'formula', expression: 'x', resultType: 'decimal' }), '43750.18', en)).toBe('43,750.18');
    expect(formatValue(f({ type: 'boolean' }), false, en)).toBe('No');
    expect(formatValue(f({ type: 'text' }), null, en)).toBe('');
  });
});

describe('recordName', () => {
  const object = { recordName: 'amount', fields: [f({ name: 'amount', type: 'decimal', scale: 2 })] };
  it('formats the name field like a cell, and is empty when the record has no name', () => {
    expect(recordName(object, { amount: '1200.50' }, 'en')).toBe(formatValue(object.fields[0]!, '1200.50', en));
    expect(recordName(object, { amount: null }, 'en')).toBe('');
    expect(recordName({ recordName: 'gone', fields: object.fields }, { amount: '1' }, 'en')).toBe('');
  });
});

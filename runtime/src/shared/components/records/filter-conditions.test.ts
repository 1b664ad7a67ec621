import type { FieldDefinition } from '@threadbase/platform/contracts';
import { describe, expect, it } from 'vitest';
import { conditionsOf, filterTree, isComplete, operandShape, operatorsFor } from './filter-conditions.ts';

const base = { label: { 'zh-CN': '字段', en: 'Field' }, required: false, unique: false, tracked: false, archived: false };
const fields = [
  { ...base, name: 'title', type: 'text', maxLength: 255 },
  { ...base, name: 'amount', type: 'currency', precision: 12, scale: 2, defaultCurrency: 'CNY' },
  { ...base, name: 'notes', type: 'attachments', multiple: true },
] as FieldDefinition[];

describe('operators', () => {
  it('offer per type what the server accepts, and nothing for fields it cannot filter', () => {
    expect(operatorsFor(fields[0]!)).toContain('starts_with');
    expect(operatorsFor(fields[1]!)).toEqual(expect.arrayContaining(['gt', 'between', 'is_empty']));
    expect(operatorsFor(fields[1]!)).not.toContain('contains');
    expect(operatorsFor(fields[2]!)).toEqual([]);
  });

  it('decide the shape of the value box', () => {
    expect(['is_empty', 'in', 'between', 'during', 'gt'].map((op) => operandShape(op as never))).toEqual(['none', 'many', 'range', 'period', 'one']);
  });
});

describe('filterTree', () => {
  it('ands the complete conditions and drops values an operator does not take', () => {
    const tree = filterTree([
      { field: 'title', op: 'contains', value: '框架' },
      { field: 'amount', op: 'gt', value: '' },
      { field: 'amount', op: 'is_empty', value: 'left over' },
      { field: 'amount', op: 'between', value: ['1', '10'] },
    ]);
    expect(JSON.parse(tree!)).toEqual({
      and: [
        { field: 'title', op: 'contains', value: '框架' },
        { field: 'amount', op: 'is_empty' },
        { field: 'amount', op: 'between', value: ['1', '10'] },
      ],
    });
  });

  it('is nothing at all when no condition is complete', () => {
    expect(filterTree([])).toBeUndefined();
    expect(filterTree([{ field: 'amount', op: 'in', value: [] }])).toBeUndefined();
    expect(isComplete({ field: 'amount', op: 'between', value: ['1', null] })).toBe(false);
  });
});

describe('conditionsOf', () => {
  it('reads back what filterTree wrote', () => {
    const conditions = [{ field: 'title', op: 'eq' as const, value: 'x' }, { field: 'amount', op: 'lt' as const, value: '5' }];
    expect(conditionsOf(filterTree(conditions), fields)).toEqual(conditions);
  });

  it('ignores trees it cannot show and conditions on unknown fields or operators', () => {
    expect(conditionsOf('{"or":[{"field":"title","op":"eq","value":"x"}]}', fields)).toEqual([]);
    expect(conditionsOf('not json', fields)).toEqual([]);
    expect(conditionsOf({ and: [{ field: 'gone', op: 'eq', value: 1 }, { field: 'title', op: 'during', value: 'today' }, 3] }, fields)).toEqual([]);
  });
});

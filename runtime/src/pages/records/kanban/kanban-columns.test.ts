import { describe, expect, it } from 'vitest';
import type { RecordData } from '../../../shared/api/records-api.ts';
import { buildColumns, columnFilter, moveCard, replaceCard, undoMove, type KanbanColumn, type SelectField } from './kanban-columns.ts';

const stage: SelectField = {
  name: 'stage',
  type: 'single_select',
  label: { 'zh-CN': '阶段', en: 'Stage' },
  options: [
    { key: 'lead', label: { 'zh-CN': '线索', en: 'Lead' }, color: '#8f959e' },
    { key: 'won', label: { 'zh-CN': '赢单', en: 'Won' }, color: '#00b42a' },
  ],
} as SelectField;

const record = (id: string, value: string | null, version = 1) => ({ id, stage: value, version }) as unknown as RecordData;

function board(): KanbanColumn[] {
  const [lead, won, none] = buildColumns(stage, 'en', '(none)');
  return [
    { ...lead!, items: [record('a', 'lead'), record('b', 'lead')], total: 5, loading: false },
    { ...won!, items: [record('c', 'won')], total: 1, loading: false },
    { ...none!, items: [], total: 0, loading: false },
  ];
}

describe('buildColumns', () => {
  it('makes one column per option in order, labelled in the reader’s language, then “none”', () => {
    const columns = buildColumns(stage, 'zh-CN', '（无）');
    expect(columns.map((c) => [c.key, c.label, c.color])).toEqual([
      ['lead', '线索', '#8f959e'],
      ['won', '赢单', '#00b42a'],
      [null, '（无）', ''],
    ]);
    expect(columns.every((c) => c.loading && c.items.length === 0)).toBe(true);
  });
});

describe('columnFilter', () => {
  it('narrows the list’s filter to one option, or to records without one', () => {
    expect(JSON.parse(columnFilter(undefined, 'stage', 'won'))).toEqual({ field: 'stage', op: 'eq', value: 'won' });
    const base = JSON.stringify({ field: 'amount', op: 'gt', value: '10' });
    expect(JSON.parse(columnFilter(base, 'stage', null))).toEqual({ and: [{ field: 'amount', op: 'gt', value: '10' }, { field: 'stage', op: 'is_empty' }] });
  });
});

describe('moving a card', () => {
  it('takes it out of its column and puts it on top of the other, with the new value and counts', () => {
    const result = moveCard(board(), 'b', 'stage', 'won')!;
    const [lead, won] = result.columns;
    expect(lead!.items.map((r) => r.id)).toEqual(['a']);
    expect(lead!.total).toBe(4);
    expect(won!.items.map((r) => [r.id, r.stage])).toEqual([['b', 'won'], ['c', 'won']]);
    expect(won!.total).toBe(2);
    expect(result.move).toMatchObject({ from: 'lead', to: 'won', index: 1 });
  });

  it('moves into “none” too, and refuses a move to the same or an unknown column', () => {
    expect(moveCard(board(), 'a', 'stage', null)!.columns[2]!.items[0]).toMatchObject({ id: 'a', stage: null });
    expect(moveCard(board(), 'a', 'stage', 'lead')).toBeNull();
    expect(moveCard(board(), 'a', 'stage', 'lost')).toBeNull();
    expect(moveCard(board(), 'zz', 'stage', 'won')).toBeNull();
  });

  it('is undone exactly: the card back at its place with its old value, counts restored', () => {
    const before = board();
    const { columns, move } = moveCard(before, 'b', 'stage', 'won')!;
    expect(undoMove(columns, move)).toEqual(before);
  });

  it('takes the server’s copy of a card after the change is saved', () => {
    const { columns } = moveCard(board(), 'b', 'stage', 'won')!;
    const saved = replaceCard(columns, record('b', 'won', 2));
    expect(saved[1]!.items[0]).toMatchObject({ id: 'b', version: 2 });
  });
});

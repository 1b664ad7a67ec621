import { describe, expect, it } from 'vitest';
import { historyGroups, type HistoryEntry } from './history-groups.ts';

const entry = (field: string, changedAt: string, changedBy: string | null = 'u1'): HistoryEntry => ({ field, old: null, new: 1, changedAt, changedBy });

describe('historyGroups', () => {
  it('gathers the fields of one save, and tells saves apart by moment and by person', () => {
    const groups = historyGroups([
      entry('stage', '2026-03-02T10:00:00.000Z'),
      entry('amount', '2026-03-02T10:00:00.000Z'),
      entry('stage', '2026-03-02T10:00:00.000Z', 'u2'),
      entry('stage', '2026-03-01T09:00:00.000Z', null),
    ]);
    expect(groups.map((g) => [g.changedBy, g.changes.map((c) => c.field)])).toEqual([
      ['u1', ['stage', 'amount']],
      ['u2', ['stage']],
      [null, ['stage']],
    ]);
    expect(new Set(groups.map((g) => g.key)).size).toBe(3);
  });

  it('has no saves for no history', () => {
    expect(historyGroups([])).toEqual([]);
  });
});

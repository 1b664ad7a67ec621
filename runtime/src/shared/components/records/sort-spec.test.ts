import { describe, expect, it } from 'vitest';
import { nextSort, sortDirection } from './sort-spec.ts';

describe('sort by header', () => {
  it('reads the direction of the first sort key only', () => {
    expect(sortDirection('-amount,title', 'amount')).toBe('descending');
    expect(sortDirection('-amount,title', 'title')).toBe('none');
    expect(sortDirection('title', 'title')).toBe('ascending');
  });

  it('cycles ascending, descending, unsorted', () => {
    expect(nextSort('', 'amount')).toBe('amount');
    expect(nextSort('amount', 'amount')).toBe('-amount');
    expect(nextSort('-amount', 'amount')).toBe('');
    expect(nextSort('-amount', 'title')).toBe('title');
  });
});

import { describe, expect, it } from 'vitest';
import { summaryText } from './summary-text.ts';

describe('a summary value as text', () => {
  it('shows plain values as they are', () => {
    expect(summaryText('Taxi')).toBe('Taxi');
    expect(summaryText(1200.5)).toBe('1200.5');
    expect(summaryText('1200.50')).toBe('1200.50');
  });

  it('shows a dash for nothing', () => {
    expect(summaryText(null)).toBe('—');
    expect(summaryText(undefined)).toBe('—');
    expect(summaryText('')).toBe('—');
  });

  it('names structured values and joins lists', () => {
    expect(summaryText({ id: 'u1', displayName: 'Li Lei' })).toBe('Li Lei');
    expect(summaryText(['a', { name: 'B' }])).toBe('a, B');
    expect(summaryText(true)).toBe('✓');
  });
});

import { describe, expect, it } from 'vitest';
import { messageQuery, messageSeqOf } from './message-query.ts';

describe('messageSeqOf', () => {
  it('reads the seq a link opens the thread at', () => {
    expect(messageSeqOf({ message: '1234' })).toBe(1234);
    expect(messageSeqOf({ message: ['7', '8'] })).toBe(7);
    expect(messageSeqOf(messageQuery(42))).toBe(42);
  });

  it('ignores anything but a positive whole number: the thread then opens at its end', () => {
    for (const message of ['0', '-3', '1.5', 'abc', '', '12abc', '99999999999999999']) expect(messageSeqOf({ message })).toBeNull();
    expect(messageSeqOf({})).toBeNull();
    expect(messageSeqOf({ message: null })).toBeNull();
  });
});

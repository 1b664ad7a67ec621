import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CoalescedEmits } from './coalesced-emits.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('coalesced nudges to a room', () => {
  it('tells at once, then once more after a burst, and never misses the last change', () => {
    const sent: string[] = [];
    const emits = new CoalescedEmits((room) => sent.push(room), 250);
    emits.nudge('o:ws:deal');
    expect(sent).toEqual(['o:ws:deal']);
    for (let i = 0; i < 1000; i++) emits.nudge('o:ws:deal');
    emits.nudge('o:ws:ticket');
    expect(sent).toEqual(['o:ws:deal', 'o:ws:ticket']);
    vi.advanceTimersByTime(250);
    expect(sent).toEqual(['o:ws:deal', 'o:ws:ticket', 'o:ws:deal']);
    vi.advanceTimersByTime(250);
    expect(sent).toHaveLength(3);
    emits.nudge('o:ws:deal');
    expect(sent).toHaveLength(4);
  });

  it('sends nothing more once closed', () => {
    const sent: string[] = [];
    const emits = new CoalescedEmits((room) => sent.push(room), 250);
    emits.nudge('o:ws:deal');
    emits.nudge('o:ws:deal');
    emits.close();
    vi.advanceTimersByTime(1000);
    expect(sent).toEqual(['o:ws:deal']);
  });
});

import { describe, expect, it } from 'vitest';
import { mayRecall } from './recall-window.ts';

describe('mayRecall', () => {
  const sent = '2026-03-01T09:00:00.000Z';
  const at = (iso: string) => new Date(iso).getTime();

  it('allows recalling inside the window and not after it', () => {
    expect(mayRecall(2, sent, at('2026-03-01T09:01:59.000Z'))).toBe(true);
    expect(mayRecall(2, sent, at('2026-03-01T09:02:00.000Z'))).toBe(false);
  });

  it('never allows it with a window of 0, and leaves it to the server while the window is unknown', () => {
    expect(mayRecall(0, sent, at(sent))).toBe(false);
    expect(mayRecall(null, sent, at('2030-01-01T00:00:00.000Z'))).toBe(true);
  });
});

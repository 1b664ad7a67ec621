import type { Message } from '@threadbase/platform/contracts';
import { describe, expect, it } from 'vitest';
import { testMessage } from './message-fixture.ts';
import { acceptLive, isAtEnd, itemIndexOfSeq, latestWindow, windowAround } from './thread-window.ts';
import { timeline } from './timeline.ts';

const message = testMessage;
const seqs = (messages: readonly Message[]) => messages.map((m) => m.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => message(from + i));

describe('latestWindow', () => {
  it('puts the newest page (newest first from the API) in reading order, attached to the live end', () => {
    const window = latestWindow({ items: range(91, 100).reverse(), hasMore: true });
    expect(seqs(window.messages)).toEqual(seqs(range(91, 100)));
    expect(window).toMatchObject({ hasOlder: true, hasNewer: false });
  });
});

describe('windowAround', () => {
  it('joins the message and what came before it with what came after, once each and in order', () => {
    // before=51 gives 50 and older, newest first; after=50 gives 51 and newer, oldest first.
    const window = windowAround({ items: range(41, 50).reverse(), hasMore: true }, { items: range(51, 60), hasMore: true });
    expect(seqs(window.messages)).toEqual(seqs(range(41, 60)));
    expect(window).toMatchObject({ hasOlder: true, hasNewer: true });
  });

  it('is attached when nothing comes after the message, and has nothing older at the thread start', () => {
    const window = windowAround({ items: range(1, 3).reverse(), hasMore: false }, { items: [], hasMore: false });
    expect(seqs(window.messages)).toEqual([1, 2, 3]);
    expect(window).toMatchObject({ hasOlder: false, hasNewer: false });
  });
});

describe('acceptLive', () => {
  it('appends live messages to a window at the live end', () => {
    const taken = acceptLive({ messages: range(1, 3), hasOlder: false, hasNewer: false }, [message(4)]);
    expect(seqs(taken.messages)).toEqual([1, 2, 3, 4]);
    expect(taken.missed).toBe(false);
  });

  it('keeps a detached window gapless: newer messages are left for later, changes to loaded ones are taken', () => {
    const edited = message(2, { body: 'edited', editedAt: '2026-03-01T10:00:00.000Z' });
    const taken = acceptLive({ messages: range(1, 3), hasOlder: false, hasNewer: true }, [edited, message(900)]);
    expect(seqs(taken.messages)).toEqual([1, 2, 3]);
    expect(taken.messages[1]!.body).toBe('edited');
    expect(taken.missed).toBe(true);
  });

  it('says nothing was missed when a detached window only got changes', () => {
    const taken = acceptLive({ messages: range(1, 3), hasOlder: false, hasNewer: true }, [message(3, { body: 'x' })]);
    expect(taken.missed).toBe(false);
  });
});

describe('itemIndexOfSeq', () => {
  it('finds a message row, a folded run of events holding the seq, or nothing', () => {
    const events = [message(2, { kind: 'system', authorId: null }), message(3, { kind: 'system', authorId: null })];
    const items = timeline([message(1), ...events, message(4)], () => 'day');
    // day line, #1, the run of #2 and #3, #4
    expect(itemIndexOfSeq(items, 1)).toBe(1);
    expect(itemIndexOfSeq(items, 3)).toBe(2);
    expect(itemIndexOfSeq(items, 4)).toBe(3);
    expect(itemIndexOfSeq(items, 99)).toBe(-1);
  });
});

describe('isAtEnd', () => {
  it('counts a little short of the end as the end', () => {
    expect(isAtEnd({ offset: 1000, size: 1600, viewport: 600 })).toBe(true);
    expect(isAtEnd({ offset: 900, size: 1600, viewport: 600 })).toBe(true);
    expect(isAtEnd({ offset: 500, size: 1600, viewport: 600 })).toBe(false);
  });
});

import type { Message } from '@threadbase/platform/contracts';
import { mergeMessages, type TimelineItem } from './timeline.ts';

/**
 * The part of a thread that is loaded: a run of consecutive messages, with whether there is more before
 * it and after it. Opened at a message (from search, or a reply's quote), it is "detached" from the live
 * end until scrolling down has loaded everything after it: live messages then wait on the server instead
 * of being appended after a gap.
 */
export type ThreadWindow = { messages: Message[]; hasOlder: boolean; hasNewer: boolean };

type Page = { items: Message[]; hasMore: boolean };

/** The newest page (as the API gives it, newest first): the live end. */
export function latestWindow(page: Page): ThreadWindow {
  return { messages: [...page.items].reverse(), hasOlder: page.hasMore, hasNewer: false };
}

/** The message at `seq` and what came before it (`before=seq+1`, newest first), with what came after (`after=seq`, oldest first). */
export function windowAround(upTo: Page, after: Page): ThreadWindow {
  return { messages: mergeMessages([...upTo.items].reverse(), after.items), hasOlder: upTo.hasMore, hasNewer: after.hasMore };
}

/**
 * Messages that came live, over the socket or as an answer, while this window is loaded. Attached to the
 * live end, all are taken. Detached, only changes to messages within the window are (an edit, a reaction);
 * anything after it is left for scrolling down to load, and `missed` says there is something newer.
 */
export function acceptLive(window: ThreadWindow, incoming: readonly Message[]): { messages: Message[]; missed: boolean } {
  if (!window.hasNewer) return { messages: mergeMessages(window.messages, incoming), missed: false };
  const last = window.messages.at(-1)?.seq ?? 0;
  const within = incoming.filter((m) => m.seq <= last);
  return { messages: mergeMessages(window.messages, within), missed: within.length < incoming.length };
}

/** Where the timeline shows the message with this seq: its own row, or the folded run of events it is in; -1 when not loaded. */
export function itemIndexOfSeq(items: readonly TimelineItem[], seq: number): number {
  return items.findIndex((item) => (item.kind === 'message' ? item.message.seq === seq : item.kind === 'events' && item.messages.some((m) => m.seq === seq)));
}

/** Pixels from the end within which the reader counts as reading the end: new messages then scroll into view. */
export const NEAR_END_PX = 120;

/** Whether a scroll position is at the end of the log (a little short of it counts: the last row may be growing). */
export function isAtEnd(scroll: { offset: number; size: number; viewport: number }): boolean {
  return scroll.size - scroll.offset - scroll.viewport < NEAR_END_PX;
}

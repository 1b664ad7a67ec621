import type { VirtualizerHandle } from 'virtua/vue';
import { nextTick, ref, watch, type ComputedRef, type Ref } from 'vue';
import { isAtEnd, itemIndexOfSeq } from './thread-window.ts';
import type { TimelineItem } from './timeline.ts';
import type { useThread } from './use-thread.ts';

/** Pixels from either end of what is loaded at which the next page is asked for, before the reader gets there. */
const LOAD_PX = 600;
/** How long after rows were measured the list may still move the scroll position itself (virtua retries a scroll for 150 ms). */
const SETTLE_MS = 250;
/** How long after the reader's own wheel, touch, key or drag a scroll counts as hers. */
const INPUT_MS = 1000;

type Virtual = Pick<VirtualizerHandle, 'scrollToIndex'>;

function isEndKey(event: KeyboardEvent): boolean {
  const target = event.target as HTMLElement | null;
  const typing = !!target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
  return event.key === 'End' && !typing && !event.shiftKey && !event.altKey && !event.metaKey;
}

/**
 * Where the thread's log is scrolled, as in Slack or Feishu: at the end it follows new messages (and rows
 * growing as they are measured); scrolled back, it stays where it is while older pages are put in front
 * (`shifting` tells the virtual list that rows came at the start) and while messages come at the end;
 * a jump (search, a reply's quote) shows a message in the middle and lights it up, and "latest" returns.
 */
export function useLogScroll(
  state: ReturnType<typeof useThread>,
  items: ComputedRef<TimelineItem[]>,
  scroller: Readonly<Ref<HTMLElement | null>>,
  list: Readonly<Ref<Virtual | null>>,
  /** The first element after the list's rows (messages waiting to be sent follow it). */
  after: Readonly<Ref<HTMLElement | null>>,
  me: () => string,
) {
  const atEnd = ref(true);
  const shifting = ref(false);
  /** The seq a jump led to, until the next jump. */
  const highlighted = ref<number | null>(null);
  /** Set while a page comes after the loaded ones or a jump replaces them: those must not pull the log to the end. */
  let moving = false;
  /**
   * Until when scrolling is the list correcting its position (up or down) after rows were measured or the
   * log was put at its end, not the reader leaving the end: it must not stop the log following new messages.
   */
  let settlingUntil = 0;
  /** When the reader last wheeled, touched, pressed a key or dragged in the log: her scrolling always counts. */
  let inputAt = -Infinity;

  // New messages at the end scroll into view when the reader is at the end (or wrote them).
  watch(
    () => `${state.messages.value.at(-1)?.id ?? ''}:${state.pending.value.length}`,
    async () => {
      const mine = state.messages.value.at(-1)?.authorId === me() || state.pending.value.length > 0;
      if (moving || state.hasNewer.value || !(atEnd.value || mine)) return;
      await nextTick();
      toEnd();
    },
  );

  return { atEnd, shifting, highlighted, onInput, onScroll, onResize, toEnd, older, newer, jump, reveal, latest };

  function onInput(event: Event): void {
    if (event instanceof PointerEvent && event.type === 'pointermove' && event.buttons === 0) return;
    inputAt = performance.now();
    if (event instanceof KeyboardEvent && isEndKey(event)) {
      // The browser's own End goes to the height known at that moment, and rows measured on the way make
      // the end move further: the list goes to its last row instead, and keeps at it until it is there.
      // Once it is, the next page is asked for if there is one (the scroll events may all have come before).
      event.preventDefault();
      toEndCancellingJump();
      setTimeout(onScroll, SETTLE_MS);
    }
  }

  function onScroll(): void {
    const el = scroller.value;
    if (!el) return;
    if (!state.hasNewer.value && isAtEnd({ offset: el.scrollTop, size: el.scrollHeight, viewport: el.clientHeight })) atEnd.value = true;
    else if (state.hasNewer.value || performance.now() > settlingUntil || performance.now() - inputAt < INPUT_MS) atEnd.value = false;
    if (el.scrollTop < LOAD_PX) void older();
    if (el.scrollHeight - el.scrollTop - el.clientHeight < LOAD_PX) void newer();
  }

  /** Rows were measured or changed size (an edit, a reaction, an image loaded): the end stays in view. */
  function onResize(): void {
    settle();
    // After the list has drawn its new height: told first, it draws after.
    if (atEnd.value && !moving) void nextTick(toEnd);
  }

  function toEnd(): void {
    const el = scroller.value;
    settle();
    if (el) el.scrollTop = el.scrollHeight;
  }

  /**
   * To the end through the list itself, which cancels a scroll of its own still under way (a jump's: it
   * goes on putting that message in view while rows are measured). Not for following new messages: while
   * under way it would also undo the reader's own scrolling.
   */
  function toEndCancellingJump(): void {
    const el = scroller.value;
    const last = items.value.length - 1;
    if (!el || last < 0 || !list.value || !after.value) return toEnd();
    settle();
    // What follows the rows (messages being sent) is below the last one.
    const tail = el.scrollHeight - (after.value.getBoundingClientRect().top - el.getBoundingClientRect().top + el.scrollTop);
    list.value.scrollToIndex(last, { align: 'end', offset: tail });
  }

  function settle(): void {
    settlingUntil = performance.now() + SETTLE_MS;
  }

  async function older(): Promise<void> {
    if (!state.hasOlder.value || state.loadingOlder.value || state.loading.value || moving) return;
    const count = state.messages.value.length;
    shifting.value = true;
    try {
      await state.loadOlder();
      await nextTick();
    } finally {
      shifting.value = false;
    }
    // A short page may leave the reader near the top still: the next one then comes without another scroll
    // (not after a failure, which would only be asked again and again).
    if (state.messages.value.length > count) onScroll();
  }

  async function newer(): Promise<void> {
    if (!state.hasNewer.value || state.loadingNewer.value || state.loading.value || moving) return;
    const count = state.messages.value.length;
    await moved(state.loadNewer());
    if (state.messages.value.length > count) onScroll();
  }

  /** To the message with this seq, loading the messages around it if they are not. */
  async function jump(seq: number): Promise<void> {
    await moved(state.jumpTo(seq));
    await reveal(seq);
  }

  /** Scrolls a loaded message into the middle, lights it up and focuses it, so that a screen reader reads it. */
  async function reveal(seq: number): Promise<HTMLElement | null> {
    const index = itemIndexOfSeq(items.value, seq);
    if (index < 0) return null;
    highlighted.value = seq;
    atEnd.value = false;
    await nextTick();
    // Resolves once the list is set up (just opened, it may not be yet); the row is drawn a frame or two later.
    await list.value?.scrollToIndex(index, { align: 'center' });
    const selector = `[data-key="${CSS.escape(items.value[index]!.key)}"]`;
    let row: HTMLElement | null = null;
    // virtua keeps a row hidden until it has measured it, and a hidden element takes no focus: tried until it does.
    for (let frame = 0; frame < 60; frame++) {
      await new Promise((resolve) => requestAnimationFrame(resolve));
      row = scroller.value?.querySelector<HTMLElement>(selector) ?? null;
      row?.focus({ preventScroll: true });
      if (row && document.activeElement === row) break;
    }
    return row;
  }

  /** Back to the live end: reloaded if the log was detached from it. */
  async function latest(): Promise<void> {
    highlighted.value = null;
    if (state.hasNewer.value) await moved(state.jumpTo(null));
    atEnd.value = true;
    toEndCancellingJump();
  }

  async function moved(change: Promise<void>): Promise<void> {
    moving = true;
    try {
      await change;
      await nextTick();
    } finally {
      moving = false;
    }
  }
}

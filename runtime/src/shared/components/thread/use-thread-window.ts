import type { Message } from '@threadbase/platform/contracts';
import { ref, type ShallowRef } from 'vue';
import { threadsApi } from '../../api/threads-api.ts';
import { mergeMessages } from './timeline.ts';
import { acceptLive, latestWindow, windowAround, type ThreadWindow } from './thread-window.ts';

/** Messages per page: the first screen comes quickly, and scrolling through thousands takes few requests. */
export const PAGE = 50;

/**
 * Which messages of a thread are loaded (thread-window.ts): the latest page or a page around one message,
 * then pages before and after it as the reader scrolls. `missed`: live messages came after a detached
 * window, for a "jump to latest" button.
 */
export function useThreadWindow(threadId: () => string | null, messages: ShallowRef<Message[]>, onError: (error: unknown) => void) {
  const hasOlder = ref(false);
  const hasNewer = ref(false);
  const loadingOlder = ref(false);
  const loadingNewer = ref(false);
  const missed = ref(false);

  return { hasOlder, hasNewer, loadingOlder, loadingNewer, missed, fetch, apply, accept, loadOlder, loadNewer };

  /** The latest page, or with `seq` the page around that message. */
  async function fetch(id: string, seq: number | null): Promise<ThreadWindow> {
    if (seq === null) return latestWindow(await threadsApi.messages(id, { limit: PAGE }));
    const [upTo, after] = await Promise.all([threadsApi.messages(id, { before: seq + 1, limit: PAGE }), threadsApi.messages(id, { after: seq, limit: PAGE })]);
    return windowAround(upTo, after);
  }

  function apply(window: ThreadWindow): void {
    messages.value = window.messages;
    hasOlder.value = window.hasOlder;
    hasNewer.value = window.hasNewer;
    missed.value = false;
  }

  /** Takes live messages in; a detached window leaves those after it for later (`missed`). */
  function accept(incoming: readonly Message[]): void {
    const taken = acceptLive({ messages: messages.value, hasOlder: hasOlder.value, hasNewer: hasNewer.value }, incoming);
    messages.value = taken.messages;
    if (taken.missed) missed.value = true;
  }

  async function loadOlder(): Promise<void> {
    const id = threadId();
    const first = messages.value[0];
    if (!id || !first || !hasOlder.value || loadingOlder.value) return;
    loadingOlder.value = true;
    try {
      const page = await threadsApi.messages(id, { before: first.seq, limit: PAGE });
      // Another thread, or a jump put other messages in place meanwhile: this page no longer joins them.
      if (id !== threadId() || messages.value[0] !== first) return;
      messages.value = mergeMessages(messages.value, page.items);
      hasOlder.value = page.hasMore;
    } catch (caught) {
      onError(caught);
    } finally {
      loadingOlder.value = false;
    }
  }

  /** The page after a detached window; the last one joins it to the live end. */
  async function loadNewer(): Promise<void> {
    const id = threadId();
    const last = messages.value.at(-1);
    if (!id || !last || !hasNewer.value || loadingNewer.value) return;
    loadingNewer.value = true;
    try {
      const page = await threadsApi.messages(id, { after: last.seq, limit: PAGE });
      if (id !== threadId() || messages.value.at(-1) !== last) return;
      messages.value = mergeMessages(messages.value, page.items);
      hasNewer.value = page.hasMore;
      if (!page.hasMore) missed.value = false;
    } catch (caught) {
      onError(caught);
    } finally {
      loadingNewer.value = false;
    }
  }
}

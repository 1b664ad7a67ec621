import type { Thread } from '@threadbase/platform/contracts';
import { onBeforeUnmount, ref, shallowRef, toValue, watch, type MaybeRefOrGetter } from 'vue';
import { isApiError } from '../../shared/api/api-error.ts';
import { realtimeSocket, type ServerEvents } from '../../shared/api/realtime.ts';
import { conversationsApi, threadsApi } from '../../shared/api/threads-api.ts';
import { applyMessage, applyRead, matchesFilter, removeThread, upsertThread, type InboxFilter } from './inbox-list.ts';

const LIMIT = 100;
/** Reads in another tab come as a falling notification count, several at once when she reads a few: one reload for them. */
const RELOAD_AFTER_MS = 800;

/**
 * My conversations by latest activity, kept live: a message in an open thread arrives whole over its
 * room, activity elsewhere as an `inbox:changed` nudge (the thread is then fetched), my read marks as
 * receipts. After a reconnect the whole list is fetched again, since events may have been missed.
 */
export function useInbox(filterSource: MaybeRefOrGetter<InboxFilter>, openId: MaybeRefOrGetter<string | null>, me: () => string) {
  const items = shallowRef<Thread[]>([]);
  const loading = ref(false);
  const error = shallowRef<unknown>(null);
  const socket = realtimeSocket(me());
  const filter = () => toValue(filterSource);
  let generation = 0;
  let reloadTimer: ReturnType<typeof setTimeout> | undefined;
  let notified: number | null = null;

  const handlers: { [E in keyof ServerEvents]?: ServerEvents[E] } = {
    'message:new': (message) => {
      const reading = message.threadId === toValue(openId) && document.visibilityState === 'visible';
      const next = applyMessage(items.value, message, me(), reading);
      if (next !== items.value) items.value = next;
      else if (!items.value.some((t) => t.id === message.threadId)) void refresh(message.threadId);
    },
    'message:updated': ({ message }) => (items.value = applyMessage(items.value, message, me())),
    'thread:activity': ({ threadId }) => void refresh(threadId),
    'thread:updated': ({ threadId }) => items.value.some((t) => t.id === threadId) && void refresh(threadId),
    'inbox:changed': ({ threadId, seq }) => {
      const known = items.value.find((t) => t.id === threadId);
      if (!known || seq > known.lastSeq) void refresh(threadId);
    },
    receipt: ({ threadId, userId, seq }) => userId === me() && (items.value = applyRead(items.value, threadId, seq)),
    'thread:removed': ({ threadId }) => (items.value = removeThread(items.value, threadId)),
    // A read mark moved where this tab is not in the room (another tab, another device): only the count says so.
    notification: ({ unread }) => {
      const fell = notified === null || unread < notified;
      notified = unread;
      if (!fell) return;
      clearTimeout(reloadTimer);
      reloadTimer = setTimeout(() => void reload(), RELOAD_AFTER_MS);
    },
  };
  for (const [event, handler] of Object.entries(handlers)) socket.on(event as keyof ServerEvents, handler as never);
  socket.on('connect', reload);

  watch(filter, reload, { immediate: true });

  onBeforeUnmount(() => {
    for (const [event, handler] of Object.entries(handlers)) socket.off(event as keyof ServerEvents, handler as never);
    socket.off('connect', reload);
    clearTimeout(reloadTimer);
  });

  return { items, loading, error, reload, refresh, put, forget };

  async function reload(): Promise<void> {
    const current = ++generation;
    const kind = filter();
    loading.value = items.value.length === 0;
    error.value = null;
    try {
      const page = await conversationsApi.inbox({ kind: kind === 'all' ? undefined : kind, limit: LIMIT });
      if (current === generation) items.value = page.items;
    } catch (caught) {
      if (current === generation) error.value = caught;
    } finally {
      if (current === generation) loading.value = false;
    }
  }

  /** Fetches one thread afresh and puts it in place; one I may no longer read leaves the list. */
  async function refresh(threadId: string): Promise<void> {
    try {
      put(await threadsApi.get(threadId));
    } catch (caught) {
      if (isApiError(caught, 'THREAD_NOT_FOUND') || isApiError(caught, 'NOT_FOUND')) forget(threadId);
    }
  }

  /** A thread as the server just answered it (made, opened, changed here), if the filter shows its kind. */
  function put(thread: Thread): void {
    items.value = matchesFilter(thread, filter()) ? upsertThread(items.value, thread) : removeThread(items.value, thread.id);
  }

  function forget(threadId: string): void {
    items.value = removeThread(items.value, threadId);
  }
}

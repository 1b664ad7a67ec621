import type { Message } from '@threadbase/platform/contracts';
import { computed, onBeforeUnmount, shallowRef, toValue, watch, type MaybeRefOrGetter } from 'vue';
import { realtimeSocket, type ServerEvents } from '../../api/realtime.ts';
import { t } from '../../i18n/i18n.ts';
import { usePeopleStore } from '../records/people-store.ts';

/** How often one's own typing is announced while it goes on, and how long another's lasts without news. */
const SEND_EVERY_MS = 3000;
const SHOWN_FOR_MS = 6000;

/**
 * "Alice is typing…": the socket's `typing` event (docs/threads.md), sent at most every few seconds while
 * one types and shown for a few seconds after the last one heard, or until that person's message arrives.
 */
export function useTyping(threadIdSource: MaybeRefOrGetter<string | null>, me: () => string) {
  const typers = shallowRef<Map<string, number>>(new Map());
  const people = usePeopleStore();
  const socket = realtimeSocket(me());
  let lastSent = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const onTyping: ServerEvents['typing'] = ({ threadId, userId }) => {
    if (threadId !== toValue(threadIdSource) || userId === me()) return;
    void people.ensure([userId]);
    set(userId, Date.now() + SHOWN_FOR_MS);
  };
  const onMessage: ServerEvents['message:new'] = (message: Message) => {
    if (message.authorId && typers.value.has(message.authorId)) set(message.authorId, 0);
  };
  socket.on('typing', onTyping);
  socket.on('message:new', onMessage);
  watch(() => toValue(threadIdSource), () => (typers.value = new Map()));
  onBeforeUnmount(() => {
    socket.off('typing', onTyping);
    socket.off('message:new', onMessage);
    clearTimeout(timer);
  });

  const text = computed(() => {
    const names = [...typers.value.keys()].map((id) => people.nameOf(id) || '…');
    if (names.length === 0) return '';
    if (names.length === 1) return t('thread.typing.one', { name: names[0] });
    if (names.length === 2) return t('thread.typing.two', { first: names[0], second: names[1] });
    return t('thread.typing.many');
  });

  return { text, typing };

  /** Tells the others in the room that I am typing, at most every few seconds. */
  function typing(): void {
    const threadId = toValue(threadIdSource);
    if (!threadId || !socket.connected || Date.now() - lastSent < SEND_EVERY_MS) return;
    lastSent = Date.now();
    socket.emit('typing', { threadId }, () => {});
  }

  function set(userId: string, until: number): void {
    const next = new Map(typers.value);
    if (until > Date.now()) next.set(userId, until);
    else next.delete(userId);
    typers.value = next;
    schedule();
  }

  /** Forgets whoever has gone quiet, at the earliest expiry. */
  function schedule(): void {
    clearTimeout(timer);
    const soonest = Math.min(...typers.value.values());
    if (!Number.isFinite(soonest)) return;
    timer = setTimeout(() => {
      const now = Date.now();
      typers.value = new Map([...typers.value].filter(([, until]) => until > now));
      schedule();
    }, Math.max(0, soonest - Date.now()) + 50);
  }
}

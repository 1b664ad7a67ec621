import { onBeforeUnmount, ref, watch } from 'vue';
import { realtimeSocket } from '../../shared/api/realtime.ts';
import { conversationsApi } from '../../shared/api/threads-api.ts';
import { useSessionStore } from '../../shared/index.ts';
import { badgeText } from './thread-display.ts';

/** As many conversations as the server lists at once: the badge counts the unread messages of these. */
const LIMIT = 200;
/** Several events come together for one message (the message, the nudge, the notification count): one count for them. */
const SETTLE_MS = 300;
const EVENTS = ['message:new', 'inbox:changed', 'thread:activity', 'receipt', 'notification', 'thread:removed', 'connect'] as const;

/**
 * The navigation's unread badge ("99+" past that): my unread messages over all my conversations, as
 * the server counts them, counted again whenever something arrives or is read over the socket.
 */
export function useInboxUnread() {
  const label = ref('');
  const session = useSessionStore();
  let generation = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let detach: (() => void) | null = null;

  watch(() => session.user?.id ?? null, (userId) => {
    detach?.();
    detach = null;
    label.value = '';
    if (!userId) return;
    const socket = realtimeSocket(userId);
    for (const event of EVENTS) socket.on(event, schedule);
    detach = () => EVENTS.forEach((event) => socket.off(event, schedule));
    void count();
  }, { immediate: true });

  onBeforeUnmount(() => {
    detach?.();
    clearTimeout(timer);
  });

  return label;

  function schedule(): void {
    clearTimeout(timer);
    timer = setTimeout(() => void count(), SETTLE_MS);
  }

  async function count(): Promise<void> {
    const current = ++generation;
    try {
      const inbox = await conversationsApi.inbox({ limit: LIMIT });
      if (current === generation) label.value = badgeText(inbox.unread);
    } catch {
      // The badge is a hint: the inbox itself shows why it cannot load.
    }
  }
}

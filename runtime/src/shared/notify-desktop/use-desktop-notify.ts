import type { Message, Thread } from '@threadbase/platform/contracts';
import { onScopeDispose, watch } from 'vue';
import { useRouter } from 'vue-router';
import { realtimeSocket, type ServerEvents } from '../api/realtime.ts';
import { threadsApi } from '../api/threads-api.ts';
import { usePeopleStore } from '../components/records/people-store.ts';
import { t } from '../i18n/i18n.ts';
import { useSessionStore } from '../stores/session.ts';
import { playChime, unlockChime } from './chime.ts';
import { notificationText } from './notification-text.ts';
import { notifyDecision } from './notify-decision.ts';
import { useNotifySettingsStore } from './notify-settings.ts';
import { desktopPermission } from './permission.ts';

/** A burst over several conversations chimes once. */
const CHIME_GAP_MS = 2000;
const UNLOCK = ['pointerdown', 'keydown'] as const;

type Arrival = { message: Message | null; viaRoom: boolean };

/**
 * Desktop notifications and the chime for messages in my conversations while I am not looking at them.
 * A message of a thread this tab shows arrives whole over its room (`message:new`); any other thread of
 * mine sends a nudge (`inbox:changed`) and is fetched. The thread is fetched either way for its name and
 * whether I muted it; messages arriving while one is fetched are folded into one notification per thread,
 * which replaces the thread's previous one (same `tag`).
 */
export function useDesktopNotify() {
  const session = useSessionStore();
  const prefs = useNotifySettingsStore();
  const people = usePeopleStore();
  const router = useRouter();
  const waiting = new Map<string, Arrival>();
  const running = new Set<string>();
  let lastChime = 0;
  let detach: (() => void) | null = null;

  for (const event of UNLOCK) window.addEventListener(event, unlockChime, { once: true, capture: true });
  watch(() => session.user?.id ?? null, attach, { immediate: true });
  onScopeDispose(() => {
    detach?.();
    for (const event of UNLOCK) window.removeEventListener(event, unlockChime, { capture: true });
  });

  function me(): string {
    return session.user?.id ?? '';
  }

  function attach(userId: string | null): void {
    detach?.();
    detach = null;
    if (!userId) return;
    const socket = realtimeSocket(userId);
    const onMessage: ServerEvents['message:new'] = (message) => arrived(message.threadId, { message, viaRoom: true });
    const onNudge: ServerEvents['inbox:changed'] = ({ threadId }) => arrived(threadId, { message: null, viaRoom: false });
    socket.on('message:new', onMessage);
    socket.on('inbox:changed', onNudge);
    detach = () => {
      socket.off('message:new', onMessage);
      socket.off('inbox:changed', onNudge);
    };
  }

  function arrived(threadId: string, arrival: Arrival): void {
    const { desktop, sound } = prefs.settings;
    if ((!desktop && !sound) || arrival.message?.authorId === me()) return;
    waiting.set(threadId, arrival);
    if (running.has(threadId)) return;
    running.add(threadId);
    void handle(threadId).finally(() => running.delete(threadId));
  }

  async function handle(threadId: string): Promise<void> {
    for (let next = waiting.get(threadId); next; next = waiting.get(threadId)) {
      waiting.delete(threadId);
      let thread: Thread;
      try {
        thread = await threadsApi.get(threadId);
      } catch {
        // A thread I can no longer read: nothing to tell.
        continue;
      }
      const message = next.message ?? thread.lastMessage;
      if (!message) continue;
      const decision = notifyDecision({
        message,
        thread,
        me: me(),
        shown: next.viaRoom || openThreadId() === threadId,
        visible: document.visibilityState === 'visible',
        settings: prefs.settings,
        permission: desktopPermission(),
      });
      if (decision.desktop) await show(thread, message);
      if (decision.sound) chime();
    }
  }

  function openThreadId(): string | null {
    const route = router.currentRoute.value;
    return route.name === 'inbox' && typeof route.params.threadId === 'string' ? route.params.threadId : null;
  }

  async function show(thread: Thread, message: Message): Promise<void> {
    await people.ensure([message.authorId]);
    const { title, body } = notificationText(thread, message, me(), {
      nameOf: (id) => people.nameOf(id),
      by: (name, text) => t('notify.by', { name, text }),
      mentioned: (text) => t('notify.mentioned', { text }),
      attachment: t('notify.attachment'),
      recordThread: t('notify.recordThread'),
    });
    try {
      const notification = new Notification(title, { body, tag: thread.id, icon: '/favicon.svg' });
      notification.onclick = () => {
        window.focus();
        notification.close();
        void router.push({ name: 'inbox', params: { threadId: thread.id } });
      };
    } catch {
      // Some mobile browsers only notify through a service worker: the chime and the badge still tell her.
    }
  }

  function chime(): void {
    const now = Date.now();
    if (now - lastChime < CHIME_GAP_MS) return;
    lastChime = now;
    playChime();
  }
}

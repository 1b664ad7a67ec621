import type { Message, Thread } from '@threadbase/platform/contracts';
import { onBeforeUnmount, ref, shallowRef, toValue, watch, type MaybeRefOrGetter } from 'vue';
import { ApiError, isApiError } from '../../api/api-error.ts';
import { joinThread, leaveThread, realtimeSocket, type ServerEvents } from '../../api/realtime.ts';
import { threadsApi, type OutgoingMessage } from '../../api/threads-api.ts';
import { t } from '../../i18n/i18n.ts';
import { createSendQueue } from './send-queue.ts';
import { browserStorage, createQueueStore } from './send-queue-store.ts';
import { mergeMessages, newClientId, type PendingMessage } from './timeline.ts';
import { useReceipts } from './use-receipts.ts';
import { useThreadWindow } from './use-thread-window.ts';

/**
 * One thread, live: the latest page of messages, older pages on demand, new ones over socket.io. After
 * a reconnect the room is joined again and everything after the last seq is fetched, so nothing is
 * missed or shown twice. Messages typed go through a send queue (send-queue.ts): kept in the browser,
 * waiting while the connection is down and sent in order when it is back, always with the same clientId.
 */
export function useThread(threadIdSource: MaybeRefOrGetter<string | null>, me: () => string, options: { onRecordChanged?: () => void; anchor?: () => number | null } = {}) {
  const thread = shallowRef<Thread | null>(null);
  const messages = shallowRef<Message[]>([]);
  const loading = ref(false);
  const error = shallowRef<unknown>(null);
  const live = ref(false);
  const threadId = () => toValue(threadIdSource);
  // Which messages are loaded: the latest, or those around one opened from search (use-thread-window.ts).
  const span = useThreadWindow(threadId, messages, (caught) => (error.value = caught));
  const { hasOlder, hasNewer, loadingOlder, loadingNewer, missed } = span;
  const { receipts, track, onReceipt, reset } = useReceipts(threadId, me);
  const socket = realtimeSocket(me());
  const queue = createSendQueue({
    send: (id, message) => threadsApi.send(id, outgoing(message)),
    online: () => socket.connected && navigator.onLine,
    store: createQueueStore(browserStorage(), me()),
    delivered: (id, message) => id === threadId() && adopt([message]),
  });
  const pending = queue.items;
  let readTimer: ReturnType<typeof setTimeout> | undefined;
  let generation = 0;

  const handlers: { [E in keyof ServerEvents]?: ServerEvents[E] } = {
    'message:new': (message) => message.threadId === threadId() && adopt([message]),
    'message:updated': ({ message }) => message.threadId === threadId() && adopt([message]),
    'thread:activity': ({ threadId: id }) => id === threadId() && void catchUp(),
    receipt: ({ threadId: id, userId, seq }) => id === threadId() && onReceipt(userId, seq),
    'record:changed': ({ threadId: id }) => id === threadId() && options.onRecordChanged?.(),
    'thread:removed': ({ threadId: id }) => {
      if (id === threadId()) error.value = new ApiError(404, 'THREAD_NOT_FOUND', t('thread.removed'));
    },
  };
  for (const [event, handler] of Object.entries(handlers)) socket.on(event as keyof ServerEvents, handler as never);
  socket.on('connect', rejoin);
  socket.on('disconnect', onDisconnect);
  document.addEventListener('visibilitychange', scheduleRead);
  window.addEventListener('online', queue.flush);
  // Whichever way a message's stored copy comes (answer, socket, catch-up, a page), its pending copy goes.
  watch(messages, queue.settle, { flush: 'sync' });

  watch(threadId, (id, previous) => {
    if (previous) leaveThread(socket, previous);
    void open(id);
  }, { immediate: true });

  onBeforeUnmount(() => {
    for (const [event, handler] of Object.entries(handlers)) socket.off(event as keyof ServerEvents, handler as never);
    socket.off('connect', rejoin);
    socket.off('disconnect', onDisconnect);
    document.removeEventListener('visibilitychange', scheduleRead);
    window.removeEventListener('online', queue.flush);
    queue.dispose();
    clearTimeout(readTimer);
    const id = threadId();
    if (id) leaveThread(socket, id);
  });

  return { thread, messages, pending, hasOlder, hasNewer, missed, loading, loadingOlder, loadingNewer, error, live, receipts, send, retry: queue.retry, discard: queue.discard, loadOlder: span.loadOlder, loadNewer, jumpTo, react, edit, recall };

  async function open(id: string | null): Promise<void> {
    const current = ++generation;
    thread.value = null;
    messages.value = [];
    queue.open(id);
    reset();
    error.value = null;
    if (!id) return;
    loading.value = true;
    try {
      const [info, loaded] = await Promise.all([threadsApi.get(id), span.fetch(id, options.anchor?.() ?? null)]);
      if (current !== generation) return;
      thread.value = info;
      span.apply(loaded);
      if (socket.connected) await rejoin();
      scheduleRead();
      void track(messages.value);
    } catch (caught) {
      if (current === generation) error.value = caught;
    } finally {
      if (current === generation) loading.value = false;
    }
  }

  async function rejoin(): Promise<void> {
    const id = threadId();
    if (!id || !thread.value) return;
    try {
      const { lastSeq } = await joinThread(socket, id);
      live.value = true;
      // A window detached from the live end (opened at an old message) is joined by scrolling down instead.
      if (lastSeq > lastSeqLoaded()) await catchUp();
    } catch (caught) {
      live.value = false;
      if (isApiError(caught, 'THREAD_NOT_FOUND')) error.value = caught;
    }
    // After catching up, so that messages which reached the server before the drop are not sent again.
    void queue.flush();
  }

  function onDisconnect(): void {
    live.value = false;
  }

  /** Everything after the last seq loaded, oldest first, page by page. */
  async function catchUp(): Promise<void> {
    const id = threadId();
    if (!id || hasNewer.value) return;
    for (let more = true; more && id === threadId(); ) {
      const page = await threadsApi.messages(id, { after: lastSeqLoaded(), limit: 100 });
      adopt(page.items);
      more = page.hasMore && page.items.length > 0;
    }
  }

  /** Scrolling down a detached window; once it joins the live end, what came meanwhile is caught up. */
  async function loadNewer(): Promise<void> {
    await span.loadNewer();
    if (!hasNewer.value) await catchUp();
    scheduleRead();
  }

  /**
   * Loads the messages around `seq` (or, with `null`, the latest) unless they are loaded already: the
   * thread then shows them, from search or a reply's quote. Opening another thread meanwhile wins.
   */
  async function jumpTo(seq: number | null): Promise<void> {
    const id = threadId();
    const current = generation;
    const loaded = seq === null ? !hasNewer.value : messages.value.some((m) => m.seq === seq);
    if (!id || loaded) return;
    try {
      const next = await span.fetch(id, seq);
      if (current !== generation) return;
      span.apply(next);
      if (seq === null) await catchUp();
      scheduleRead();
      void track(messages.value);
    } catch (caught) {
      if (current === generation) error.value = caught;
    }
  }

  function adopt(incoming: Message[]): void {
    if (incoming.length === 0) return;
    span.accept(incoming);
    if (incoming.some((m) => m.authorId !== me())) scheduleRead();
    void track(messages.value);
  }

  /** Settles once the message is stored or queued to wait for the connection; fails with the server's reason if refused. */
  function send(body: string, replyTo: string | null = null, extra: Pick<PendingMessage, 'attachments' | 'mentions'> = {}): Promise<void> {
    const text = body.trim();
    if (!text && !extra.attachments?.length) return Promise.resolve();
    return queue.add({ clientId: newClientId(), body: text, replyTo, failed: false, createdAt: new Date().toISOString(), ...extra });
  }

  async function edit(message: Message, body: string): Promise<void> {
    const id = threadId();
    if (id) adopt([await threadsApi.edit(id, message.id, body)]);
  }

  async function recall(message: Message): Promise<void> {
    const id = threadId();
    if (id) adopt([await threadsApi.recall(id, message.id)]);
  }

  async function react(message: Message, emoji: string): Promise<void> {
    const id = threadId();
    if (!id) return;
    const mine = message.reactions.some((r) => r.emoji === emoji && r.userIds.includes(me()));
    const answer = mine ? await threadsApi.unreact(id, message.id, emoji) : await threadsApi.react(id, message.id, emoji);
    const current = messages.value.find((m) => m.id === answer.messageId);
    if (current) messages.value = mergeMessages(messages.value, [{ ...current, reactions: answer.reactions }]);
  }

  function outgoing(message: PendingMessage): OutgoingMessage {
    return {
      clientId: message.clientId,
      body: message.body,
      ...(message.replyTo ? { replyTo: message.replyTo } : {}),
      ...(message.attachments?.length ? { attachments: message.attachments.map((f) => f.id) } : {}),
      ...(message.mentions?.length ? { mentions: { users: message.mentions } } : {}),
    };
  }

  function lastSeqLoaded(): number {
    return messages.value.at(-1)?.seq ?? 0;
  }

  /** Marks the thread read up to its last message once the tab is in front; the others see the receipt. */
  function scheduleRead(): void {
    clearTimeout(readTimer);
    readTimer = setTimeout(() => {
      const id = threadId();
      const seq = lastSeqLoaded();
      if (!id || !thread.value || document.visibilityState !== 'visible' || seq <= thread.value.lastReadSeq) return;
      threadsApi.markRead(id, seq).then((updated) => id === threadId() && (thread.value = updated), () => {});
    }, 300);
  }
}

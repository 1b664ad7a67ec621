import type { Message, Thread } from '@threadbase/platform/contracts';
import { onBeforeUnmount, ref, shallowRef, toValue, watch, type MaybeRefOrGetter } from 'vue';
import { ApiError, isApiError } from '../../api/api-error.ts';
import { joinThread, leaveThread, realtimeSocket, type ServerEvents } from '../../api/realtime.ts';
import { threadsApi, type OutgoingMessage } from '../../api/threads-api.ts';
import { t } from '../../i18n/i18n.ts';
import { mergeMessages, newClientId, stillPending, type PendingMessage } from './timeline.ts';
import { useReceipts } from './use-receipts.ts';

const PAGE = 30;

/**
 * One thread, live: the latest page of messages, older pages on demand, new ones over socket.io. After
 * a reconnect the room is joined again and everything after the last seq is fetched, so nothing is
 * missed or shown twice. Sending is idempotent by clientId: a failed send is retried with the same id.
 */
export function useThread(threadIdSource: MaybeRefOrGetter<string | null>, me: () => string, options: { onRecordChanged?: () => void } = {}) {
  const thread = shallowRef<Thread | null>(null);
  const messages = shallowRef<Message[]>([]);
  const pending = ref<PendingMessage[]>([]);
  const hasOlder = ref(false);
  const loading = ref(false);
  const loadingOlder = ref(false);
  const error = shallowRef<unknown>(null);
  const live = ref(false);
  const threadId = () => toValue(threadIdSource);
  const { receipts, track, onReceipt, reset } = useReceipts(threadId, me);
  const socket = realtimeSocket(me());
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

  watch(threadId, (id, previous) => {
    if (previous) leaveThread(socket, previous);
    void open(id);
  }, { immediate: true });

  onBeforeUnmount(() => {
    for (const [event, handler] of Object.entries(handlers)) socket.off(event as keyof ServerEvents, handler as never);
    socket.off('connect', rejoin);
    socket.off('disconnect', onDisconnect);
    document.removeEventListener('visibilitychange', scheduleRead);
    clearTimeout(readTimer);
    const id = threadId();
    if (id) leaveThread(socket, id);
  });

  return { thread, messages, pending, hasOlder, loading, loadingOlder, error, live, receipts, send, retry, discard, loadOlder, react, edit, recall };

  async function open(id: string | null): Promise<void> {
    const current = ++generation;
    thread.value = null;
    messages.value = [];
    pending.value = [];
    reset();
    error.value = null;
    if (!id) return;
    loading.value = true;
    try {
      const [info, page] = await Promise.all([threadsApi.get(id), threadsApi.messages(id, { limit: PAGE })]);
      if (current !== generation) return;
      thread.value = info;
      messages.value = [...page.items].reverse();
      hasOlder.value = page.hasMore;
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
      if (lastSeq > lastSeqLoaded()) await catchUp();
    } catch (caught) {
      live.value = false;
      if (isApiError(caught, 'THREAD_NOT_FOUND')) error.value = caught;
    }
  }

  function onDisconnect(): void {
    live.value = false;
  }

  /** Everything after the last seq loaded, oldest first, page by page. */
  async function catchUp(): Promise<void> {
    const id = threadId();
    if (!id) return;
    for (let more = true; more && id === threadId(); ) {
      const page = await threadsApi.messages(id, { after: lastSeqLoaded(), limit: 100 });
      adopt(page.items);
      more = page.hasMore && page.items.length > 0;
    }
  }

  async function loadOlder(): Promise<void> {
    const id = threadId();
    const first = messages.value[0];
    if (!id || !first || !hasOlder.value || loadingOlder.value) return;
    loadingOlder.value = true;
    try {
      const page = await threadsApi.messages(id, { before: first.seq, limit: PAGE });
      if (id !== threadId()) return;
      messages.value = mergeMessages(messages.value, page.items);
      hasOlder.value = page.hasMore;
    } catch (caught) {
      error.value = caught;
    } finally {
      loadingOlder.value = false;
    }
  }

  function adopt(incoming: Message[]): void {
    if (incoming.length === 0) return;
    messages.value = mergeMessages(messages.value, incoming);
    pending.value = stillPending(pending.value, messages.value);
    if (incoming.some((m) => m.authorId !== me())) scheduleRead();
    void track(messages.value);
  }

  async function send(body: string, replyTo: string | null = null, extra: Pick<PendingMessage, 'attachments' | 'mentions'> = {}): Promise<void> {
    const text = body.trim();
    if (!text && !extra.attachments?.length) return;
    const message: PendingMessage = { clientId: newClientId(), body: text, replyTo, failed: false, createdAt: new Date().toISOString(), ...extra };
    pending.value = [...pending.value, message];
    await deliver(message);
  }

  function retry(clientId: string): Promise<void> {
    const message = pending.value.find((p) => p.clientId === clientId);
    if (!message) return Promise.resolve();
    message.failed = false;
    return deliver(message);
  }

  function discard(clientId: string): void {
    pending.value = pending.value.filter((p) => p.clientId !== clientId);
  }

  async function deliver(message: PendingMessage): Promise<void> {
    const id = threadId();
    if (!id) return;
    try {
      adopt([await threadsApi.send(id, outgoing(message))]);
    } catch (caught) {
      const still = pending.value.find((p) => p.clientId === message.clientId);
      if (still) still.failed = true;
      throw caught;
    }
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

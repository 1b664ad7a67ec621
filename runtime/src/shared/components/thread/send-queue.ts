import type { Message } from '@threadbase/platform/contracts';
import { ref } from 'vue';
import { ApiError } from '../../api/api-error.ts';
import type { QueueStore, StoredMessage } from './send-queue-store.ts';
import { stillPending, type PendingMessage } from './timeline.ts';

/**
 * A message typed here and not yet stored. `waiting`: for the connection to come back (or a rate limit
 * to pass), sent by itself then; `failed`: refused by the server (`error` says why), sent again only
 * when asked; neither: on its way now.
 */
export type QueuedMessage = StoredMessage & { waiting: boolean };

/** `wait`: the server may not have got it (no network, 5xx, no answer), send again later; `later`: 429; `fail`: refused. */
export type SendDecision = 'wait' | 'later' | 'fail';

export type SendQueueOptions = {
  send: (threadId: string, message: PendingMessage) => Promise<Message>;
  /** Whether a send can be tried now: the socket is connected and the browser online. */
  online: () => boolean;
  store: QueueStore;
  /** The stored copy of a queued message, from the send's answer. */
  delivered: (threadId: string, message: Message) => void;
  timeoutMs?: number;
};

/** Raised when a send has no answer in time: it may still arrive, so it is resent with the same clientId. */
export class SendTimeoutError extends Error {
  override readonly name = 'SendTimeoutError';
}

const TIMEOUT_MS = 15_000;
const FIRST_DELAY_MS = 2000;
const MAX_DELAY_MS = 60_000;

export function decideSend(error: unknown): SendDecision {
  if (error instanceof SendTimeoutError) return 'wait';
  if (!(error instanceof ApiError)) return 'fail';
  if (error.status === 0 || error.status >= 500) return 'wait';
  return error.status === 429 ? 'later' : 'fail';
}

/** How long to wait before the next try: what a 429 asks for, else doubling from 2 s up to a minute. */
export function retryDelay(error: unknown, attempt: number): number {
  const asked = error instanceof ApiError ? error.details.retryAfterSeconds : undefined;
  if (typeof asked === 'number' && asked > 0) return Math.min(asked * 1000, MAX_DELAY_MS * 5);
  return Math.min(FIRST_DELAY_MS * 2 ** attempt, MAX_DELAY_MS);
}

/**
 * One thread's messages on their way, sent one at a time in the order typed, each with its own clientId
 * however often it is sent, so the server stores it once. The queue is kept in the browser (per person
 * and thread) until each message's stored copy is here. `flush` sends what waits; call it when the
 * connection comes back.
 */
export function createSendQueue(options: SendQueueOptions) {
  const items = ref<QueuedMessage[]>([]);
  const timeoutMs = options.timeoutMs ?? TIMEOUT_MS;
  const callers = new Map<string, { resolve: () => void; reject: (error: unknown) => void }>();
  let threadId: string | null = null;
  let running: Promise<void> | null = null;
  let rerun = false;
  let attempt = 0;
  /** Until when a 429 asked us to hold back: new messages then wait instead of trying at once. */
  let resumeAt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  return { items, open, add, retry, discard, settle, flush, dispose };

  /** Shows this thread's unsent messages, as left by an earlier page, each waiting for `flush`. */
  function open(id: string | null): void {
    dispose();
    threadId = id;
    attempt = 0;
    resumeAt = 0;
    items.value = id ? options.store.load(id).map((m) => ({ ...m, error: m.error ?? null, waiting: !m.failed })) : [];
  }

  /** Queues a message; settles once it is stored or waits, fails with the server's error if refused. */
  function add(message: PendingMessage): Promise<void> {
    if (!threadId) return Promise.resolve();
    items.value = [...items.value, { ...message, failed: false, error: null, waiting: false }];
    persist();
    const answer = awaitAnswer(message.clientId);
    void flush();
    return answer;
  }

  function retry(clientId: string): Promise<void> {
    if (!items.value.some((m) => m.clientId === clientId && m.failed)) return Promise.resolve();
    patch(clientId, { failed: false, error: null, waiting: false });
    const answer = awaitAnswer(clientId);
    void flush();
    return answer;
  }

  function discard(clientId: string): void {
    items.value = items.value.filter((m) => m.clientId !== clientId);
    persist();
    answer(clientId);
  }

  /** Messages whose stored copy has arrived (answer, socket or catch-up) are done. */
  function settle(messages: readonly Message[]): void {
    const left = new Set(stillPending(items.value, messages).map((m) => m.clientId));
    const done = items.value.filter((m) => !left.has(m.clientId));
    if (done.length === 0) return;
    items.value = items.value.filter((m) => left.has(m.clientId));
    persist();
    for (const m of done) answer(m.clientId);
  }

  function flush(): Promise<void> {
    if (running) {
      rerun = true;
      return running;
    }
    clearTimeout(timer);
    running = (async () => {
      try {
        do {
          rerun = false;
          await drain();
        } while (rerun);
      } finally {
        // Cleared in the same step as the last check of `rerun`, so that no flush asked for in between is lost.
        running = null;
      }
    })();
    return running;
  }

  async function drain(): Promise<void> {
    const id = threadId;
    for (let next = firstToSend(); id && id === threadId && next; next = firstToSend()) {
      if (!options.online()) return hold();
      const pause = resumeAt - Date.now();
      if (pause > 0) return hold(pause);
      patch(next.clientId, { waiting: false });
      try {
        const stored = await withTimeout(options.send(id, next));
        attempt = 0;
        forget(id, next.clientId);
        options.delivered(id, stored);
      } catch (error) {
        if (id !== threadId) return;
        const decision = decideSend(error);
        if (decision === 'fail') {
          patch(next.clientId, { failed: true, error: error instanceof Error && error.message ? error.message : null });
          persist();
          answer(next.clientId, error);
          continue;
        }
        const delay = retryDelay(error, attempt++);
        if (decision === 'later') resumeAt = Date.now() + delay;
        return hold(delay);
      }
    }
  }

  function firstToSend(): QueuedMessage | undefined {
    return items.value.find((m) => !m.failed);
  }

  /** Everything not refused waits for the next flush (by itself after `retryInMs`); whoever sent it has nothing more to wait for. */
  function hold(retryInMs?: number): void {
    if (retryInMs !== undefined) {
      clearTimeout(timer);
      timer = setTimeout(() => void flush(), retryInMs);
    }
    items.value = items.value.map((m) => (m.failed ? m : { ...m, waiting: true }));
    for (const m of items.value) if (m.waiting) answer(m.clientId);
  }

  /** Takes a sent message out of its thread's queue, also when another thread is open by now. */
  function forget(id: string, clientId: string): void {
    if (id === threadId) {
      items.value = items.value.filter((m) => m.clientId !== clientId);
      persist();
    } else {
      options.store.save(id, options.store.load(id).filter((m) => m.clientId !== clientId));
    }
    answer(clientId);
  }

  function patch(clientId: string, change: Partial<QueuedMessage>): void {
    items.value = items.value.map((m) => (m.clientId === clientId ? { ...m, ...change } : m));
  }

  function persist(): void {
    if (threadId) options.store.save(threadId, items.value);
  }

  function awaitAnswer(clientId: string): Promise<void> {
    return new Promise((resolve, reject) => callers.set(clientId, { resolve, reject }));
  }

  function answer(clientId: string, error?: unknown): void {
    const caller = callers.get(clientId);
    callers.delete(clientId);
    if (error === undefined) caller?.resolve();
    else caller?.reject(error);
  }

  function withTimeout<T>(promise: Promise<T>): Promise<T> {
    let timeout: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<never>((_, reject) => (timeout = setTimeout(() => reject(new SendTimeoutError()), timeoutMs)));
    return Promise.race([promise, expired]).finally(() => clearTimeout(timeout));
  }

  /** Stops retrying (thread closed or changed); what is queued stays stored for next time. */
  function dispose(): void {
    clearTimeout(timer);
    for (const clientId of [...callers.keys()]) answer(clientId);
  }
}

export type SendQueue = ReturnType<typeof createSendQueue>;

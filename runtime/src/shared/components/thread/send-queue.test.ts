import type { Message } from '@threadbase/platform/contracts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../api/api-error.ts';
import { createSendQueue, decideSend, retryDelay, SendTimeoutError } from './send-queue.ts';
import { createQueueStore } from './send-queue-store.ts';
import type { PendingMessage } from './timeline.ts';

type Call = { threadId: string; message: PendingMessage; resolve: (m: Message) => void; reject: (e: unknown) => void };

/** A server we answer by hand, and a browser storage that outlives the queue (a reload). */
function harness(options: { userId?: string; storage?: Map<string, string> } = {}) {
  const storage = options.storage ?? new Map<string, string>();
  const calls: Call[] = [];
  const delivered: Message[] = [];
  let online = true;
  const queue = createSendQueue({
    send: (threadId, message) => new Promise((resolve, reject) => calls.push({ threadId, message, resolve, reject })),
    online: () => online,
    store: createQueueStore(mapStorage(storage), options.userId ?? 'u1'),
    delivered: (_threadId, message) => delivered.push(message),
    timeoutMs: 15_000,
  });
  return {
    queue,
    calls,
    delivered,
    storage,
    setOnline: (value: boolean) => (online = value),
    /** The server stores the oldest unanswered send. */
    store: async (index = calls.length - 1) => {
      const call = calls[index]!;
      call.resolve(stored(call.message));
      await settle();
    },
  };
}

function mapStorage(map: Map<string, string>) {
  return { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v), removeItem: (k: string) => void map.delete(k) };
}

let seq = 0;
function stored(message: PendingMessage): Message {
  return { id: `m-${message.clientId}`, seq: ++seq, clientId: message.clientId, body: message.body } as Message;
}

const typed = (clientId: string, body = clientId): PendingMessage => ({ clientId, body, replyTo: null, failed: false, createdAt: '2026-12-01T08:00:00.000Z' });
/** Lets the promises in flight run (the clock is fake, so no real timer may be awaited). */
const settle = () => vi.advanceTimersByTimeAsync(0).then(() => {});
const states = (q: ReturnType<typeof harness>['queue']) => q.items.value.map((m) => [m.body, m.failed ? 'failed' : m.waiting ? 'waiting' : 'sending']);

describe('decideSend: what a failed send means', () => {
  it('waits for the connection after no answer, a network error or a server error', () => {
    expect(decideSend(new ApiError(0, 'NETWORK_ERROR', ''))).toBe('wait');
    expect(decideSend(new ApiError(502, 'INTERNAL', ''))).toBe('wait');
    expect(decideSend(new ApiError(503, 'INTERNAL', ''))).toBe('wait');
    expect(decideSend(new SendTimeoutError())).toBe('wait');
  });

  it('tries again later after 429 and gives up on any other refusal', () => {
    expect(decideSend(new ApiError(429, 'TOO_MANY_REQUESTS', 'slow down'))).toBe('later');
    expect(decideSend(new ApiError(422, 'FAILED_VALIDATION', 'too long'))).toBe('fail');
    expect(decideSend(new ApiError(403, 'FORBIDDEN', 'no'))).toBe('fail');
    expect(decideSend(new TypeError('bug'))).toBe('fail');
  });

  it('backs off from 2 s, doubling up to a minute, or as long as a 429 asks', () => {
    expect([0, 1, 2, 10].map((a) => retryDelay(new ApiError(0, 'NETWORK_ERROR', ''), a))).toEqual([2000, 4000, 8000, 60_000]);
    expect(retryDelay(new ApiError(429, 'TOO_MANY_REQUESTS', '', { retryAfterSeconds: 30 }), 0)).toBe(30_000);
  });
});

describe('createSendQueue', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] }));
  afterEach(() => vi.useRealTimers());

  it('sends one message at a time, in the order typed, and lets go of each once stored', async () => {
    const h = harness();
    h.queue.open('t1');
    const first = h.queue.add(typed('a'));
    void h.queue.add(typed('b'));
    expect(h.calls.map((c) => c.message.clientId)).toEqual(['a']);
    expect(states(h.queue)).toEqual([['a', 'sending'], ['b', 'sending']]);
    await h.store(0);
    await first;
    expect(h.calls.map((c) => c.message.clientId)).toEqual(['a', 'b']);
    await h.store(1);
    expect(h.queue.items.value).toEqual([]);
    expect(h.delivered.map((m) => m.clientId)).toEqual(['a', 'b']);
  });

  it('holds messages typed while offline, marked waiting, and sends them in order when the connection is back', async () => {
    const h = harness();
    h.queue.open('t1');
    h.setOnline(false);
    await h.queue.add(typed('a'));
    await h.queue.add(typed('b'));
    expect(h.calls).toEqual([]);
    expect(states(h.queue)).toEqual([['a', 'waiting'], ['b', 'waiting']]);

    h.setOnline(true);
    const flushed = h.queue.flush();
    await settle();
    await h.store(0);
    await h.store(1);
    await flushed;
    expect(h.calls.map((c) => c.message.clientId)).toEqual(['a', 'b']);
    expect(h.queue.items.value).toEqual([]);
  });

  it('after a network error keeps the message waiting and resends it with the same clientId', async () => {
    const h = harness();
    h.queue.open('t1');
    const sent = h.queue.add(typed('a', 'hello'));
    h.calls[0]!.reject(new ApiError(0, 'NETWORK_ERROR', ''));
    await sent;
    expect(states(h.queue)).toEqual([['hello', 'waiting']]);

    void h.queue.flush();
    await settle();
    expect(h.calls.map((c) => c.message.clientId)).toEqual(['a', 'a']);
    await h.store(1);
    expect(h.queue.items.value).toEqual([]);
  });

  it('retries by itself after a server error, backing off', async () => {
    const h = harness();
    h.queue.open('t1');
    void h.queue.add(typed('a'));
    h.calls[0]!.reject(new ApiError(503, 'INTERNAL', ''));
    await settle();
    expect(states(h.queue)).toEqual([['a', 'waiting']]);
    await vi.advanceTimersByTimeAsync(1999);
    expect(h.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.calls).toHaveLength(2);
    expect(h.calls[1]!.message.clientId).toBe('a');
  });

  it('treats a send with no answer in time as lost, and resends it', async () => {
    const h = harness();
    h.queue.open('t1');
    const sent = h.queue.add(typed('a'));
    await vi.advanceTimersByTimeAsync(15_000);
    await sent;
    expect(states(h.queue)).toEqual([['a', 'waiting']]);
    await vi.advanceTimersByTimeAsync(2000);
    expect(h.calls.map((c) => c.message.clientId)).toEqual(['a', 'a']);
  });

  it('marks a refused message failed with the server’s reason, goes on with the next, and resends it only on request', async () => {
    const h = harness();
    h.queue.open('t1');
    const refused = h.queue.add(typed('a', 'bad'));
    void h.queue.add(typed('b', 'good'));
    const reason = new ApiError(422, 'FAILED_VALIDATION', '消息太长');
    h.calls[0]!.reject(reason);
    await expect(refused).rejects.toBe(reason);
    expect(h.queue.items.value[0]).toMatchObject({ failed: true, error: '消息太长' });
    expect(h.calls.map((c) => c.message.clientId)).toEqual(['a', 'b']);
    await h.store(1);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(h.calls).toHaveLength(2);

    const again = h.queue.retry('a');
    expect(h.calls[2]!.message.clientId).toBe('a');
    await h.store(2);
    await again;
    expect(h.queue.items.value).toEqual([]);
  });

  it('after 429 waits as long as asked, also with messages typed meanwhile, then sends them in order', async () => {
    const h = harness();
    h.queue.open('t1');
    void h.queue.add(typed('a'));
    h.calls[0]!.reject(new ApiError(429, 'TOO_MANY_REQUESTS', '', { retryAfterSeconds: 10 }));
    await settle();
    await h.queue.add(typed('b'));
    expect(states(h.queue)).toEqual([['a', 'waiting'], ['b', 'waiting']]);
    await h.queue.flush();
    await vi.advanceTimersByTimeAsync(9000);
    expect(h.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.calls.map((c) => c.message.clientId)).toEqual(['a', 'a']);
    await h.store(1);
    expect(h.calls.map((c) => c.message.clientId)).toEqual(['a', 'a', 'b']);
  });

  it('keeps unsent messages across a reload, per person and per thread, and sends them with their clientId', async () => {
    const storage = new Map<string, string>();
    const before = harness({ storage });
    before.queue.open('t1');
    before.setOnline(false);
    await before.queue.add({ ...typed('a', 'with a file'), attachments: [{ id: 'f1', name: 'quote.pdf' }], mentions: ['u2'] });
    await before.queue.add(typed('b', 'second'));

    const otherPerson = harness({ storage, userId: 'u2' });
    otherPerson.queue.open('t1');
    expect(otherPerson.queue.items.value).toEqual([]);
    const after = harness({ storage });
    after.queue.open('t2');
    expect(after.queue.items.value).toEqual([]);
    after.queue.open('t1');
    expect(states(after.queue)).toEqual([['with a file', 'waiting'], ['second', 'waiting']]);

    void after.queue.flush();
    expect(after.calls[0]!.message).toMatchObject({ clientId: 'a', attachments: [{ id: 'f1', name: 'quote.pdf' }], mentions: ['u2'] });
    await after.store(0);
    await after.store(1);
    expect(storage.size).toBe(0);
  });

  it('keeps a refused message and its reason across a reload, without sending it again by itself', async () => {
    const storage = new Map<string, string>();
    const before = harness({ storage });
    before.queue.open('t1');
    const refused = before.queue.add(typed('a'));
    before.calls[0]!.reject(new ApiError(403, 'FORBIDDEN', 'You may not post here'));
    await refused.catch(() => {});

    const after = harness({ storage });
    after.queue.open('t1');
    await after.queue.flush();
    expect(after.queue.items.value[0]).toMatchObject({ failed: true, error: 'You may not post here' });
    expect(after.calls).toEqual([]);
  });

  it('discards a waiting message from the screen and from storage', async () => {
    const h = harness();
    h.queue.open('t1');
    h.setOnline(false);
    await h.queue.add(typed('a'));
    await h.queue.add(typed('b'));
    h.queue.discard('a');
    expect(states(h.queue)).toEqual([['b', 'waiting']]);
    h.queue.discard('b');
    expect(h.storage.size).toBe(0);
  });

  it('lets go of a pending message when its stored copy arrives another way, even if its own answer was lost', async () => {
    const h = harness();
    h.queue.open('t1');
    const sent = h.queue.add(typed('a'));
    h.queue.settle([stored(typed('a'))]);
    await sent;
    expect(h.queue.items.value).toEqual([]);
    expect(h.storage.size).toBe(0);
  });

  it('takes a message sent just before switching threads out of its own thread’s storage', async () => {
    const h = harness();
    h.queue.open('t1');
    void h.queue.add(typed('a'));
    h.queue.open('t2');
    await h.store(0);
    expect(h.calls[0]!.threadId).toBe('t1');
    h.queue.open('t1');
    expect(h.queue.items.value).toEqual([]);
  });
});

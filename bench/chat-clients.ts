// Socket.io and HTTP clients shared by the chat benches (realtime-processes, chat-under-load): log in,
// open sockets joined to a thread, and time send → delivered for every receiver, one message at a time.
import { io as connect, type Socket } from 'socket.io-client';

/** The flood limits exist to stop one user sending at full speed, which is what a bench does: lifted. */
export const unlimited = { TB_SOCKET_EVENTS_PER_SECOND: '1000000', TB_SOCKET_EVENTS_BURST: '1000000', TB_MESSAGES_PER_SECOND: '1000000', TB_MESSAGES_BURST: '1000000' };

export type Session = { base: string; token: string; userId: string };

/** One JSON call; throws on anything but 2xx, with the answer. */
export async function call(session: Session, method: string, path: string, body?: unknown): Promise<any> {
  const headers: Record<string, string> = { authorization: `Bearer ${session.token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${session.base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 1000)}`);
  return text ? JSON.parse(text) : null;
}

export async function login(base: string, password: string, login = 'admin'): Promise<Session> {
  const res = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login, password }) });
  if (!res.ok) throw new Error(`login answered ${res.status}: ${await res.text()}`);
  const body = (await res.json()) as { token: string; user: { id: string } };
  return { base, token: body.token, userId: body.user.id };
}

/** A socket to `url` as the session's user, joined to `threadId` when given. */
export async function openSocket(url: string, token: string, threadId?: string): Promise<Socket> {
  const socket = connect(url, { auth: { token }, transports: ['websocket'], reconnection: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  socket.on('disconnect', (reason) => {
    if (reason !== 'io client disconnect') process.stderr.write(`${url} socket disconnected: ${reason}\n`);
  });
  if (threadId) {
    const joined = await socket.timeout(10_000).emitWithAck('thread:join', { threadId });
    if (!joined?.ok) throw new Error(`join failed: ${JSON.stringify(joined)}`);
  }
  return socket;
}

export function openSockets(url: string, token: string, threadId: string, n: number): Promise<Socket[]> {
  return Promise.all(Array.from({ length: n }, () => openSocket(url, token, threadId)));
}

export type DeliveryRun = {
  /** ms from emitting `message:send` to its `message:new` on each receiver: one sample per receiver per message. */
  latencies: number[];
  /** Messages measured (after the warm-up). */
  messages: number;
};

/**
 * Sends `samples` messages (after `warmup` unmeasured ones) from `sender` to `threadId`, one at a time:
 * the next goes once every receiver has the previous one. Stops early, with what it has, once
 * `maxMs` have passed. A message not delivered to everyone within `timeoutMs` fails the run.
 */
export async function timeDeliveries(options: { sender: Socket; receivers: Socket[]; threadId: string; samples: number; warmup?: number; maxMs?: number; timeoutMs?: number; tag: string }): Promise<DeliveryRun> {
  const { sender, receivers, threadId, samples, warmup = 20, maxMs = Infinity, timeoutMs = 30_000, tag } = options;
  const waiting = new Map<string, { left: Set<number>; sentAt: number; done: () => void }>();
  const latencies: number[] = [];
  const handlers = receivers.map((socket, i) => {
    const handler = (m: { clientId?: string }) => {
      const w = m.clientId ? waiting.get(m.clientId) : undefined;
      if (!w || !w.left.delete(i)) return;
      latencies.push(performance.now() - w.sentAt);
      if (w.left.size === 0) w.done();
    };
    socket.on('message:new', handler);
    return handler;
  });
  const started = performance.now();
  let messages = 0;
  try {
    for (let i = 0; i < warmup + samples; i++) {
      if (i === warmup) {
        latencies.length = 0;
        messages = 0;
      }
      if (i > warmup && performance.now() - started > maxMs) break;
      const clientId = `${tag}-${i}-${Math.random().toString(36).slice(2, 8)}`;
      let ack: unknown = null;
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`${tag}: message ${i} reached ${receivers.length - waiting.get(clientId)!.left.size} of ${receivers.length} clients in ${timeoutMs} ms; ack ${JSON.stringify(ack)}`)), timeoutMs);
        waiting.set(clientId, { left: new Set(receivers.map((_, r) => r)), sentAt: performance.now(), done: resolve });
        sender.emit('message:send', { threadId, clientId, body: `${tag} ${i}` }, (answer: unknown) => {
          ack = answer;
          if ((answer as { error?: unknown })?.error) reject(new Error(`${tag}: message ${i} refused: ${JSON.stringify(answer)}`));
        });
      }).finally(() => {
        clearTimeout(timer);
        waiting.delete(clientId);
      });
      messages++;
    }
  } finally {
    receivers.forEach((socket, i) => socket.off('message:new', handlers[i]));
  }
  return { latencies, messages };
}

export function closeSockets(sockets: Socket[]): void {
  for (const s of sockets) s.disconnect();
}

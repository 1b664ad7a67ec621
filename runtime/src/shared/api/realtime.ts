import type { Message, PresenceStatus } from '@threadbase/platform/contracts';
import { io, type Socket } from 'socket.io-client';
import { shallowRef, type ShallowRef } from 'vue';
import { ApiError, type ApiErrorCode } from './api-error.ts';

/** Server → client events this app listens to (docs/threads.md, "Realtime"). */
export type ServerEvents = {
  'message:new': (message: Message) => void;
  'message:updated': (event: { change: string; message: Message }) => void;
  'thread:activity': (event: { threadId: string; seq: number }) => void;
  'record:changed': (event: { threadId: string; object: string; recordId: string }) => void;
  /** Records of an object this socket watches were created, changed or deleted (which ones, it does not say). */
  'records:changed': (event: { object: string }) => void;
  receipt: (event: { threadId: string; userId: string; seq: number }) => void;
  'thread:removed': (event: { threadId: string }) => void;
  /** A conversation of mine was renamed, or its members or their roles changed: read it again. */
  'thread:updated': (event: { threadId: string }) => void;
  /** Someone else in a joined thread is typing; sent at most every few seconds while she types. */
  typing: (event: { threadId: string; userId: string }) => void;
  /** Activity in a thread of mine whose room this socket is not in (the room's sockets get `message:new`). */
  'inbox:changed': (event: { threadId: string; seq: number }) => void;
  /** My unread notifications changed, e.g. I read a thread in another tab. */
  notification: (event: { unread: number }) => void;
  /** Someone in the workspace went online, away or offline (all her tabs together, not per tab). */
  presence: (event: { userId: string; status: PresenceStatus }) => void;
};

type Ack<T> = T | { error: { code: ApiErrorCode; message: string; details?: Record<string, unknown> } };
export type ClientEvents = {
  'thread:join': (payload: { threadId: string }, ack: (answer: Ack<{ ok: true; lastSeq: number }>) => void) => void;
  'thread:leave': (payload: { threadId: string }, ack: (answer: Ack<{ ok: true }>) => void) => void;
  typing: (payload: { threadId: string }, ack: (answer: Ack<{ ok: true }>) => void) => void;
  'object:watch': (payload: { object: string }, ack: (answer: Ack<{ ok: true }>) => void) => void;
  'object:unwatch': (payload: { object: string }, ack: (answer: Ack<{ ok: true }>) => void) => void;
  /** This tab went idle (`away`) or is used again (`online`). */
  'presence:set': (payload: { status: 'online' | 'away' }, ack: (answer: Ack<{ ok: true }>) => void) => void;
};

export type RealtimeSocket = Socket<ServerEvents, ClientEvents>;

const ACK_TIMEOUT_MS = 8000;
let current: { userId: string; socket: RealtimeSocket } | null = null;
const opened = shallowRef<RealtimeSocket | null>(null);

/** The tab's connection once something has opened it, for whatever shows its state (the connection banner). */
export const openedSocket: Readonly<ShallowRef<RealtimeSocket | null>> = opened;

/**
 * The tab's one connection, opened on first use with the session cookie. It belongs to the person
 * logged in: when someone else logs in in the same tab, the old connection is closed, not reused.
 */
export function realtimeSocket(userId: string): RealtimeSocket {
  if (current?.userId === userId) return current.socket;
  current?.socket.disconnect();
  // WebSocket first: it connects in one round trip instead of a long-polling handshake and an upgrade, and
  // needs no sticky sessions in front of several server processes; polling only where a proxy refuses it.
  const socket: RealtimeSocket = io({ path: '/socket.io', withCredentials: true, transports: ['websocket', 'polling'], tryAllTransports: true });
  current = { userId, socket };
  opened.value = socket;
  return socket;
}

/**
 * Tries to connect at once instead of at the end of socket.io's growing reconnection delay: `connect()`
 * alone waits while a reconnection is scheduled, so the pending attempt is dropped first.
 */
export function reconnectNow(socket: RealtimeSocket): void {
  if (socket.connected) return;
  socket.disconnect();
  socket.connect();
}

/** Joins a thread's room; the ack says how far the thread has got. Rooms are forgotten on reconnect: join again then. */
export async function joinThread(socket: RealtimeSocket, threadId: string): Promise<{ lastSeq: number }> {
  const answer = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('thread:join', { threadId });
  if ('error' in answer) throw new ApiError(0, answer.error.code, answer.error.message, answer.error.details ?? {});
  return { lastSeq: answer.lastSeq };
}

export function leaveThread(socket: RealtimeSocket, threadId: string): void {
  if (socket.connected) socket.emit('thread:leave', { threadId }, () => {});
}

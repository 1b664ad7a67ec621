import type { Socket } from 'socket.io';
import { z } from 'zod';
import { ApiName } from '../contracts/api-names.ts';
import { SetPresence } from '../contracts/presence.ts';
import { SendMessage } from '../contracts/threads.ts';
import { ApprovalSocketAct } from '../contracts/approvals.ts';
import { actOnApproval } from '../approvals/index.ts';
import { AppError } from '../core/app-error.ts';
import { urgently } from '../db/lanes.ts';
import type { Platform } from '../core/platform.ts';
import { TokenBucket, rateLimited } from '../core/rate-limit.ts';
import { translate } from '../i18n/translate.ts';
import { accessTo, assertCanRead } from '../access/index.ts';
import { publishedObject } from '../meta/index.ts';
import { readableThread, sendMessage } from '../threads/index.ts';
import { objectRoom, threadRoom } from './rooms.ts';
import { socketCtx, type SocketData } from './socket-auth.ts';

type Ack = (answer: unknown) => void;
const ThreadRef = z.object({ threadId: z.uuid() }).strict();
const ObjectRef = z.object({ object: ApiName }).strict();
const Send = SendMessage.extend({ threadId: z.uuid() });

/** An error as the ack carries it: the HTTP API's code and message, in the user's language. */
function failure(error: unknown, data: SocketData) {
  const known = error instanceof AppError ? error : null;
  const code = known?.code ?? 'INTERNAL';
  return { error: { code, message: translate(data.locale, code, known?.params ?? {}), details: known?.details ?? {} } };
}

/**
 * Every client event takes an ack: `{ ...result }` or `{ error: { code, message } }`. A payload that
 * does not parse is refused like a bad HTTP body; nothing reaches a service unvalidated.
 */
function on<T>(platform: Platform, socket: Socket, event: string, schema: z.ZodType<T>, run: (input: T, data: SocketData) => Promise<unknown>) {
  socket.on(event, async (payload: unknown, ack?: Ack) => {
    // `emit(event, callback)` without a payload hands the ack over as the payload: answer it all the same.
    const reply = typeof ack === 'function' ? ack : typeof payload === 'function' ? (payload as Ack) : () => {};
    const data = socket.data as SocketData;
    const parsed = schema.safeParse(payload);
    if (!parsed.success) {
      reply(failure(new AppError('FAILED_VALIDATION', 400, { params: { fields: parsed.error.issues.map((i) => i.path.join('.') || '(payload)').join(', ') } }), data));
      return;
    }
    try {
      // Someone is waiting on the other end: on the embedded database this goes before queued reports.
      reply(await urgently(() => run(parsed.data, data)));
    } catch (error) {
      if (!(error instanceof AppError)) platform.log.error('socket event failed', { event, error: (error as Error).message });
      reply(failure(error, data));
    }
  });
}

/**
 * Every client event first spends a token of its socket's bucket, before any parsing or database work:
 * a flooding tab gets RATE_LIMITED acks and its events are dropped; other sockets do not notice.
 */
function limitEvents(platform: Platform, socket: Socket): void {
  const bucket = new TokenBucket(platform.config.socketEventRate);
  socket.use((packet, next) => {
    const waitMs = bucket.take();
    if (waitMs === 0) return next();
    const ack = packet.at(-1);
    if (typeof ack === 'function') ack(failure(rateLimited(waitMs), socket.data as SocketData));
  });
}

export function registerHandlers(platform: Platform, socket: Socket): void {
  const ctxOf = (data: SocketData) => socketCtx(platform, data, socket.handshake.address ?? null);
  limitEvents(platform, socket);
  on(platform, socket, 'thread:join', ThreadRef, async ({ threadId }, data) => {
    const { thread } = await readableThread(ctxOf(data), threadId);
    await socket.join(threadRoom(data.schema, threadId));
    return { ok: true, lastSeq: Number(thread.last_seq) };
  });
  on(platform, socket, 'thread:leave', ThreadRef, async ({ threadId }, data) => {
    await socket.leave(threadRoom(data.schema, threadId));
    return { ok: true };
  });
  // Only that the object's records changed is told here (see hub.ts): reading them is the records API's business.
  on(platform, socket, 'object:watch', ObjectRef, async ({ object }, data) => {
    const ctx = ctxOf(data);
    assertCanRead(await accessTo(ctx, await publishedObject(ctx, object)));
    await socket.join(objectRoom(data.schema, object));
    return { ok: true };
  });
  on(platform, socket, 'object:unwatch', ObjectRef, async ({ object }, data) => {
    await socket.leave(objectRoom(data.schema, object));
    return { ok: true };
  });
  on(platform, socket, 'message:send', Send, async ({ threadId, ...input }, data) => {
    const { message, created } = await sendMessage(ctxOf(data), threadId, input);
    return { message, created };
  });
  on(platform, socket, 'typing', ThreadRef, async ({ threadId }, data) => {
    const room = threadRoom(data.schema, threadId);
    // Only from inside the room: joining is where access was checked.
    if (!socket.rooms.has(room)) throw new AppError('THREAD_NOT_FOUND', 404);
    socket.to(room).volatile.emit('typing', { threadId, userId: data.userId });
    return { ok: true };
  });
  // An approver acts from the approval's card; the same checks as over HTTP decide who may.
  on(platform, socket, 'approval:act', ApprovalSocketAct, async ({ approvalId, ...action }, data) => ({ approval: await actOnApproval(ctxOf(data), approvalId, action) }));
  on(platform, socket, 'presence:set', SetPresence, async ({ status }) => {
    await platform.realtime.presence?.set(socket, status === 'away');
    return { ok: true };
  });
}

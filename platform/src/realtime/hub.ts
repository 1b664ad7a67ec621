import type { Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/postgres-adapter';
import pg from 'pg';
import { Server } from 'socket.io';
import { ACCESS_CHANNEL } from '../access/index.ts';
import type { Ctx } from '../core/context.ts';
import { errorFields } from '../core/logger.ts';
import type { Platform } from '../core/platform.ts';
import type { DeliveredEvent, OutboxDispatcher } from '../events/index.ts';
import type { Message } from '../contracts/threads.ts';
import { mayReadThread, presentMessages, type AppendedRow, type LiveDelivery, type MessageRow } from '../threads/index.ts';
import { registerHandlers } from './handlers.ts';
import { Presence } from './presence.ts';
import { SentDelivery } from './sent-delivery.ts';
import { CoalescedEmits } from './coalesced-emits.ts';
import { objectRoom, threadOfRoom, threadRoom, userRoom, workspaceRoom } from './rooms.ts';
import { authenticateSocket, socketCtx, type SocketData } from './socket-auth.ts';

/**
 * The largest frame a client may send. A `message:send` at its limits (10,000 characters, every one
 * JSON-escaped as six-character `\u` sequences, with all mentions, attachments and links) is about 70 KB; anything bigger
 * is abuse, and socket.io closes that one connection instead of parsing it.
 */
const MAX_FRAME_BYTES = 128 * 1024;

/** The events `deliver` acts on: the outbox writes no others for realtime. */
const DELIVERED = [
  'message.created',
  'message.updated',
  'message.remind',
  'thread.members_changed',
  'thread.members_added',
  'thread.updated',
  'thread.read',
  'notification.changed',
  'record.created',
  'record.updated',
  'record.deleted',
  'record.access_changed',
];

/** Between processes: an emit to rooms, made by each process to its own sockets. */
const RELAY = 'threadbase:relay';
type Relayed = { rooms: string[]; except?: string; event: string; data: unknown };

/**
 * The socket.io side of one process. Messages reach sockets through the outbox (`deliver`), so nothing
 * is broadcast that did not commit; with PostgreSQL the adapter carries every emit to the sockets of
 * the other processes by LISTEN/NOTIFY.
 */
export class RealtimeHub {
  #io: Server | null = null;
  #presence: Presence | null = null;
  #pool: pg.Pool | null = null;
  #unlisten: (() => Promise<void>) | null = null;
  #recordChanges = new CoalescedEmits((room) => this.#emit(room, 'records:changed', { object: room.slice(room.lastIndexOf(':') + 1) }));
  #sent = new SentDelivery((schema, row, message, members) => this.#emitNew(schema, row, message, members), () => this.#io !== null);

  async attach(platform: Platform, http: HttpServer): Promise<void> {
    const io = new Server(http, { serveClient: false, cors: { origin: false }, maxHttpBufferSize: MAX_FRAME_BYTES });
    const presence = new Presence(platform, io);
    if (platform.db.dialect === 'postgres' && platform.config.databaseUrl) {
      this.#pool = new pg.Pool({ connectionString: platform.config.databaseUrl, max: 2 });
      this.#pool.on('error', (error) => platform.log.error('realtime adapter connection failed', errorFields(error)));
      io.adapter(createAdapter(this.#pool, { channelPrefix: `${platform.config.schema}_io`, tableName: `${platform.config.schema}.socket_io_attachments` }));
    }
    io.on(RELAY, ({ rooms, except, event, data }: Relayed) => io.local.to(rooms).except(except ?? []).emit(event, data));
    io.use((socket, next) => {
      authenticateSocket(platform, socket).then(
        (data) => {
          socket.data = data;
          next();
        },
        (error: Error) => next(error),
      );
    });
    io.on('connection', (socket) => {
      const data = socket.data as SocketData;
      void socket.join(userRoom(data.schema, data.userId));
      void socket.join(workspaceRoom(data.schema));
      presence.connect(socket);
      registerHandlers(platform, socket);
    });
    this.#unlisten = await platform.db.listen(ACCESS_CHANNEL, (schema) => void this.#recheck(platform, schema));
    this.#io = io;
    this.#presence = presence;
  }

  /** This process's presence tracker, once attached to an HTTP server. */
  get presence(): Presence | null {
    return this.#presence;
  }

  /** Closing the HTTP server and stopping the platform both close the hub: the second call finds nothing left. */
  async close(): Promise<void> {
    const [io, pool, unlisten, presence] = [this.#io, this.#pool, this.#unlisten, this.#presence];
    this.#io = null;
    this.#pool = null;
    this.#unlisten = null;
    this.#presence = null;
    this.#recordChanges.close();
    await unlisten?.();
    // Before the sockets close: its goodbyes to the workspace still go out through the adapter.
    await presence?.close();
    // Without a callback: its callback waits for the HTTP server to close, which serveHttp does afterwards.
    await io?.close();
    // The adapter takes its LISTEN connection asynchronously: closed while it is still being taken, that
    // connection is never given back and `end()` would wait for it forever. Shutdown does not wait for it.
    if (pool) await Promise.race([pool.end(), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
  }

  /** How a thread's next messages are to be stored for `deliverSent` (none while this process has no sockets). */
  liveDelivery(ctx: Ctx, threadId: string): LiveDelivery | undefined {
    return this.#sent.options(ctx, threadId);
  }

  /** Delivers people's messages this process just stored (see sent-delivery.ts). */
  deliverSent(ctx: Ctx, threadId: string, rows: AppendedRow[]): void {
    this.#sent.deliver(ctx, threadId, rows);
  }

  /**
   * Emits to rooms: to this process's sockets at once, and to the other processes' through the
   * adapter. (Emitting through the adapter would wait for its NOTIFY before reaching local sockets.)
   */
  #emit(rooms: string | string[], event: string, data: unknown, except?: string): void {
    const io = this.#io;
    if (!io) return;
    io.local.to(rooms).except(except ?? []).emit(event, data);
    if (this.#pool) io.serverSideEmit(RELAY, { rooms: [rooms].flat(), except, event, data } satisfies Relayed);
  }

  #emitNew(schema: string, row: MessageRow, message: Message | undefined, members: string[]): void {
    const room = threadRoom(schema, row.thread_id);
    const activity = { threadId: row.thread_id, seq: Number(row.seq) };
    // Messages rendered per reader: clients fetch them over HTTP.
    if (message) this.#emit(room, 'message:new', message);
    else this.#emit(room, 'thread:activity', activity);
    // A socket in the thread's room has just been told more than the nudge would say: half the frames.
    if (members.length) this.#emit(members.map((id) => userRoom(schema, id)), 'inbox:changed', activity, room);
  }

  /** The outbox consumer: a committed message goes to its thread's room, and an inbox nudge to its members. */
  async deliver(event: DeliveredEvent, ctx: Ctx, batch: readonly DeliveredEvent[] = [event]): Promise<void> {
    if (!this.#io) return;
    const schema = ctx.workspace.schemas.system;
    const room = (threadId: unknown) => threadRoom(schema, threadId as string);
    if (event.type === 'message.created') {
      const { messages, members } = await newMessagesOf(ctx, batch);
      const row = messages.get(event.payload.messageId as string);
      if (!row) return;
      // A system message with field changes is rendered per reader (hidden fields): the room is only told of it.
      const sameForAll = row.kind === 'user' || !row.payload?.changes;
      const message = sameForAll ? (await presentMessages(ctx, [row], 'room', true))[0] : undefined;
      this.#emitNew(schema, row, message, (members.get(row.thread_id) ?? []).map((m) => m.user_id));
    } else if (event.type === 'message.updated') {
      const row = await ctx.db.selectFrom('messages').selectAll().where('id', '=', event.payload.messageId as string).executeTakeFirst();
      if (row) this.#emit(room(row.thread_id), 'message:updated', { change: event.payload.change, message: (await presentMessages(ctx, [row], 'room'))[0] });
    } else if (event.type === 'message.remind') {
      const { threadId, messageId, by } = event.payload;
      this.#emit((event.payload.userIds as string[]).map((id) => userRoom(schema, id)), 'reminder', { threadId, messageId, by });
    } else if (event.type === 'thread.members_changed') {
      await this.#recheckRoom(ctx.platform, schema, event.payload.threadId as string, false);
      await this.#threadUpdated(ctx, schema, event.payload.threadId as string);
    } else if (event.type === 'thread.members_added') {
      const thread = await ctx.db.selectFrom('threads').select('last_seq').where('id', '=', event.payload.threadId as string).executeTakeFirst();
      const people = (event.payload.userIds as string[]).map((id) => userRoom(schema, id));
      if (thread) this.#emit(people, 'inbox:changed', { threadId: event.payload.threadId, seq: Number(thread.last_seq) });
      await this.#threadUpdated(ctx, schema, event.payload.threadId as string);
    } else if (event.type === 'thread.updated') {
      await this.#threadUpdated(ctx, schema, event.payload.threadId as string);
    } else if (event.type === 'thread.read') {
      this.#emit(room(event.payload.threadId), 'receipt', event.payload);
    } else if (event.type === 'notification.changed') {
      this.#emit(userRoom(schema, event.payload.userId as string), 'notification', { unread: event.payload.unread });
    } else if (event.type === 'record.created' || event.type === 'record.deleted') {
      this.#recordChanges.nudge(objectRoom(schema, event.aggregateId.split(':')[0]!));
    } else if (event.type === 'record.updated' || event.type === 'record.access_changed') {
      const [object, recordId] = event.aggregateId.split(':');
      if (event.type === 'record.updated') this.#recordChanges.nudge(objectRoom(schema, object!));
      const thread = await ctx.db.selectFrom('threads').select('id').where('object', '=', object!).where('record_id', '=', recordId!).executeTakeFirst();
      if (!thread) return;
      await this.#recheckRoom(ctx.platform, schema, thread.id, false);
      // Who is still in the room may read the record: the event says what changed, never the values.
      if (event.type === 'record.updated') this.#emit(room(thread.id), 'record:changed', { threadId: thread.id, object, recordId });
    }
  }

  /** Its members' screens (the inbox, the open conversation) read the conversation again: title, avatar, members, roles. */
  async #threadUpdated(ctx: Ctx, schema: string, threadId: string): Promise<void> {
    const members = await ctx.db.selectFrom('thread_members').select('user_id').where('thread_id', '=', threadId).execute();
    if (members.length) this.#emit(members.map((m) => userRoom(schema, m.user_id)), 'thread:updated', { threadId });
  }

  /** Access changed somewhere in the workspace: every socket keeps only the thread rooms it may still read. */
  async #recheck(platform: Platform, schema: string): Promise<void> {
    const io = this.#io;
    if (!io) return;
    const rooms = [...io.of('/').adapter.rooms.keys()].map((room) => threadOfRoom(room, schema)).filter((id): id is string => id !== null);
    // Every process hears the notification and checks its own sockets.
    for (const threadId of rooms) await this.#recheckRoom(platform, schema, threadId, true);
  }

  async #recheckRoom(platform: Platform, schema: string, threadId: string, localOnly: boolean): Promise<void> {
    const room = threadRoom(schema, threadId);
    const target = localOnly ? this.#io!.in(room).local : this.#io!.in(room);
    for (const socket of await target.fetchSockets()) {
      const data = socket.data as SocketData;
      if (await mayReadThread(socketCtx(platform, data, null), threadId)) continue;
      socket.leave(room);
      socket.emit('thread:removed', { threadId });
    }
  }
}

type NewMessages = { messages: Map<string, MessageRow>; members: Map<string, { user_id: string }[]> };
const loaded = new WeakMap<readonly DeliveredEvent[], Promise<NewMessages>>();

/**
 * The new messages of a claimed batch and their threads' members, in two queries for the whole batch:
 * a busy thread's messages go out at the rate they are written, not at two round trips each.
 */
function newMessagesOf(ctx: Ctx, batch: readonly DeliveredEvent[]): Promise<NewMessages> {
  let found = loaded.get(batch);
  if (!found) {
    const created = batch.filter((e) => e.type === 'message.created');
    const ids = created.map((e) => e.payload.messageId as string);
    const threads = [...new Set(created.map((e) => e.payload.threadId as string))];
    found = Promise.all([
      ctx.db.selectFrom('messages').selectAll().where('id', 'in', ids).execute(),
      ctx.db.selectFrom('thread_members').select(['thread_id', 'user_id']).where('thread_id', 'in', threads).execute(),
    ]).then(([rows, members]) => ({ messages: new Map(rows.map((r) => [r.id, r])), members: Map.groupBy(members, (m) => m.thread_id) }));
    loaded.set(batch, found);
  }
  return found;
}

export function registerRealtime(outbox: OutboxDispatcher, hub: RealtimeHub): void {
  outbox.register('realtime', (event, ctx, batch) => hub.deliver(event, ctx, batch), { maxAttempts: 3, backoffMs: () => 200, urgent: true, types: DELIVERED });
}

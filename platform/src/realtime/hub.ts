import type { Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/postgres-adapter';
import pg from 'pg';
import { Server } from 'socket.io';
import { ACCESS_CHANNEL } from '../access/index.ts';
import type { Ctx } from '../core/context.ts';
import { errorFields } from '../core/logger.ts';
import type { Platform } from '../core/platform.ts';
import type { DeliveredEvent, OutboxDispatcher } from '../events/index.ts';
import { readableThread, toMessage } from '../threads/index.ts';
import { registerHandlers } from './handlers.ts';
import { threadOfRoom, threadRoom, userRoom } from './rooms.ts';
import { authenticateSocket, socketCtx, type SocketData } from './socket-auth.ts';

/**
 * The socket.io side of one process. Messages reach sockets through the outbox (`deliver`), so nothing
 * is broadcast that did not commit; with PostgreSQL the adapter carries every emit to the sockets of
 * the other processes by LISTEN/NOTIFY.
 */
export class RealtimeHub {
  #io: Server | null = null;
  #pool: pg.Pool | null = null;
  #unlisten: (() => Promise<void>) | null = null;

  async attach(platform: Platform, http: HttpServer): Promise<void> {
    const io = new Server(http, { serveClient: false, cors: { origin: false } });
    if (platform.db.dialect === 'postgres' && platform.config.databaseUrl) {
      this.#pool = new pg.Pool({ connectionString: platform.config.databaseUrl, max: 2 });
      this.#pool.on('error', (error) => platform.log.error('realtime adapter connection failed', errorFields(error)));
      io.adapter(createAdapter(this.#pool, { channelPrefix: `${platform.config.schema}_io`, tableName: `${platform.config.schema}.socket_io_attachments` }));
    }
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
      registerHandlers(platform, socket);
    });
    this.#unlisten = await platform.db.listen(ACCESS_CHANNEL, (schema) => void this.#recheck(platform, schema));
    this.#io = io;
  }

  /** Closing the HTTP server and stopping the platform both close the hub: the second call finds nothing left. */
  async close(): Promise<void> {
    const [io, pool, unlisten] = [this.#io, this.#pool, this.#unlisten];
    this.#io = null;
    this.#pool = null;
    this.#unlisten = null;
    await unlisten?.();
    // Without a callback: its callback waits for the HTTP server to close, which serveHttp does afterwards.
    await io?.close();
    // The adapter takes its LISTEN connection asynchronously: closed while it is still being taken, that
    // connection is never given back and `end()` would wait for it forever. Shutdown does not wait for it.
    if (pool) await Promise.race([pool.end(), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
  }

  /** The outbox consumer: a committed message goes to its thread's room, and an inbox nudge to its members. */
  async deliver(event: DeliveredEvent, ctx: Ctx): Promise<void> {
    const io = this.#io;
    if (!io) return;
    const schema = ctx.workspace.schemas.system;
    if (event.type === 'message.created') {
      const threadId = event.payload.threadId as string;
      const [row, members] = await Promise.all([
        ctx.db.selectFrom('messages').selectAll().where('id', '=', event.payload.messageId as string).executeTakeFirst(),
        ctx.db.selectFrom('thread_members').select('user_id').where('thread_id', '=', threadId).execute(),
      ]);
      if (!row) return;
      const message = toMessage(row);
      // System messages are rendered per reader (hidden fields): clients fetch them over HTTP.
      if (message.kind === 'user') io.to(threadRoom(schema, threadId)).emit('message:new', message);
      else io.to(threadRoom(schema, threadId)).emit('thread:activity', { threadId, seq: message.seq });
      if (members.length) io.to(members.map((m) => userRoom(schema, m.user_id))).emit('inbox:changed', { threadId, seq: message.seq });
    } else if (event.type === 'thread.members_changed') {
      await this.#recheckRoom(ctx.platform, schema, event.payload.threadId as string, false);
    } else if (event.type === 'thread.read') {
      io.to(threadRoom(schema, event.payload.threadId as string)).emit('receipt', event.payload);
    } else if (event.type === 'record.updated' || event.type === 'record.access_changed') {
      const [object, recordId] = event.aggregateId.split(':');
      const thread = await ctx.db.selectFrom('threads').select('id').where('object', '=', object!).where('record_id', '=', recordId!).executeTakeFirst();
      if (thread) await this.#recheckRoom(ctx.platform, schema, thread.id, false);
    }
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
      const allowed = await readableThread(socketCtx(platform, data, null), threadId).then(
        () => true,
        () => false,
      );
      if (allowed) continue;
      socket.leave(room);
      socket.emit('thread:removed', { threadId });
    }
  }
}

export function registerRealtime(outbox: OutboxDispatcher, hub: RealtimeHub): void {
  outbox.register('realtime', (event, ctx) => hub.deliver(event, ctx), { maxAttempts: 3, backoffMs: () => 200 });
}

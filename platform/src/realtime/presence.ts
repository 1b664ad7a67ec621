import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Server, Socket } from 'socket.io';
import type { PresenceStatus } from '../contracts/index.ts';
import { inTransaction, systemCtx, type Ctx } from '../core/context.ts';
import { errorFields } from '../core/logger.ts';
import type { Platform } from '../core/platform.ts';
import type { WorkspaceDB } from '../db/tables.ts';
import { workspaceRoom } from './rooms.ts';
import type { SocketData } from './socket-auth.ts';

/**
 * Each process keeps one `presence_sessions` row per user it holds sockets of and refreshes it every
 * HEARTBEAT_MS; a row older than STALE_SECONDS (three missed beats) no longer counts, so the users of a
 * killed process go offline even when no other process is left to clean up.
 */
const HEARTBEAT_MS = 30_000;
const STALE_SECONDS = 90;

const fresh = sql<boolean>`${sql.ref('seen_at')} > now() - make_interval(secs => ${STALE_SECONDS})`;
const stale = sql<boolean>`${sql.ref('seen_at')} <= now() - make_interval(secs => ${STALE_SECONDS})`;

/** Online when any fresh row is not away, away when all are, absent (offline) without fresh rows. */
function liveStatuses(db: Kysely<WorkspaceDB>) {
  return db
    .selectFrom('presence_sessions')
    .select(['user_id', sql<'online' | 'away'>`case when bool_and(${sql.ref('away')}) then 'away' else 'online' end`.as('status')])
    .where(fresh)
    .groupBy('user_id');
}

/** The presence of these users now, computed from the live rows of every process. */
export async function presenceOf(ctx: Ctx, userIds: readonly string[]): Promise<Map<string, PresenceStatus>> {
  const rows = userIds.length ? await liveStatuses(ctx.db).where('user_id', 'in', userIds).execute() : [];
  const live = new Map(rows.map((r) => [r.user_id, r.status]));
  return new Map(userIds.map((id) => [id, live.get(id) ?? 'offline']));
}

/**
 * Compares the user's announced status with the live one and stores a change, answering it (null when
 * there is none). The announced row stays locked until commit, so when two processes change the same
 * user at once, the second waits and sees the first's rows: each transition is announced exactly once.
 */
async function settle(tx: Ctx, userId: string): Promise<PresenceStatus | null> {
  // A no-op update, to lock the row and read it in one statement (inserting it on first use).
  const announced = await tx.db
    .insertInto('presence_users')
    .values({ user_id: userId, status: 'offline' })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ user_id: (eb) => eb.ref('excluded.user_id') }))
    .returning('status')
    .executeTakeFirstOrThrow();
  const status = (await presenceOf(tx, [userId])).get(userId)!;
  if (status === announced.status) return null;
  await tx.db.updateTable('presence_users').set({ status, changed_at: new Date() }).where('user_id', '=', userId).execute();
  return status;
}

/** What this process's row for a user should say: no row, or a row that is or is not away. */
type RowState = 'none' | 'online' | 'away';

type Entry = {
  key: string;
  schema: string;
  userId: string;
  /** This process's sockets of the user, each with whether its tab is idle. */
  sockets: Map<string, boolean>;
  /** What the row says, as last written by this process. */
  written: RowState;
  /** A write scheduled but not started: it will write the latest state, so later changes join it. */
  queued: Promise<void> | null;
  /** The writes of one user run one after the other, so a late upsert never revives a deleted row. */
  chain: Promise<void>;
};

function wanted(entry: Entry): RowState {
  return entry.sockets.size === 0 ? 'none' : [...entry.sockets.values()].every(Boolean) ? 'away' : 'online';
}

/**
 * Presence for the sockets of one process. Socket changes only touch the database when this process's
 * row for the user changes (first tab opened, last one closed, all tabs idle or one active again); a
 * change of the user's status across all processes goes to the workspace room as `presence`.
 */
export class Presence {
  #processId = randomUUID();
  #platform: Platform;
  #io: Server;
  #entries = new Map<string, Entry>();
  #timer: NodeJS.Timeout;
  #beating: Promise<void> | null = null;
  #closed = false;

  constructor(platform: Platform, io: Server) {
    this.#platform = platform;
    this.#io = io;
    this.#timer = setInterval(() => void this.heartbeat(), HEARTBEAT_MS).unref();
  }

  /** A new socket counts as in use until its tab says it is idle. */
  connect(socket: Socket): void {
    const { schema, userId } = socket.data as SocketData;
    const key = `${schema}:${userId}`;
    let entry = this.#entries.get(key);
    if (!entry) this.#entries.set(key, (entry = { key, schema, userId, sockets: new Map(), written: 'none', queued: null, chain: Promise.resolve() }));
    const mine = entry;
    mine.sockets.set(socket.id, false);
    void this.#schedule(mine);
    socket.once('disconnect', () => {
      mine.sockets.delete(socket.id);
      void this.#schedule(mine);
    });
  }

  /** `presence:set`: resolves once this process's row says so (at once when it already did). */
  async set(socket: Socket, away: boolean): Promise<void> {
    const { schema, userId } = socket.data as SocketData;
    const entry = this.#entries.get(`${schema}:${userId}`);
    if (!entry?.sockets.has(socket.id)) return;
    entry.sockets.set(socket.id, away);
    await this.#schedule(entry);
  }

  /**
   * Runs every HEARTBEAT_MS (tests call it directly): refreshes this process's rows, writes again any
   * that were swept while the process stalled, deletes stale rows and announces every user whose live
   * status no longer matches the announced one — the users of a process that died.
   */
  heartbeat(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#beating ??= (async () => {
      for (const workspace of this.#platform.workspaces.list()) {
        await this.#beat(systemCtx(this.#platform, workspace)).catch((error) => this.#platform.log.error('presence heartbeat failed', errorFields(error)));
      }
    })().finally(() => (this.#beating = null));
    return this.#beating;
  }

  /** Deletes this process's rows and announces who went offline with them; later socket changes are ignored. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    const entries = [...this.#entries.values()];
    await Promise.all([this.#beating, ...entries.map((e) => e.chain)]);
    for (const schema of new Set(entries.map((e) => e.schema))) {
      const ctx = this.#ctx(schema);
      if (!ctx) continue;
      try {
        const gone = await ctx.db.deleteFrom('presence_sessions').where('process_id', '=', this.#processId).returning('user_id').execute();
        for (const { user_id } of gone) await this.#settle(ctx, user_id);
      } catch (error) {
        this.#platform.log.error('presence cleanup failed', errorFields(error));
      }
    }
    this.#entries.clear();
  }

  async #beat(ctx: Ctx): Promise<void> {
    const schema = ctx.workspace.schemas.system;
    const mine = [...this.#entries.values()].filter((e) => e.schema === schema);
    if (mine.some((e) => e.written !== 'none')) {
      const kept = await ctx.db.updateTable('presence_sessions').set({ seen_at: sql<Date>`now()` }).where('process_id', '=', this.#processId).returning('user_id').execute();
      const found = new Set(kept.map((r) => r.user_id));
      for (const entry of mine) if (!found.has(entry.userId)) entry.written = 'none';
    }
    // Rows swept while this process stalled, and writes that failed, are tried again.
    for (const entry of mine) if (wanted(entry) !== entry.written) void this.#schedule(entry);
    await ctx.db.deleteFrom('presence_sessions').where(stale).execute();
    const drifted = await ctx.db
      .selectFrom('presence_users as p')
      .leftJoin(liveStatuses(ctx.db).as('l'), 'l.user_id', 'p.user_id')
      .select('p.user_id')
      .where(sql<boolean>`${sql.ref('p.status')} <> coalesce(${sql.ref('l.status')}, 'offline')`)
      .execute();
    for (const { user_id } of drifted) await this.#settle(ctx, user_id);
  }

  #schedule(entry: Entry): Promise<void> {
    if (entry.queued) return entry.queued;
    const run = entry.chain.then(() => {
      entry.queued = null;
      return this.#write(entry);
    });
    entry.queued = run;
    entry.chain = run
      .catch((error) => this.#platform.log.error('presence update failed', errorFields(error)))
      .then(() => {
        if (!entry.queued && entry.sockets.size === 0 && entry.written === 'none') this.#entries.delete(entry.key);
      });
    return run;
  }

  async #write(entry: Entry): Promise<void> {
    const want = wanted(entry);
    const ctx = this.#ctx(entry.schema);
    if (want === entry.written || this.#closed || !ctx) return;
    const changed = await inTransaction(ctx, async (tx) => {
      if (want === 'none') {
        await tx.db.deleteFrom('presence_sessions').where('user_id', '=', entry.userId).where('process_id', '=', this.#processId).execute();
      } else {
        const row = { away: want === 'away', seen_at: sql<Date>`now()` };
        await tx.db
          .insertInto('presence_sessions')
          .values({ user_id: entry.userId, process_id: this.#processId, ...row })
          .onConflict((oc) => oc.columns(['user_id', 'process_id']).doUpdateSet(row))
          .execute();
      }
      return settle(tx, entry.userId);
    });
    entry.written = want;
    if (changed) this.#announce(entry.schema, entry.userId, changed);
  }

  async #settle(ctx: Ctx, userId: string): Promise<void> {
    const changed = await inTransaction(ctx, (tx) => settle(tx, userId));
    if (changed) this.#announce(ctx.workspace.schemas.system, userId, changed);
  }

  #announce(schema: string, userId: string, status: PresenceStatus): void {
    this.#io.to(workspaceRoom(schema)).emit('presence', { userId, status });
  }

  #ctx(schema: string): Ctx | null {
    const workspace = this.#platform.workspaces.list().find((w) => w.schemas.system === schema);
    return workspace ? systemCtx(this.#platform, workspace) : null;
  }
}

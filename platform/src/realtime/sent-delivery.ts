import { sql, type RawBuilder } from 'kysely';
import type { Message } from '../contracts/threads.ts';
import type { Ctx } from '../core/context.ts';
import { errorFields } from '../core/logger.ts';
import { presentMessages, type AppendedRow, type LiveDelivery, type MessageRow } from '../threads/index.ts';

/**
 * A sent message's realtime deliveries wait this long for the sending process to make them itself;
 * only if it died meanwhile does the dispatcher, in any process, take them up.
 */
const SENT_HOLD_MS = 3000;
const CONSUMER = 'realtime';

type EmitNew = (schema: string, row: MessageRow, message: Message | undefined, members: string[]) => void;

/**
 * People's messages go to their thread's room from the process that stored them, right after commit,
 * instead of waking the dispatcher to read them back. Their deliveries are written held; the statement
 * that stores them also says whether every earlier event of the thread is delivered and who the members
 * are (`LiveDelivery`), so they usually go out with no further query; otherwise one query after commit
 * asks again. A thread's batches go out in order (one chain per thread); if an earlier event of the
 * thread still waits, the batch is handed to the dispatcher, which keeps the thread's order. Deliveries
 * are settled after the emits.
 */
export class SentDelivery {
  #chains = new Map<string, Promise<void>>();
  /** Events held by this process, emitted or about to be, not yet settled: never "earlier events still waiting". */
  #inflight = new Map<string, Set<number>>();
  #emitNew: EmitNew;
  #live: () => boolean;

  constructor(emitNew: EmitNew, live: () => boolean) {
    this.#emitNew = emitNew;
    this.#live = live;
  }

  /** How the next messages of the thread are to be stored, while this process has sockets to deliver to. */
  options(ctx: Ctx, threadId: string): LiveDelivery | undefined {
    if (!this.#live()) return undefined;
    return { held: { consumer: CONSUMER, ms: SENT_HOLD_MS }, inflight: [...(this.#inflight.get(keyOf(ctx, threadId)) ?? [])] };
  }

  deliver(ctx: Ctx, threadId: string, rows: AppendedRow[]): void {
    const key = keyOf(ctx, threadId);
    const events = rows.map((r) => Number(r.event_id));
    const inflight = this.#inflight.get(key) ?? new Set<number>();
    this.#inflight.set(key, inflight);
    for (const id of events) inflight.add(id);
    // Its held deliveries are then taken up by the dispatcher: at least once, perhaps twice.
    const failed = (error: unknown) => ctx.platform.log.warn('live delivery failed; the dispatcher delivers', errorFields(error));
    const settled = () => {
      for (const id of events) inflight.delete(id);
      if (inflight.size === 0 && this.#inflight.get(key) === inflight) this.#inflight.delete(key);
    };
    const chain = (this.#chains.get(key) ?? Promise.resolve())
      .then(() => this.#deliver(ctx, threadId, rows, events, [...inflight].filter((id) => !events.includes(id))))
      // The next batch goes out without waiting for this one's settling.
      .then(({ settling }) => void settling.catch(failed).finally(settled))
      .catch((error: unknown) => {
        settled();
        failed(error);
      })
      .finally(() => {
        if (this.#chains.get(key) === chain) this.#chains.delete(key);
      });
    this.#chains.set(key, chain);
  }

  /** Emits the batch (or hands it to the dispatcher); answers the settling of its deliveries, under way. */
  async #deliver(ctx: Ctx, threadId: string, rows: AppendedRow[], events: number[], ours: number[]): Promise<{ settling: Promise<void> }> {
    const schema = ctx.workspace.schemas.system;
    const deliveries = sql.table(`${schema}.outbox_deliveries`);
    let { live_clear: clear, live_members: members } = rows[0]!;
    if (!clear) {
      const { rows: found } = await sql<{ earlier: boolean; members: string[] }>`select
        exists (select 1 from ${deliveries} where consumer = ${CONSUMER} and aggregate_type = 'thread' and aggregate_id = ${threadId}
          and status = 'pending' and event_id < ${Math.min(...events)} and event_id <> all(${`{${ours.join(',')}}`}::bigint[])) as earlier,
        array(select user_id from ${sql.table(`${schema}.thread_members`)} where thread_id = ${threadId}) as members`.execute(ctx.db);
      clear = !found[0]!.earlier;
      members = found[0]!.members;
    }
    // Events of the thread written meanwhile (an edit, a read mark, another process's batch) wait behind
    // these: settling them wakes the dispatcher for those.
    const settle = async (set: RawBuilder<unknown>) => {
      const { rows: after } = await sql<{ behind: boolean }>`with settled as (
          update ${deliveries} set ${set} where consumer = ${CONSUMER} and event_id in (${sql.join(events)}) and status = 'pending'
        )
        select exists (select 1 from ${deliveries} where consumer = ${CONSUMER} and aggregate_type = 'thread' and aggregate_id = ${threadId}
          and status = 'pending' and event_id > ${Math.max(...events)}) as behind`.execute(ctx.db);
      if (after[0]!.behind) ctx.platform.outbox.wake(schema);
    };
    if (!clear || !this.#live()) {
      await settle(sql`next_attempt_at = now()`);
      ctx.platform.outbox.wake(schema);
      return { settling: Promise.resolve() };
    }
    const messages = await presentMessages(ctx, rows, 'room', true);
    rows.forEach((row, i) => this.#emitNew(schema, row, messages[i], members ?? []));
    return { settling: settle(sql`status = 'done', delivered_at = now()`) };
  }
}

const keyOf = (ctx: Ctx, threadId: string) => `${ctx.workspace.schemas.system}:${threadId}`;

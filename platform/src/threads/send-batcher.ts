import type { Ctx } from '../core/context.ts';
import type { NewMessage } from './append.ts';
import type { MessageRow } from './message-view.ts';
import { storeOnce, writeSent, type Stored } from './store-message.ts';
import type { ReadableThread } from './thread-access.ts';

type Pending = { ctx: Ctx; readable: ReadableThread; message: NewMessage & { clientId: string }; resolve: (stored: Stored) => void; reject: (error: unknown) => void };

/** Most messages one statement writes: enough to keep up with a busy thread, few enough to keep each write short. */
const MAX_BATCH = 64;
const queues = new Map<string, Pending[]>();

/**
 * Stores a person's message through its thread's queue in this process. While one statement writes a
 * thread's messages, the messages sent to that thread meanwhile wait and are then written together
 * (group commit): a quiet thread's message goes straight through, and a busy thread pays the thread
 * row's lock once per batch, not once per message.
 */
export function storeBatched(ctx: Ctx, readable: ReadableThread, message: NewMessage & { clientId: string }): Promise<Stored> {
  return new Promise((resolve, reject) => {
    const key = `${ctx.workspace.schemas.system}:${readable.thread.id}`;
    const pending = { ctx, readable, message, resolve, reject };
    const queue = queues.get(key);
    if (queue) {
      queue.push(pending);
      return;
    }
    queues.set(key, [pending]);
    void drain(key);
  });
}

async function drain(key: string): Promise<void> {
  const queue = queues.get(key)!;
  while (queue.length > 0) await writeBatch(queue.splice(0, MAX_BATCH));
  queues.delete(key);
}

/**
 * One statement for the batch. If it fails as a whole (a resent clientId among them, a lost
 * connection), each message is written on its own, so that one message's problem is only its own.
 */
async function writeBatch(batch: Pending[]): Promise<void> {
  const { ctx, readable } = batch[0]!;
  let rows: MessageRow[];
  try {
    rows = await writeSent(ctx, readable, batch.map((p) => p.message));
  } catch {
    for (const p of batch) await storeOnce(p.ctx, p.readable, p.message).then(p.resolve, p.reject);
    return;
  }
  batch.forEach((p, i) => p.resolve({ row: rows[i]!, created: true }));
}

import { inTransaction, type Ctx } from '../core/context.ts';
import type { AppendedRow } from '../threads/index.ts';
import { resumeStep } from './engine.ts';
import type { RunRow, StepRow } from './nodes.ts';
import { waitingOn } from './wait-conditions.ts';

/** Whether someone posted in the run's record's thread since the waiting step began. */
export async function messagedSince(tx: Ctx, run: RunRow, step: StepRow): Promise<boolean> {
  if (!run.object || !run.record_id) return false;
  const found = await tx.db
    .selectFrom('messages as m')
    .innerJoin('threads as t', 't.id', 'm.thread_id')
    .select('m.id')
    .where('t.object', '=', run.object)
    .where('t.record_id', '=', run.record_id)
    .where('m.kind', '=', 'user')
    .where('m.created_at', '>', step.created_at)
    .limit(1)
    .executeTakeFirst();
  return found !== undefined;
}

/**
 * People's messages in a record's thread end the runs on that record that wait for a message. Told after
 * the messages are stored: if the process dies in between, a wait with a timeout still finds the message
 * when it falls due (`messagedSince`).
 */
export async function wakeOnMessages(ctx: Ctx, thread: { kind: string; record_id: string | null }, rows: readonly AppendedRow[]): Promise<void> {
  if (thread.kind !== 'record' || !thread.record_id || !rows.some((r) => r.kind === 'user')) return;
  const recordId = thread.record_id;
  await inTransaction(ctx, async (tx) => {
    for (const { stepId, node } of await waitingOn(tx, recordId)) {
      if (node?.type === 'wait' && node.data.event === 'message') await resumeStep(tx, stepId, { waited: true, timedOut: false });
    }
  });
}

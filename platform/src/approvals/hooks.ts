import { appendAudit } from '../audit/index.ts';
import type { ApprovalNodeData } from '../contracts/approvals.ts';
import { AppError } from '../core/app-error.ts';
import type { Ctx } from '../core/context.ts';
import { addRunListener } from '../flows/index.ts';
import type { AfterDelete, BeforeSave } from '../records/save-hooks.ts';
import { addSaveHooks } from '../records/save-hooks.ts';
import { finish } from './progress.ts';
import { publish } from './publish.ts';
import { lockApproval, setApproval } from './state.ts';

/**
 * While an approval that locks its record is pending, nobody changes the record but the system (the
 * approval's own flow steps, say): the approvers decide on what was submitted. Returned to its
 * submitter, the record is open again for her changes.
 */
async function refuseLocked(tx: Ctx, event: BeforeSave): Promise<null> {
  if (event.mode !== 'update' || !event.id || tx.actor.kind === 'system') return null;
  const open = await tx.db
    .selectFrom('approvals')
    .select(['id', 'title', 'definition'])
    .where('object', '=', event.object.name)
    .where('record_id', '=', event.id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  if (open && (open.definition as ApprovalNodeData).lock !== false) throw new AppError('APPROVAL_RECORD_LOCKED', 409, { params: { title: open.title }, details: { approvalId: open.id } });
  return null;
}

type Ending = { why: 'record_deleted' | 'run_cancelled' | 'run_ended'; resume: boolean; threadGone: boolean };

/** Cancels open approvals (the record is gone, or their run ended without them), each under its lock. */
async function cancelAll(tx: Ctx, ids: string[], ending: Ending): Promise<void> {
  for (const id of [...ids].sort()) {
    const st = await lockApproval(tx, id);
    if (!st || (st.approval.status !== 'pending' && st.approval.status !== 'returned')) continue;
    st.threadGone = ending.threadGone;
    // Its card went with the record's thread: nothing is posted for it any more.
    if (ending.threadGone) await setApproval(tx, st, { thread_id: null, card_message_id: null });
    await finish(tx, st, { outcome: 'cancelled', by: null, reason: ending.why }, { resume: ending.resume });
    await appendAudit(tx, { action: 'approval.cancel', targetType: 'approval', targetId: id, details: { why: ending.why, object: st.approval.object, recordId: st.approval.record_id } });
    await publish(tx, st);
  }
}

const openOf = (tx: Ctx) => tx.db.selectFrom('approvals').select('id').where('status', 'in', ['pending', 'returned']);

/** A deleted record's open approval is cancelled, and its flow goes on with outcome `cancelled`. */
async function cancelForDeletedRecord(tx: Ctx, event: AfterDelete): Promise<void> {
  const open = await openOf(tx).where('object', '=', event.object.name).where('record_id', '=', event.id).execute();
  await cancelAll(tx, open.map((o) => o.id), { why: 'record_deleted', resume: true, threadGone: true });
}

/**
 * A run being cancelled (flows' cancelRun, in its transaction) cancels its open approvals. It is called
 * before the run's row is locked: both this and an approver's action lock the approval first, so the
 * two never wait for each other in opposite orders.
 */
export async function cancelApprovalsOfRun(tx: Ctx, runId: string): Promise<void> {
  const open = await openOf(tx).where('run_id', '=', runId).execute();
  await cancelAll(tx, open.map((o) => o.id), { why: 'run_cancelled', resume: false, threadGone: false });
}

/** A run that ended or failed before its approval step took up the approval it was submitted with. */
async function cancelForEndedRun(tx: Ctx, run: { id: string }): Promise<void> {
  const open = await openOf(tx).where('run_id', '=', run.id).execute();
  if (open.length) await cancelAll(tx, open.map((o) => o.id), { why: 'run_ended', resume: false, threadGone: false });
}

const hooks = { beforeSave: refuseLocked, afterDelete: cancelForDeletedRecord };
let listening = false;

/** Once per process (several platforms may share one, in tests). */
export function registerApprovalHooks(): void {
  addSaveHooks(hooks);
  if (!listening) addRunListener(cancelForEndedRun);
  listening = true;
}

import type { ApprovalAction } from '../contracts/approvals.ts';
import { AppError } from '../core/app-error.ts';
import type { Ctx } from '../core/context.ts';
import { getRecord } from '../records/service.ts';
import { finish, startFrom, systemOf } from './progress.ts';
import { postEvent } from './publish.ts';
import { summaryOf } from './start.ts';
import { addHistory, isOpen, setApproval, setLevel, type State } from './state.ts';

type Of<A extends ApprovalAction['action']> = Extract<ApprovalAction, { action: A }>;

/** How long after urging an approval the same person may urge it again. */
export const URGE_MINUTES = 5;

const text = (comment: string | undefined) => (comment?.trim() ? comment.trim() : null);

function assertSubmitter(st: State, me: string): void {
  if (st.approval.submitter_id !== me) throw new AppError('APPROVAL_NOT_SUBMITTER', 403);
}

/** 撤回: the submitter takes her request back while it is open; the flow goes on with outcome `recalled`. */
export async function recall(tx: Ctx, st: State, me: string, input: Of<'recall'>): Promise<void> {
  assertSubmitter(st, me);
  if (!isOpen(st.approval)) throw new AppError('APPROVAL_CLOSED', 409, { params: { status: st.approval.status } });
  await addHistory(tx, st, { action: 'recall', actorId: me, comment: text(input.comment) });
  await finish(tx, st, { outcome: 'recalled', by: me, reason: text(input.comment) }, { resume: true });
}

/**
 * A request returned to its submitter goes back to the approvers: from the level that returned it, or
 * from the first (the node's `resubmit`), with its summary as the record is now.
 */
export async function resubmit(tx: Ctx, st: State, me: string, input: Of<'resubmit'>): Promise<void> {
  assertSubmitter(st, me);
  if (st.approval.status !== 'returned') throw new AppError('APPROVAL_NOT_RETURNED', 409, { params: { status: st.approval.status } });
  const from = st.def.resubmit === 'first' ? 0 : (st.approval.returned_stage ?? 0);
  const record = await getRecord(systemOf(tx), st.approval.object, st.approval.record_id).catch(() => null);
  await setApproval(tx, st, { status: 'pending', returned_stage: null, summary: summaryOf(st.def, record) });
  for (const level of st.levels) if (level.stage >= from && level.status !== 'waiting') await setLevel(tx, st, level, { status: 'waiting', finished_at: null });
  await addHistory(tx, st, { action: 'resubmit', actorId: me, comment: text(input.comment) });
  await startFrom(tx, st, from, { strict: false, resume: true, by: me });
}

/** 评论: a remark anyone who sees the approval may add, at any time; it also appears in the thread. */
export async function comment(tx: Ctx, st: State, me: string, input: Of<'comment'>): Promise<void> {
  await addHistory(tx, st, { action: 'comment', actorId: me, comment: input.comment });
  await postEvent(tx, st, 'approval.comment', { authorId: me, mentions: [], body: input.comment });
}

/**
 * 催办: reminds the people whose decision the approval waits for (a mention in the thread notifies
 * them). Its submitter or an administrator may urge, each at most once every few minutes.
 */
export async function urge(tx: Ctx, st: State, me: string, isAdmin: boolean): Promise<void> {
  if (!isAdmin) assertSubmitter(st, me);
  if (st.approval.status !== 'pending') throw new AppError('APPROVAL_CLOSED', 409, { params: { status: st.approval.status } });
  const last = await tx.db.selectFrom('approval_history').select('created_at').where('approval_id', '=', st.approval.id).where('actor_id', '=', me).where('action', '=', 'urge').orderBy('created_at', 'desc').executeTakeFirst();
  const waited = last ? Date.now() - new Date(last.created_at).getTime() : Infinity;
  if (waited < URGE_MINUTES * 60_000) throw new AppError('APPROVAL_URGE_TOO_SOON', 429, { params: { minutes: Math.ceil((URGE_MINUTES * 60_000 - waited) / 60_000) } });
  const waitingFor = [...new Set(st.tasks.filter((t) => t.status === 'pending').map((t) => t.assignee_id))];
  await addHistory(tx, st, { action: 'urge', actorId: me, details: { userIds: waitingFor } });
  await postEvent(tx, st, 'approval.urged', { authorId: me, mentions: waitingFor, details: { userIds: waitingFor } });
}

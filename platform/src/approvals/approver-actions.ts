import type { ApprovalAction } from '../contracts/approvals.ts';
import { AppError } from '../core/app-error.ts';
import type { Ctx } from '../core/context.ts';
import { advanceSeat, letRead, settle, startFrom } from './progress.ts';
import { postEvent } from './publish.ts';
import { activeOnly, assigneeFor } from './resolve.ts';
import { addHistory, addTask, currentTasks, isOpenTask, setApproval, setLevel, setTask, type State, type TaskRow } from './state.ts';

type Of<A extends ApprovalAction['action']> = Extract<ApprovalAction, { action: A }>;

const ACTED = new Set(['approved', 'rejected', 'returned', 'transferred', 'delegated']);

/**
 * The task `me` acts on now. Refusals say why: the approval is over (409), my part in it is done or
 * was decided by others (409), or I have no task to act on at this level (403).
 */
export function myPendingTask(st: State, me: string): TaskRow {
  if (st.approval.status !== 'pending') throw new AppError('APPROVAL_CLOSED', 409, { params: { status: st.approval.status } });
  const mine = st.tasks.filter((t) => t.assignee_id === me);
  const pending = mine.find((t) => t.status === 'pending');
  if (pending) return pending;
  const latest = mine.filter((t) => t.status !== 'queued').sort((a, b) => +new Date(b.created_at) - +new Date(a.created_at))[0];
  if (latest?.status === 'closed') throw new AppError('APPROVAL_TASK_CLOSED', 409);
  if (latest && ACTED.has(latest.status) && !mine.some((t) => t.status === 'queued')) throw new AppError('APPROVAL_ALREADY_ACTED', 409, { params: { status: latest.status } });
  throw new AppError('APPROVAL_NOT_APPROVER', 403);
}

const levelOf = (st: State, task: TaskRow) => st.levels[task.level_idx]!;
const text = (comment: string | undefined) => (comment?.trim() ? comment.trim() : null);

export async function approve(tx: Ctx, st: State, me: string, input: Of<'approve'>): Promise<void> {
  const task = myPendingTask(st, me);
  await setTask(tx, st, task, { status: 'approved', comment: text(input.comment), acted_at: new Date() });
  await addHistory(tx, st, { action: 'approve', actorId: me, levelIdx: task.level_idx, taskId: task.id, comment: text(input.comment), details: { onBehalfOf: task.on_behalf_of } });
  await advanceSeat(tx, st, task.seat);
  await settle(tx, st, me);
}

export async function reject(tx: Ctx, st: State, me: string, input: Of<'reject'>): Promise<void> {
  const reason = text(input.reason);
  const task = myPendingTask(st, me);
  if (!reason) throw new AppError('APPROVAL_REASON_REQUIRED', 400);
  await setTask(tx, st, task, { status: 'rejected', comment: reason, acted_at: new Date() });
  await addHistory(tx, st, { action: 'reject', actorId: me, levelIdx: task.level_idx, taskId: task.id, comment: reason, details: { onBehalfOf: task.on_behalf_of } });
  await settle(tx, st, me);
}

/** Closes every open task; the levels now deciding go back to waiting. */
async function stopCurrent(tx: Ctx, st: State): Promise<void> {
  for (const task of st.tasks) if (isOpenTask(task)) await setTask(tx, st, task, { status: 'closed' });
  for (const level of st.levels) if (level.status === 'active') await setLevel(tx, st, level, { status: 'waiting', finished_at: null });
}

/**
 * Sends the request back: to its submitter, who changes the record (unlocked meanwhile) and resubmits;
 * or to an earlier level, which decides again (and every level after it).
 */
export async function sendBack(tx: Ctx, st: State, me: string, input: Of<'return'>): Promise<void> {
  const task = myPendingTask(st, me);
  const stage = st.approval.stage!;
  const target = input.to === 'submitter' ? null : st.levels.find((l) => l.key === input.to);
  if (input.to !== 'submitter' && (!target || target.stage >= stage)) throw new AppError('APPROVAL_BAD_LEVEL', 400, { params: { level: input.to } });
  await setTask(tx, st, task, { status: 'returned', comment: text(input.comment), acted_at: new Date() });
  await addHistory(tx, st, { action: 'return', actorId: me, levelIdx: task.level_idx, taskId: task.id, comment: text(input.comment), details: { to: input.to } });
  await stopCurrent(tx, st);
  if (!target) {
    await setApproval(tx, st, { status: 'returned', stage: null, returned_stage: stage });
    const submitter = st.approval.submitter_id;
    await postEvent(tx, st, 'approval.returned', { authorId: me, mentions: submitter ? [submitter] : [], details: { reason: text(input.comment) } });
    return;
  }
  for (const level of st.levels) if (level.stage >= target.stage && level.status !== 'waiting') await setLevel(tx, st, level, { status: 'waiting', finished_at: null });
  await startFrom(tx, st, target.stage, { strict: false, resume: true, by: me });
}

/** Someone who may take a task at this level: an active user other than me, without an open task here. */
async function assertMayTake(tx: Ctx, st: State, task: TaskRow, userId: string, me: string): Promise<void> {
  userId = userId.toLowerCase();
  const busy = currentTasks(st, levelOf(st, task)).some((t) => t.assignee_id === userId && isOpenTask(t));
  if (userId === me || busy || (await activeOnly(tx, [userId])).length === 0) throw new AppError('APPROVAL_BAD_USER', 400, { details: { userId } });
}

/** 转交: my task goes to someone else (to her delegate, if she is away), in my place. */
export async function transfer(tx: Ctx, st: State, me: string, input: Of<'transfer'>): Promise<void> {
  const task = myPendingTask(st, me);
  await assertMayTake(tx, st, task, input.to, me);
  const { assignee, onBehalfOf } = await assigneeFor(tx, input.to.toLowerCase());
  await setTask(tx, st, task, { status: 'transferred', comment: text(input.comment), acted_at: new Date() });
  await addTask(tx, st, { level: levelOf(st, task), assignee, onBehalfOf, status: 'pending', seat: task.seat, ord: task.ord, addedBy: me });
  await addHistory(tx, st, { action: 'transfer', actorId: me, levelIdx: task.level_idx, taskId: task.id, comment: text(input.comment), details: { to: input.to, assignee } });
  await letRead(tx, st, [assignee]);
}

/**
 * 加签: another signer in my place's chain. Before me: she decides first, then the task comes back to
 * me. After me: once I approve, she decides too. Either way my place counts as approved only when every
 * signer in it approved; a rejection by any of them is my place's rejection.
 */
export async function addSigner(tx: Ctx, st: State, me: string, input: Of<'add_signer'>): Promise<void> {
  const task = myPendingTask(st, me);
  await assertMayTake(tx, st, task, input.userId, me);
  const { assignee, onBehalfOf } = await assigneeFor(tx, input.userId.toLowerCase());
  const later = st.tasks.filter((t) => t.seat === task.seat && t.id !== task.id && isOpenTask(t) && t.ord > task.ord).sort((a, b) => b.ord - a.ord);
  for (const t of later) await setTask(tx, st, t, { ord: t.ord + 1 });
  const level = levelOf(st, task);
  if (input.position === 'before') {
    const ord = task.ord;
    await setTask(tx, st, task, { status: 'queued', ord: ord + 1 });
    await addTask(tx, st, { level, assignee, onBehalfOf, status: 'pending', seat: task.seat, ord, addedBy: me });
  } else {
    await addTask(tx, st, { level, assignee, onBehalfOf, status: 'queued', seat: task.seat, ord: task.ord + 1, addedBy: me });
  }
  await addHistory(tx, st, { action: 'add_signer', actorId: me, levelIdx: task.level_idx, taskId: task.id, comment: text(input.comment), details: { userId: input.userId, assignee, position: input.position } });
  await letRead(tx, st, [assignee]);
}

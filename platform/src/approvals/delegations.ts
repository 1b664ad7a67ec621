import { v7 as uuidv7 } from 'uuid';
import { appendAudit } from '../audit/index.ts';
import type { ApprovalDelegation, CreateDelegation } from '../contracts/approvals.ts';
import { AppError } from '../core/app-error.ts';
import { inTransaction, systemCtx, type Ctx } from '../core/context.ts';
import { requireUser } from '../core/guards.ts';
import type { Selectable } from 'kysely';
import type { WorkspaceDB } from '../db/tables.ts';
import type { JobQueue } from '../jobs/index.ts';
import { letRead } from './progress.ts';
import { publish } from './publish.ts';
import { activeOnly, assigneeFor } from './resolve.ts';
import { addHistory, addTask, isOpenTask, lockApproval, setTask } from './state.ts';

/** Moves a delegator's open tasks to her delegate when a delegation set for later begins. */
export const DELEGATION_JOB = 'approvals.delegation';

const toDelegation = (r: Selectable<WorkspaceDB['approval_delegations']>): ApprovalDelegation => ({
  id: r.id,
  userId: r.user_id,
  delegateId: r.delegate_id,
  startsAt: new Date(r.starts_at).toISOString(),
  endsAt: new Date(r.ends_at).toISOString(),
  reason: r.reason,
  createdAt: new Date(r.created_at).toISOString(),
});

/** My delegations that have not ended yet, soonest first. */
export async function listDelegations(ctx: Ctx): Promise<{ items: ApprovalDelegation[] }> {
  const me = requireUser(ctx).userId;
  const rows = await ctx.db.selectFrom('approval_delegations').selectAll().where('user_id', '=', me).where('ends_at', '>', new Date()).orderBy('starts_at').execute();
  return { items: rows.map(toDelegation) };
}

/**
 * "While I am away from D1 to D2, my approvals go to X": approvers are resolved through it while it
 * runs, and my open tasks move to X when it begins (now, or by a job at D1).
 */
export async function createDelegation(ctx: Ctx, input: CreateDelegation): Promise<ApprovalDelegation> {
  const me = requireUser(ctx).userId;
  const delegateId = input.delegateId.toLowerCase();
  const startsAt = new Date(input.startsAt);
  const endsAt = new Date(input.endsAt);
  const valid = delegateId !== me && endsAt > startsAt && endsAt.getTime() > Date.now() && (await activeOnly(ctx, [delegateId])).length === 1;
  if (!valid) throw new AppError('APPROVAL_DELEGATION_INVALID', 400, { details: { delegateId } });
  const row = await inTransaction(ctx, async (tx) => {
    const created = await tx.db
      .insertInto('approval_delegations')
      .values({ id: uuidv7(), user_id: me, delegate_id: delegateId, starts_at: startsAt, ends_at: endsAt, reason: input.reason ?? null })
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendAudit(tx, { action: 'approval.delegation.create', targetType: 'approval_delegation', targetId: created.id, details: { delegateId, startsAt: input.startsAt, endsAt: input.endsAt } });
    if (startsAt.getTime() > Date.now()) await tx.platform.jobs.send(tx, DELEGATION_JOB, { workspaceId: tx.workspace.id, jobId: created.id }, { startAfter: startsAt });
    return created;
  });
  if (startsAt.getTime() <= Date.now()) await moveOpenTasks(ctx, me);
  return toDelegation(row);
}

/** Ends a delegation of mine (an administrator may end anyone's); tasks already moved stay where they are. */
export async function deleteDelegation(ctx: Ctx, id: string): Promise<void> {
  const user = requireUser(ctx);
  await inTransaction(ctx, async (tx) => {
    const row = await tx.db.selectFrom('approval_delegations').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row || (row.user_id !== user.userId && !user.isAdmin)) throw new AppError('APPROVAL_DELEGATION_NOT_FOUND', 404);
    await tx.db.deleteFrom('approval_delegations').where('id', '=', id).execute();
    await appendAudit(tx, { action: 'approval.delegation.delete', targetType: 'approval_delegation', targetId: id, details: { userId: row.user_id, delegateId: row.delegate_id } });
  });
}

/** Moves `userId`'s open tasks in pending approvals to whoever acts for her now, one approval per transaction. */
export async function moveOpenTasks(ctx: Ctx, userId: string): Promise<void> {
  const open = await ctx.db
    .selectFrom('approval_tasks as t')
    .innerJoin('approvals as a', 'a.id', 't.approval_id')
    .select('t.approval_id')
    .distinct()
    .where('t.assignee_id', '=', userId)
    .where('t.status', 'in', ['pending', 'queued'])
    .where('a.status', '=', 'pending')
    .execute();
  for (const { approval_id } of open) {
    await inTransaction(ctx, async (tx) => {
      const st = await lockApproval(tx, approval_id);
      if (!st || st.approval.status !== 'pending') return;
      const { assignee } = await assigneeFor(tx, userId);
      if (assignee === userId) return;
      for (const task of st.tasks.filter((t) => t.assignee_id === userId && isOpenTask(t))) {
        const status = task.status as 'pending' | 'queued';
        await setTask(tx, st, task, { status: 'delegated', acted_at: new Date() });
        await addTask(tx, st, { level: st.levels[task.level_idx]!, assignee, onBehalfOf: task.on_behalf_of ?? userId, status, seat: task.seat, ord: task.ord, addedBy: task.added_by });
        await addHistory(tx, st, { action: 'delegate', actorId: null, levelIdx: task.level_idx, taskId: task.id, details: { from: userId, to: assignee } });
      }
      await letRead(tx, st, [assignee]);
      await publish(tx, st);
    });
  }
}

export function registerApprovalJobs(queue: JobQueue): void {
  queue.register(DELEGATION_JOB, async (platform, message) => {
    const workspace = platform.workspaces.list().find((w) => w.id === message.workspaceId);
    if (!workspace) return;
    const ctx = systemCtx(platform, workspace);
    const row = await ctx.db.selectFrom('approval_delegations').select(['user_id', 'ends_at']).where('id', '=', message.jobId).executeTakeFirst();
    if (row && new Date(row.ends_at).getTime() > Date.now()) await moveOpenTasks(ctx, row.user_id);
  });
}

import { accessOfUser, readableRecords, shareRecord } from '../access/index.ts';
import type { Ctx } from '../core/context.ts';
import { errorFields } from '../core/logger.ts';
import { evaluate, resumeStep } from '../flows/index.ts';
import { publishedObject } from '../meta/index.ts';
import { getActorProfile } from '../org/index.ts';
import { getRecord } from '../records/service.ts';
import { addFollowers, addThreadFollowers } from '../threads/index.ts';
import { postEvent } from './publish.ts';
import { activeOnly, approversOf, assigneeFor, roleHolders } from './resolve.ts';
import { addHistory, addTask, currentTasks, isOpenTask, setApproval, setLevel, setTask, type LevelRow, type Outcome, type State } from './state.ts';

/** Approvals act as the system: reading the record whole, sharing it with approvers. */
export const systemOf = (tx: Ctx): Ctx => ({ ...tx, actor: { kind: 'system' } });

type Scope = { record: Record<string, unknown> | null; steps: Record<string, unknown> };

/** What level conditions and expression approvers see: the record as it is now, the steps before the approval. */
async function scopeOf(tx: Ctx, st: State): Promise<Scope> {
  const record = st.threadGone ? null : await getRecord(systemOf(tx), st.approval.object, st.approval.record_id).catch(() => null);
  return { record, steps: st.approval.scope_steps };
}

/** The flow step's output when the approval ends: a condition after it branches on `outcome`. */
export const outputOf = (st: State) => ({ approvalId: st.approval.id, ...(st.approval.outcome as Outcome) });

/**
 * Ends the approval: open tasks close, the flow's step resumes with the outcome (unless `resume` is off:
 * the step is not waiting yet, or its run is being cancelled), and the thread hears it.
 */
export async function finish(tx: Ctx, st: State, outcome: Outcome, options: { resume: boolean }): Promise<void> {
  const now = new Date();
  for (const task of st.tasks) if (isOpenTask(task)) await setTask(tx, st, task, { status: 'closed' });
  for (const level of st.levels) if (level.status === 'active') await setLevel(tx, st, level, { status: 'cancelled', finished_at: now });
  await setApproval(tx, st, { status: outcome.outcome, stage: null, outcome, finished_at: now });
  await addHistory(tx, st, { action: outcome.outcome, actorId: null, details: { by: outcome.by } });
  if (!st.threadGone) {
    const submitter = st.approval.submitter_id;
    await postEvent(tx, st, 'approval.outcome', { authorId: outcome.by, mentions: submitter && submitter !== outcome.by ? [submitter] : [], details: { outcome: outcome.outcome, reason: outcome.reason } });
  }
  if (options.resume && st.approval.step_id) await resumeStep(tx, st.approval.step_id, outputOf(st));
}

/** People asked to act may read the record (a read share, audited, when they could not) and follow its thread. */
export async function letRead(tx: Ctx, st: State, userIds: string[]): Promise<void> {
  if (st.threadGone || userIds.length === 0) return;
  const object = await publishedObject(tx, st.approval.object);
  const recordId = st.approval.record_id;
  for (const id of new Set(userIds)) {
    const profile = await getActorProfile(tx, id);
    if (!profile) continue;
    const access = await accessOfUser(tx, id, object, profile.isAdmin);
    if ((await readableRecords(tx, access, [recordId])).has(recordId)) continue;
    await shareRecord(systemOf(tx), object.name, recordId, { grantee: { kind: 'user', id }, access: 'read' });
  }
  const threadId = st.approval.thread_id;
  await (threadId ? addThreadFollowers(tx, threadId, userIds) : addFollowers(tx, object.name, recordId, userIds));
}

/**
 * Starts a level: skipped when its condition is false or its rules name nobody (unless it then asks the
 * administrators), else a pending task per approver, delegations applied. `strict`: an expression that
 * fails throws (in the flow's step, which retries and then needs attention); otherwise the level applies
 * and its expression approvers are left out, so that one person's action never fails on an admin's expression.
 */
async function startLevel(tx: Ctx, st: State, level: LevelRow, scope: Scope, strict: boolean): Promise<void> {
  const def = st.def.levels[level.idx]!;
  const expressions = [...(def.condition !== undefined ? [def.condition] : []), ...def.approvers.flatMap((r) => (r.kind === 'expression' ? [r.expression] : []))];
  let values: unknown[] = [];
  if (expressions.length) {
    try {
      values = await evaluate(tx, expressions, scope);
    } catch (error) {
      if (strict) throw error;
      tx.platform.log.warn('approval level expression failed', { approval: st.approval.id, level: level.key, ...errorFields(error) });
    }
  }
  const now = new Date();
  const skip = async (reason: string) => {
    await setLevel(tx, st, level, { status: 'skipped', started_at: now, finished_at: now });
    await addHistory(tx, st, { action: 'level_skipped', actorId: null, levelIdx: level.idx, details: { reason } });
  };
  if (def.condition !== undefined && values.length > 0 && values[0] !== true) return skip('condition');
  const computed = def.condition !== undefined ? values.slice(1) : values;
  let people = await approversOf(tx, def.approvers, { submitter: st.approval.submitter_id, record: scope.record, computed });
  if (people.length === 0 && def.whenEmpty === 'admins') people = await activeOnly(tx, await roleHolders(tx, 'admin'));
  if (people.length === 0) return skip('no_approvers');
  const seats = new Map<string, string | null>();
  for (const person of people) {
    const { assignee, onBehalfOf } = await assigneeFor(tx, person);
    if (!seats.has(assignee)) seats.set(assignee, onBehalfOf);
  }
  const needed = def.mode === 'any' ? 1 : def.mode === 'all' ? seats.size : Math.min(def.count!, seats.size);
  await setLevel(tx, st, level, { status: 'active', round: level.round + 1, needed, started_at: now, finished_at: null });
  for (const [assignee, onBehalfOf] of seats) await addTask(tx, st, { level, assignee, onBehalfOf, status: 'pending' });
  await letRead(tx, st, [...seats.keys()]);
}

/** `scope`: the record and steps as the caller has just read them in this transaction, if it has. */
export type Moving = { strict: boolean; resume: boolean; by: string | null; scope?: Scope };

/**
 * Starts the first stage from `stage` on that has a level to decide; past the last stage, the approval
 * is approved. The record is read once for every level started here.
 */
export async function startFrom(tx: Ctx, st: State, stage: number, moving: Moving): Promise<void> {
  const stages = Math.max(...st.levels.map((l) => l.stage)) + 1;
  let scope: Scope | null = moving.scope ?? null;
  for (let s = stage; s < stages; s++) {
    await setApproval(tx, st, { stage: s });
    scope ??= await scopeOf(tx, st);
    for (const level of st.levels.filter((l) => l.stage === s)) await startLevel(tx, st, level, scope, moving.strict);
    if (st.levels.some((l) => l.stage === s && l.status === 'active')) return;
  }
  await finish(tx, st, { outcome: 'approved', by: moving.by, reason: null }, { resume: moving.resume });
}

/** Where a level stands: approved once enough seats approve; rejected when it no longer can be (any, all: at the first rejection). */
function decide(st: State, level: LevelRow): 'approved' | 'rejected' | null {
  const live = currentTasks(st, level).filter((t) => t.status !== 'transferred' && t.status !== 'delegated');
  let approved = 0;
  let rejected = 0;
  let open = 0;
  for (const seat of Map.groupBy(live, (t) => t.seat).values()) {
    if (seat.some((t) => t.status === 'rejected')) rejected++;
    else if (seat.some(isOpenTask)) open++;
    else if (seat.some((t) => t.status === 'approved')) approved++;
  }
  const needed = level.needed ?? 1;
  if (approved >= needed) return 'approved';
  if (st.def.levels[level.idx]!.mode === 'count' ? approved + open < needed : rejected > 0) return 'rejected';
  return null;
}

/**
 * After a task changed: decides the active levels, then either rejects the approval, waits for the rest
 * of the stage, or starts the next stage (approving the approval past the last one).
 */
export async function settle(tx: Ctx, st: State, by: string | null): Promise<void> {
  const now = new Date();
  for (const level of st.levels.filter((l) => l.status === 'active')) {
    const decision = decide(st, level);
    if (decision === 'approved') {
      for (const task of currentTasks(st, level)) if (isOpenTask(task)) await setTask(tx, st, task, { status: 'closed' });
      await setLevel(tx, st, level, { status: 'approved', finished_at: now });
    } else if (decision === 'rejected') {
      await setLevel(tx, st, level, { status: 'rejected', finished_at: now });
      const last = currentTasks(st, level).filter((t) => t.status === 'rejected').sort((a, b) => +new Date(b.acted_at!) - +new Date(a.acted_at!))[0];
      return finish(tx, st, { outcome: 'rejected', by: last?.assignee_id ?? by, reason: last?.comment ?? null }, { resume: true });
    }
  }
  const stage = st.approval.stage;
  if (st.approval.status !== 'pending' || stage === null || st.levels.some((l) => l.stage === stage && l.status === 'active')) return;
  await startFrom(tx, st, stage + 1, { strict: false, resume: true, by });
}

/** The next signer of a seat (加签) gets the task once the one before her has approved. */
export async function advanceSeat(tx: Ctx, st: State, seat: string): Promise<void> {
  const next = st.tasks.filter((t) => t.seat === seat && t.status === 'queued').sort((a, b) => a.ord - b.ord)[0];
  if (next && !st.tasks.some((t) => t.seat === seat && t.status === 'pending')) {
    await setTask(tx, st, next, { status: 'pending' });
    st.assigned.push(next.assignee_id);
    await letRead(tx, st, [next.assignee_id]);
  }
}

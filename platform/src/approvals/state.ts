import { sql, type Selectable, type Updateable } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { ApprovalNodeData, ApprovalOutcome } from '../contracts/approvals.ts';
import type { Ctx } from '../core/context.ts';
import { jsonb, type WorkspaceDB } from '../db/tables.ts';

export type ApprovalRow = Selectable<WorkspaceDB['approvals']>;
export type LevelRow = Selectable<WorkspaceDB['approval_levels']>;
export type TaskRow = Selectable<WorkspaceDB['approval_tasks']>;
export type Outcome = { outcome: ApprovalOutcome; by: string | null; reason: string | null };

/**
 * One approval as an action works on it: its row, levels and tasks, read under the row's lock and kept
 * in step with every write (see `setApproval`, `setLevel`, `setTask`, `addTask`). `assigned` collects the
 * people newly asked to act, whom `publish` notifies; `dirty` says the card must be redrawn.
 */
export type State = {
  approval: ApprovalRow;
  def: ApprovalNodeData;
  levels: LevelRow[];
  tasks: TaskRow[];
  assigned: string[];
  dirty: boolean;
  /** The record and its thread are gone (a delete): nothing is posted. */
  threadGone: boolean;
};

export const isOpenTask = (t: TaskRow) => t.status === 'pending' || t.status === 'queued';
export const isOpen = (a: ApprovalRow) => a.status === 'pending' || a.status === 'returned';

async function stateOf(tx: Ctx, approval: ApprovalRow | undefined): Promise<State | null> {
  if (!approval) return null;
  // Levels and tasks in one statement of their own, after the row's lock: a statement that took the lock
  // too would, after waiting for it, still read them as they were before the other action committed.
  const table = (name: 'approval_levels' | 'approval_tasks') => sql.table(`${tx.workspace.schemas.system}.${name}`);
  const { rows } = await sql<{ levels: LevelRow[]; tasks: TaskRow[] }>`
    select
      (select coalesce(jsonb_agg(l order by l.idx), '[]') from ${table('approval_levels')} l where l.approval_id = ${approval.id}) as levels,
      (select coalesce(jsonb_agg(t order by t.level_idx, t.round, t.seat, t.ord, t.created_at, t.id), '[]') from ${table('approval_tasks')} t where t.approval_id = ${approval.id}) as tasks`.execute(tx.db);
  const levels = rows[0]!.levels.map((l) => ({ ...l, started_at: asDate(l.started_at), finished_at: asDate(l.finished_at) }));
  const tasks = rows[0]!.tasks.map((t) => ({ ...t, created_at: asDate(t.created_at)!, acted_at: asDate(t.acted_at) }));
  return { approval, def: approval.definition as ApprovalNodeData, levels, tasks, assigned: [], dirty: false, threadGone: false };
}

/** A timestamp from JSON (text) as the driver gives it from a column. */
const asDate = (value: Date | string | null) => (value === null ? null : new Date(value));

/** The approval with its row locked until commit: every change to an approval runs one at a time. */
export async function lockApproval(tx: Ctx, id: string): Promise<State | null> {
  return stateOf(tx, await tx.db.selectFrom('approvals').selectAll().where('id', '=', id).forUpdate().executeTakeFirst());
}

export async function readApproval(ctx: Ctx, id: string): Promise<State | null> {
  return stateOf(ctx, await ctx.db.selectFrom('approvals').selectAll().where('id', '=', id).executeTakeFirst());
}

const JSON_COLUMNS = ['definition', 'scope_steps', 'summary', 'outcome'] as const;

/** Changes the approval's row and its copy in `st`; jsonb columns are given as plain values. */
export async function setApproval(tx: Ctx, st: State, patch: Partial<Omit<ApprovalRow, 'id' | 'created_at' | 'updated_at'>>): Promise<void> {
  const now = new Date();
  const set: Record<string, unknown> = { ...patch, updated_at: now };
  for (const column of JSON_COLUMNS) if (patch[column] !== undefined && patch[column] !== null) set[column] = jsonb(patch[column]);
  await tx.db.updateTable('approvals').set(set as Updateable<WorkspaceDB['approvals']>).where('id', '=', st.approval.id).execute();
  Object.assign(st.approval, patch, { updated_at: now });
  st.dirty = true;
}

export async function setLevel(tx: Ctx, st: State, level: LevelRow, patch: Partial<Omit<LevelRow, 'approval_id' | 'idx'>>): Promise<void> {
  await tx.db.updateTable('approval_levels').set(patch).where('approval_id', '=', level.approval_id).where('idx', '=', level.idx).execute();
  Object.assign(level, patch);
  st.dirty = true;
}

export async function setTask(tx: Ctx, st: State, task: TaskRow, patch: Partial<Pick<TaskRow, 'status' | 'comment' | 'acted_at' | 'ord'>>): Promise<void> {
  await tx.db.updateTable('approval_tasks').set(patch).where('id', '=', task.id).execute();
  Object.assign(task, patch);
  st.dirty = true;
}

export type NewTask = { level: LevelRow; assignee: string; onBehalfOf: string | null; status: 'pending' | 'queued'; seat?: string; ord?: number; addedBy?: string | null };

/** A task for someone; a new seat (one approver's place in the level) unless it joins one. */
export async function addTask(tx: Ctx, st: State, task: NewTask): Promise<TaskRow> {
  const id = uuidv7();
  const row: TaskRow = {
    id,
    approval_id: st.approval.id,
    level_idx: task.level.idx,
    round: task.level.round,
    seat: task.seat ?? id,
    ord: task.ord ?? 0,
    assignee_id: task.assignee,
    on_behalf_of: task.onBehalfOf,
    added_by: task.addedBy ?? null,
    status: task.status,
    comment: null,
    created_at: new Date(),
    acted_at: null,
  };
  await tx.db.insertInto('approval_tasks').values(row).execute();
  st.tasks.push(row);
  if (task.status === 'pending') st.assigned.push(task.assignee);
  st.dirty = true;
  return row;
}

export type HistoryEntry = { action: string; actorId: string | null; levelIdx?: number | null; taskId?: string | null; comment?: string | null; details?: Record<string, unknown> };

export async function addHistory(tx: Ctx, st: State, entry: HistoryEntry): Promise<void> {
  await tx.db
    .insertInto('approval_history')
    .values({
      id: uuidv7(),
      approval_id: st.approval.id,
      actor_id: entry.actorId,
      action: entry.action,
      level_idx: entry.levelIdx ?? null,
      task_id: entry.taskId ?? null,
      comment: entry.comment ?? null,
      details: jsonb(entry.details ?? {}),
    })
    .execute();
}

const bySigningOrder = (a: TaskRow, b: TaskRow) => (a.seat === b.seat ? a.ord - b.ord || +new Date(a.created_at) - +new Date(b.created_at) || (a.id < b.id ? -1 : 1) : a.seat < b.seat ? -1 : 1);

/**
 * The tasks of a level's latest round, the ones its card shows and its decision counts: place by place
 * (in the order the places were made), each place's signers in the order they sign.
 */
export const currentTasks = (st: State, level: LevelRow) => st.tasks.filter((t) => t.level_idx === level.idx && t.round === level.round).sort(bySigningOrder);

/** Levels grouped into stages: neighbours with the same group run together. */
export function stagesOf(def: ApprovalNodeData): number[] {
  let stage = -1;
  return def.levels.map((level, i) => {
    const previous = def.levels[i - 1];
    if (i === 0 || level.group === undefined || previous?.group !== level.group) stage++;
    return stage;
  });
}

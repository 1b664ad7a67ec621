import { v7 as uuidv7 } from 'uuid';
import type { LocalisedText } from '../contracts/api-names.ts';
import type { ApprovalNodeData } from '../contracts/approvals.ts';
import { AppError } from '../core/app-error.ts';
import type { Ctx } from '../core/context.ts';
import { jsonb } from '../db/tables.ts';
import { fillTemplate } from '../flows/index.ts';
import { publishedObject } from '../meta/index.ts';
import { getActorProfile } from '../org/index.ts';
import { recordThread } from '../threads/index.ts';
import { outputOf, startFrom, systemOf } from './progress.ts';
import { postCard, publish } from './publish.ts';
import { addHistory, isOpen, lockApproval, setApproval, stagesOf, type ApprovalRow, type State } from './state.ts';

export type NewApproval = {
  flow: string;
  runId: string;
  stepId: string | null;
  nodeId: string;
  object: string;
  recordId: string;
  title: string;
  submitterId: string | null;
  definition: ApprovalNodeData;
};

/** Refuses a second open approval of a record (the unique index stays the backstop for two at once). */
export async function assertNoOpenApproval(tx: Ctx, object: string, recordId: string): Promise<void> {
  const open = await tx.db.selectFrom('approvals').select('id').where('object', '=', object).where('record_id', '=', recordId).where('status', 'in', ['pending', 'returned']).executeTakeFirst();
  if (open) throw new AppError('APPROVAL_ALREADY_PENDING', 409, { details: { approvalId: open.id } });
}

/** What the approval step knows of an approval before its first level starts. */
type StepDetails = Pick<ApprovalRow, 'step_id' | 'title' | 'thread_id'> & { scope_steps: Record<string, unknown>; summary: Record<string, unknown> };

/**
 * An approval and its levels, all waiting; answers it locked (the row is this transaction's own), built
 * from what the inserts return rather than read back.
 */
export async function insertApproval(tx: Ctx, input: NewApproval, details?: StepDetails): Promise<State> {
  await assertNoOpenApproval(tx, input.object, input.recordId);
  const approval = await tx.db
    .insertInto('approvals')
    .values({
      id: uuidv7(),
      flow: input.flow,
      run_id: input.runId,
      step_id: details?.step_id ?? input.stepId,
      node_id: input.nodeId,
      object: input.object,
      record_id: input.recordId,
      title: details?.title ?? input.title,
      submitter_id: input.submitterId,
      status: 'pending',
      definition: jsonb(input.definition),
      scope_steps: jsonb(details?.scope_steps ?? {}),
      summary: jsonb(details?.summary ?? {}),
      stage: null,
      returned_stage: null,
      thread_id: details?.thread_id ?? null,
      card_message_id: null,
      outcome: null,
      finished_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
    .catch((error: unknown) => {
      if ((error as { code?: string }).code === '23505') throw new AppError('APPROVAL_ALREADY_PENDING', 409);
      throw error;
    });
  const stages = stagesOf(input.definition);
  const levels = await tx.db
    .insertInto('approval_levels')
    .values(input.definition.levels.map((level, idx) => ({ approval_id: approval.id, idx, key: level.id, stage: stages[idx]!, status: 'waiting' as const, needed: null, started_at: null, finished_at: null })))
    .returningAll()
    .execute();
  return { approval, def: input.definition, levels: levels.sort((a, b) => a.idx - b.idx), tasks: [], assigned: [], dirty: false, threadGone: false };
}

/** The summary fields' values now, for the approvers to see what they approve. */
export function summaryOf(def: ApprovalNodeData, record: Record<string, unknown> | null): Record<string, unknown> {
  return Object.fromEntries(def.summaryFields.map((f) => [f, record?.[f] ?? null]));
}

export type ApprovalStep = {
  run: { id: string; flow: string; label: LocalisedText; object: string; recordId: string; startedBy: string | null };
  stepId: string;
  node: { id: string; data: ApprovalNodeData };
  scope: { record: Record<string, unknown> | null; steps: Record<string, unknown> };
};

async function titleOf(tx: Ctx, input: ApprovalStep, submitter: string | null): Promise<string> {
  if (input.node.data.title) return (await fillTemplate(tx, input.node.data.title, input.scope)).slice(0, 200) || input.run.flow;
  const locale = (submitter ? (await getActorProfile(tx, submitter))?.locale : null) ?? tx.locale;
  const object = await publishedObject(tx, input.run.object);
  const name = input.scope.record?.[object.recordName];
  return [input.run.label[locale], name].filter((part) => part !== null && part !== undefined && part !== '').join(' · ').slice(0, 200);
}

/**
 * The approval node's work, in its step's transaction: it takes up the approval its run was submitted
 * with (`submitForApproval`) or opens one, starts the first level and posts the card. The step then waits
 * for the outcome (`{ awaitEvent: true }`), unless the approval is already over: every level skipped, or
 * recalled before the step ran.
 */
export async function approvalStep(tx: Ctx, input: ApprovalStep): Promise<{ awaitEvent: true } | { output: unknown }> {
  const { run, node, scope } = input;
  // One its run was submitted with; a cancelled one (its run failed before this step, which an
  // administrator now retries) gives way to a new approval.
  const reserved = await tx.db
    .selectFrom('approvals')
    .select('id')
    .where('run_id', '=', run.id)
    .where('node_id', '=', node.id)
    .where('step_id', 'is', null)
    .where('status', '!=', 'cancelled')
    .executeTakeFirst();
  const submitter = run.startedBy ?? ((scope.record?.owner as string | null | undefined) ?? null);
  const details = async (submitterId: string | null): Promise<StepDetails> => ({
    step_id: input.stepId,
    title: await titleOf(tx, input, submitterId),
    scope_steps: scope.steps,
    summary: summaryOf(node.data, scope.record),
    thread_id: await recordThread(systemOf(tx), run.object, run.recordId),
  });
  let st: State;
  if (reserved) {
    st = (await lockApproval(tx, reserved.id))!;
    if (!isOpen(st.approval)) return { output: outputOf(st) };
    await setApproval(tx, st, await details(st.approval.submitter_id));
  } else {
    st = await insertApproval(tx, { flow: run.flow, runId: run.id, stepId: input.stepId, nodeId: node.id, object: run.object, recordId: run.recordId, title: run.flow, submitterId: submitter, definition: node.data }, await details(submitter));
    await addHistory(tx, st, { action: 'submit', actorId: submitter });
  }
  // The record as the step read it, moments ago in this transaction.
  await startFrom(tx, st, 0, { strict: true, resume: false, by: null, scope: { record: scope.record, steps: st.approval.scope_steps } });
  await postCard(tx, st);
  await publish(tx, st);
  return isOpen(st.approval) ? { awaitEvent: true } : { output: outputOf(st) };
}

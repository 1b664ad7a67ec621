import { accessTo, readableRecords } from '../access/index.ts';
import { appendAudit } from '../audit/index.ts';
import type { SubmitApproval } from '../contracts/approvals.ts';
import { firstApproval, type FlowDefinition } from '../contracts/flow-definitions.ts';
import { AppError } from '../core/app-error.ts';
import { inTransaction, type Ctx } from '../core/context.ts';
import { requireUser } from '../core/guards.ts';
import { startRun } from '../flows/index.ts';
import { publishedObject, publishedObjects } from '../meta/index.ts';
import { insertApproval } from './start.ts';
import { addHistory } from './state.ts';

/** The object's approval flows: active, started by hand on its records, with an approval as first step. */
export async function approvalFlows(ctx: Ctx, object: string): Promise<{ flows: FlowDefinition[]; version: number }> {
  const { flows, version } = await publishedObjects(ctx);
  return { flows: flows.filter((f) => f.active && f.trigger.type === 'manual' && f.trigger.object === object && firstApproval(f)), version };
}

/**
 * "Submit for approval" on a record: starts the object's approval flow on it, by its owner (or whoever
 * may modify every record of the object). The approval exists, and locks the record, from this
 * transaction on; the flow's approval step, a moment later, asks its first approvers and posts its card.
 */
export async function submitForApproval(ctx: Ctx, input: SubmitApproval): Promise<string> {
  const user = requireUser(ctx);
  const object = await publishedObject(ctx, input.object);
  const access = await accessTo(ctx, object);
  const owners = await readableRecords(ctx, access, [input.recordId]);
  if (!owners.has(input.recordId)) throw new AppError('RECORD_NOT_FOUND', 404);
  if (owners.get(input.recordId) !== user.userId && !access.effective.modifyAll) throw new AppError('APPROVAL_SUBMIT_FORBIDDEN', 403, { params: { object: object.name } });
  const { flows, version } = await approvalFlows(ctx, object.name);
  const candidates = input.flow ? flows.filter((f) => f.name === input.flow) : flows;
  if (candidates.length === 0) throw new AppError('APPROVAL_NO_FLOW', 404, { params: { object: object.name } });
  if (candidates.length > 1) throw new AppError('APPROVAL_FLOW_AMBIGUOUS', 400, { params: { object: object.name, flows: candidates.map((f) => f.name).join(', ') } });
  const flow = candidates[0]!;
  const node = firstApproval(flow)!;
  return inTransaction(ctx, async (tx) => {
    const runId = await startRun(tx, flow, version, { trigger: { kind: 'manual', by: user.userId, approval: true }, object: object.name, recordId: input.recordId, startedBy: user.userId });
    const st = await insertApproval(tx, { flow: flow.name, runId, stepId: null, nodeId: node.id, object: object.name, recordId: input.recordId, title: flow.label[ctx.locale], submitterId: user.userId, definition: node.data });
    await addHistory(tx, st, { action: 'submit', actorId: user.userId });
    await appendAudit(tx, { action: 'approval.submit', targetType: 'approval', targetId: st.approval.id, details: { flow: flow.name, object: object.name, recordId: input.recordId, runId } });
    return st.approval.id;
  });
}

import { appendAudit } from '../audit/index.ts';
import type { Approval, ApprovalAction } from '../contracts/approvals.ts';
import { AppError } from '../core/app-error.ts';
import { inTransaction, type Ctx } from '../core/context.ts';
import { requireUser } from '../core/guards.ts';
import { addSigner, approve, reject, sendBack, transfer } from './approver-actions.ts';
import { publish } from './publish.ts';
import { lockApproval, type State } from './state.ts';
import { comment, recall, resubmit, urge } from './submitter-actions.ts';
import { mayView, presentApproval } from './view.ts';

function run(tx: Ctx, st: State, me: string, isAdmin: boolean, action: ApprovalAction): Promise<void> {
  switch (action.action) {
    case 'approve':
      return approve(tx, st, me, action);
    case 'reject':
      return reject(tx, st, me, action);
    case 'return':
      return sendBack(tx, st, me, action);
    case 'transfer':
      return transfer(tx, st, me, action);
    case 'add_signer':
      return addSigner(tx, st, me, action);
    case 'resubmit':
      return resubmit(tx, st, me, action);
    case 'recall':
      return recall(tx, st, me, action);
    case 'comment':
      return comment(tx, st, me, action);
    case 'urge':
      return urge(tx, st, me, isAdmin);
  }
}

/**
 * One person's action on an approval, over HTTP or the socket: in one transaction under the approval's
 * row lock, so two people acting at once are taken one after the other and the second sees what the
 * first did. The action, its audit entry, the card's redraw and the messages it posts commit together.
 */
export async function actOnApproval(ctx: Ctx, id: string, action: ApprovalAction): Promise<Approval> {
  const user = requireUser(ctx);
  return inTransaction(ctx, async (tx) => {
    const st = await lockApproval(tx, id);
    if (!st || !(await mayView(tx, st))) throw new AppError('APPROVAL_NOT_FOUND', 404);
    await run(tx, st, user.userId, user.isAdmin, action);
    await publish(tx, st);
    // As this action left it, from what the transaction holds: read again, it would be three more statements.
    const view = await presentApproval(tx, st);
    // Last: the audit log's lock is held until commit and keeps every other audited write waiting.
    const { action: name, ...input } = action;
    await appendAudit(tx, { action: `approval.${name}`, targetType: 'approval', targetId: id, details: { ...input, status: st.approval.status, object: st.approval.object, recordId: st.approval.record_id } });
    return view;
  });
}

import type { ApprovalCard, ApprovalLevel } from '../contracts/approvals.ts';
import type { Ctx } from '../core/context.ts';
import { appendMessage, updateCardMessage } from '../threads/index.ts';
import { currentTasks, setApproval, type Outcome, type State } from './state.ts';

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

/** The levels as the card and the API show them: each with the tasks of its latest round. */
export function levelsOf(st: State): ApprovalLevel[] {
  return st.levels.map((level) => {
    const def = st.def.levels[level.idx]!;
    return {
      index: level.idx,
      id: level.key,
      label: def.label ?? null,
      group: def.group ?? null,
      mode: def.mode,
      needed: level.needed,
      status: level.status,
      tasks: currentTasks(st, level).map((t) => ({
        id: t.id,
        userId: t.assignee_id,
        onBehalfOf: t.on_behalf_of,
        addedBy: t.added_by,
        status: t.status,
        comment: t.comment,
        actedAt: iso(t.acted_at),
      })),
    };
  });
}

export function cardOf(st: State): ApprovalCard {
  const a = st.approval;
  return {
    event: 'approval.card',
    approvalId: a.id,
    title: a.title,
    status: a.status,
    submitterId: a.submitter_id,
    summaryFields: st.def.summaryFields,
    levels: levelsOf(st),
    outcome: (a.outcome as Outcome | null) ?? null,
  };
}

type EventMessage = { authorId: string | null; mentions: string[]; body?: string; details?: Record<string, unknown> };

/**
 * A system message about the approval in the record's thread (`payload.event` says what happened;
 * clients word it in the reader's language). Its body is the approval's title unless given: search
 * finds it, and the people it mentions are notified.
 */
export async function postEvent(tx: Ctx, st: State, event: string, message: EventMessage): Promise<void> {
  if (st.threadGone || !st.approval.thread_id) return;
  await appendMessage(tx, st.approval.thread_id, {
    kind: 'system',
    authorId: message.authorId,
    body: message.body ?? st.approval.title,
    mentions: [...new Set(message.mentions)],
    payload: { event, approvalId: st.approval.id, object: st.approval.object, recordId: st.approval.record_id, ...message.details },
  });
}

/** Posts the card, mentioning whoever was just asked to act (they are notified by it). */
export async function postCard(tx: Ctx, st: State): Promise<void> {
  if (st.threadGone || !st.approval.thread_id) return;
  const row = await appendMessage(tx, st.approval.thread_id, {
    kind: 'system',
    authorId: st.approval.submitter_id,
    body: st.approval.title,
    mentions: [...new Set(st.assigned)],
    payload: cardOf(st),
  });
  st.assigned = [];
  await setApproval(tx, st, { card_message_id: row.id });
  st.dirty = false;
}

/**
 * What an action leaves to say, in its transaction: people newly asked to act are mentioned in an
 * `approval.assigned` message, and the card is redrawn for everyone in the thread.
 */
export async function publish(tx: Ctx, st: State): Promise<void> {
  if (st.threadGone) return;
  if (st.assigned.length) await postEvent(tx, st, 'approval.assigned', { authorId: null, mentions: st.assigned, details: { userIds: [...new Set(st.assigned)] } });
  st.assigned = [];
  if (st.dirty && st.approval.thread_id && st.approval.card_message_id) await updateCardMessage(tx, st.approval.thread_id, st.approval.card_message_id, cardOf(st));
  st.dirty = false;
}

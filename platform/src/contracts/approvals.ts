import { z } from 'zod';
import { ApiName, LocalisedText } from './api-names.ts';
import { Id, page, PageQuery, text, Timestamp } from './common.ts';

/**
 * Approvals (审批): an `approval` node of a flow asks people, level by level, to approve the run's record.
 * The node's data says who approves each level and how a level completes; the API and the card in the
 * record's thread show an approval's state and take its approvers' actions.
 */
const Expression = text(2000, 1);
const Key = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'letters, digits, - and _, starting with a letter, at most 64');

export const ApproverRule = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('users'), users: z.array(Id).min(1).max(50) }).meta({ description: 'These people.' }),
    z.object({ kind: z.literal('role'), role: text(63, 1).meta({ description: "A role's key: everyone who holds it." }) }),
    z.object({ kind: z.literal('manager'), level: z.number().int().min(1).max(10).default(1).meta({ description: "1: the submitter's manager; 2: that manager's manager; …" }) }),
    z.object({
      kind: z.literal('department_head'),
      department: Id.optional().meta({ description: "This department's head; without it, the head of the submitter's main department." }),
      up: z.number().int().min(0).max(10).default(0).meta({ description: 'The head of the department this many levels above it instead.' }),
    }),
    z.object({ kind: z.literal('field'), field: ApiName.meta({ description: "A user field of the record: the person in it." }) }),
    z.object({ kind: z.literal('expression'), expression: Expression.meta({ description: 'An expression over `record` and `steps` giving a user id or a list of them.' }) }),
  ])
  .meta({ id: 'ApproverRule' });
export type ApproverRule = z.infer<typeof ApproverRule>;

export const ApprovalLevelDefinition = z
  .object({
    id: Key.meta({ description: "The level's key, unique in its node (history and `return` name levels by it)." }),
    label: text(100).optional(),
    approvers: z.array(ApproverRule).min(1).max(10).meta({ description: 'Everyone these rules give approves at this level (each person once).' }),
    mode: z.enum(['any', 'all', 'count']).default('any').meta({ description: 'any (或签): the first decision decides; all (会签): everyone approves; count: `count` of them approve.' }),
    count: z.number().int().min(1).max(50).optional().meta({ description: 'With mode count: how many approvals complete the level (at most the number of approvers).' }),
    condition: Expression.optional().meta({ description: 'The level applies only when this expression over `record` and `steps` is true; otherwise it is skipped.' }),
    group: Key.optional().meta({ description: 'Levels next to each other with the same group run at the same time; the approval moves on when all of them are complete.' }),
    whenEmpty: z.enum(['skip', 'admins']).default('skip').meta({ description: 'When the rules give nobody: skip the level, or ask the workspace administrators.' }),
  })
  .refine((l) => (l.mode === 'count') === (l.count !== undefined), { message: 'count is given with mode count, and only then', path: ['count'] })
  .meta({ id: 'ApprovalLevelDefinition' });
export type ApprovalLevelDefinition = z.infer<typeof ApprovalLevelDefinition>;

export const ApprovalNodeData = z
  .object({
    title: text(200, 1).optional().meta({ description: 'The title on the card and in lists; {{expression}} parts are filled in. Default: the flow\'s label and the record\'s name.' }),
    levels: z.array(ApprovalLevelDefinition).min(1).max(20),
    summaryFields: z.array(ApiName).max(10).default([]).meta({ description: 'Fields of the record shown with the approval, as they were when it was submitted.' }),
    lock: z.boolean().default(true).meta({ description: 'While the approval is pending, only the system may change the record.' }),
    resubmit: z.enum(['returner', 'first']).default('returner').meta({ description: 'After a return to the submitter, the resubmitted approval starts again at the level that returned it, or at the first.' }),
  })
  .meta({ id: 'ApprovalNodeData' });
export type ApprovalNodeData = z.infer<typeof ApprovalNodeData>;

export const ApprovalStatus = z.enum(['pending', 'returned', 'approved', 'rejected', 'recalled', 'cancelled']).meta({ id: 'ApprovalStatus' });
export type ApprovalStatus = z.infer<typeof ApprovalStatus>;
export const ApprovalOutcome = z.enum(['approved', 'rejected', 'recalled', 'cancelled']).meta({ id: 'ApprovalOutcome' });
export type ApprovalOutcome = z.infer<typeof ApprovalOutcome>;
export const ApprovalLevelStatus = z.enum(['waiting', 'active', 'approved', 'rejected', 'skipped', 'cancelled']);
export type ApprovalLevelStatus = z.infer<typeof ApprovalLevelStatus>;
export const ApprovalTaskStatus = z.enum(['queued', 'pending', 'approved', 'rejected', 'returned', 'transferred', 'delegated', 'closed']);
export type ApprovalTaskStatus = z.infer<typeof ApprovalTaskStatus>;

export const ApprovalTask = z
  .object({
    id: Id,
    userId: Id,
    onBehalfOf: Id.nullable().meta({ description: 'Whose task this is by a delegation (the person on leave).' }),
    addedBy: Id.nullable().meta({ description: 'Who added this signer (加签).' }),
    status: ApprovalTaskStatus.meta({ description: 'queued: waits for another signer first; pending: to act on; closed: the level was decided without it.' }),
    comment: z.string().nullable(),
    actedAt: Timestamp.nullable(),
  })
  .meta({ id: 'ApprovalTask' });
export type ApprovalTask = z.infer<typeof ApprovalTask>;

export const ApprovalLevel = z
  .object({
    index: z.number().int(),
    id: z.string(),
    label: z.string().nullable(),
    group: z.string().nullable(),
    mode: z.enum(['any', 'all', 'count']),
    needed: z.number().int().nullable().meta({ description: 'Approvals that complete the level, once it is active.' }),
    status: ApprovalLevelStatus,
    tasks: z.array(ApprovalTask).meta({ description: "This level's tasks of its latest round (a return starts a new round)." }),
  })
  .meta({ id: 'ApprovalLevel' });
export type ApprovalLevel = z.infer<typeof ApprovalLevel>;

export const ApprovalActionName = z.enum(['submit', 'approve', 'reject', 'return', 'resubmit', 'transfer', 'delegate', 'add_signer', 'recall', 'comment', 'urge', 'level_skipped', 'approved', 'rejected', 'recalled', 'cancelled']);
export const ApprovalHistoryEntry = z
  .object({
    id: Id,
    action: ApprovalActionName,
    actorId: Id.nullable().meta({ description: 'Null for what the approval did by itself (a level skipped, the outcome).' }),
    level: z.string().nullable().meta({ description: "The level's key." }),
    comment: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
    at: Timestamp,
  })
  .meta({ id: 'ApprovalHistoryEntry' });

const Outcome = z.object({ outcome: ApprovalOutcome, by: Id.nullable(), reason: z.string().nullable() });

export const ApprovalSummary = z
  .object({
    id: Id,
    title: z.string(),
    status: ApprovalStatus,
    flow: z.string(),
    object: z.string(),
    recordId: Id,
    submitterId: Id.nullable(),
    currentLevels: z.array(z.string()).meta({ description: 'Keys of the levels now deciding.' }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    finishedAt: Timestamp.nullable(),
  })
  .meta({ id: 'ApprovalSummary' });
export type ApprovalSummary = z.infer<typeof ApprovalSummary>;

export const ApprovalMyAction = z.enum(['approve', 'reject', 'return', 'transfer', 'add_signer', 'recall', 'resubmit', 'comment', 'urge']);
export type ApprovalMyAction = z.infer<typeof ApprovalMyAction>;

export const Approval = ApprovalSummary.extend({
  runId: Id.nullable().meta({ description: 'The flow run the approval belongs to.' }),
  lock: z.boolean(),
  outcome: Outcome.nullable(),
  summary: z
    .array(z.object({ field: z.string(), label: LocalisedText, value: z.unknown() }))
    .meta({ description: 'The summary fields as submitted, without those hidden from the reader.' }),
  levels: z.array(ApprovalLevel),
  history: z.array(ApprovalHistoryEntry),
  myActions: z.array(ApprovalMyAction).meta({ description: 'What the reader may do now.' }),
  cardMessageId: Id.nullable().meta({ description: "The card's message in the record's thread." }),
}).meta({ id: 'Approval' });
export type Approval = z.infer<typeof Approval>;

export const ApprovalList = page(ApprovalSummary).meta({ id: 'ApprovalList' });
export const ApprovalListQuery = PageQuery.extend({
  box: z.enum(['pending', 'done', 'submitted']).default('pending').meta({ description: 'pending: mine to act on; done: I acted on; submitted: by me. Newest first.' }),
});

const Comment = text(2000);
/** What a person does to an approval: over HTTP (`POST /api/v1/approvals/{id}/actions`) and over the socket (`approval:act`). */
export const ApprovalAction = z
  .discriminatedUnion('action', [
    z.object({ action: z.literal('approve'), comment: Comment.optional() }),
    z.object({ action: z.literal('reject'), reason: Comment.optional().meta({ description: 'Required (APPROVAL_REASON_REQUIRED without it).' }) }),
    z.object({ action: z.literal('return'), to: z.union([z.literal('submitter'), Key]).meta({ description: '"submitter", or the key of an earlier level.' }), comment: Comment.optional() }),
    z.object({ action: z.literal('resubmit'), comment: Comment.optional() }),
    z.object({ action: z.literal('transfer'), to: Id, comment: Comment.optional() }),
    z.object({ action: z.literal('add_signer'), userId: Id, position: z.enum(['before', 'after']), comment: Comment.optional() }),
    z.object({ action: z.literal('recall'), comment: Comment.optional() }),
    z.object({ action: z.literal('comment'), comment: text(2000, 1) }),
    z.object({ action: z.literal('urge') }),
  ])
  .meta({ id: 'ApprovalAction' });
export type ApprovalAction = z.infer<typeof ApprovalAction>;
/** The socket's `approval:act`: the approval's id beside the action's fields. */
export const ApprovalSocketAct = z.intersection(z.object({ approvalId: Id }), ApprovalAction);
export const RecordApprovals = z.object({ items: z.array(ApprovalSummary) }).meta({ id: 'RecordApprovals' });

export const SubmitApproval = z
  .object({
    object: ApiName,
    recordId: Id,
    flow: ApiName.optional().meta({ description: 'The approval flow to start, when the object has several.' }),
  })
  .strict()
  .meta({ id: 'SubmitApproval' });
export type SubmitApproval = z.infer<typeof SubmitApproval>;

export const ApprovalDelegation = z
  .object({ id: Id, userId: Id, delegateId: Id, startsAt: Timestamp, endsAt: Timestamp, reason: z.string().nullable(), createdAt: Timestamp })
  .meta({ id: 'ApprovalDelegation' });
export type ApprovalDelegation = z.infer<typeof ApprovalDelegation>;
export const CreateDelegation = z
  .object({ delegateId: Id, startsAt: Timestamp, endsAt: Timestamp, reason: text(500).optional() })
  .strict()
  .meta({ id: 'CreateDelegation', description: 'While I am away from startsAt to endsAt, my approvals go to delegateId.' });
export type CreateDelegation = z.infer<typeof CreateDelegation>;
export const DelegationList = z.object({ items: z.array(ApprovalDelegation) }).meta({ id: 'DelegationList' });

/**
 * The payload of an approval's card, a system message in the record's thread (`payload.event` is
 * `approval.card`). It changes in place (`message:updated` with change `card`) as the approval moves; it
 * holds no field values of the record, since one payload goes to everyone in the thread: the summary
 * fields come with `GET /api/v1/approvals/{id}`, as each reader may see them.
 */
export const ApprovalCard = z
  .object({
    event: z.literal('approval.card'),
    approvalId: Id,
    title: z.string(),
    status: ApprovalStatus,
    submitterId: Id.nullable(),
    summaryFields: z.array(z.string()),
    levels: z.array(ApprovalLevel),
    outcome: Outcome.nullable(),
  })
  .meta({ id: 'ApprovalCard' });
export type ApprovalCard = z.infer<typeof ApprovalCard>;

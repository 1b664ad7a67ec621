import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalFlow, approvalWorld, EXPENSES, ok, until, type ApprovalWorld } from './approvals-fixture.ts';

let w: ApprovalWorld;

beforeAll(async () => {
  w = await approvalWorld(({ users }) => {
    const only = (id: string) => [{ kind: 'users', users: [id] }];
    return [
      approvalFlow('single', { levels: [{ id: 'one', approvers: only(users.bob) }] }),
      approvalFlow('chain', { levels: [{ id: 'one', approvers: only(users.bob) }, { id: 'two', approvers: only(users.carol) }] }),
      approvalFlow('chain_first', { resubmit: 'first', levels: [{ id: 'one', approvers: only(users.bob) }, { id: 'two', approvers: only(users.carol) }] }),
      approvalFlow('countersign', { levels: [{ id: 'all', mode: 'all', approvers: [{ kind: 'users', users: [users.bob, users.erin] }] }] }),
      approvalFlow('two_of_three', { levels: [{ id: 'vote', mode: 'count', count: 2, approvers: [{ kind: 'users', users: [users.bob, users.erin, users.dave] }] }] }),
      approvalFlow('parallel', {
        levels: [
          { id: 'a', group: 'g', approvers: only(users.bob) },
          { id: 'b', group: 'g', approvers: only(users.erin) },
          { id: 'c', approvers: only(users.carol) },
        ],
      }),
      approvalFlow('computed', {
        levels: [
          { id: 'checker', approvers: [{ kind: 'field', field: 'checker' }] },
          { id: 'by_amount', approvers: [{ kind: 'expression', expression: `(record.amount ?? 0) > 1000 ? ['${users.dave}'] : '${users.erin}'` }] },
        ],
      }),
      approvalFlow('nobody', {
        levels: [
          { id: 'far_up', approvers: [{ kind: 'manager', level: 5 }], whenEmpty: 'admins' },
          { id: 'no_role', approvers: [{ kind: 'role', role: 'auditor' }] },
        ],
      }),
    ];
  });
}, 120_000);
afterAll(() => w?.t.close());

/** Submits an expense of alice's to `flow` and waits for its first approvers. */
async function asked(flow: string, values: Record<string, unknown> = {}) {
  const recordId = await w.expense(values);
  const approval = await w.started((await w.submit(flow, recordId)).id);
  return { recordId, id: approval.id as string, approval };
}
const tasksOf = (approval: any, level = 0) => approval.levels[level].tasks.map((t: any) => [t.userId, t.status]);
const code = (res: { body: any }) => res.body.error?.code;

describe('completion rules', () => {
  it('all (会签): everyone approves; one rejection rejects', async () => {
    const a = await asked('countersign');
    expect(ok(await w.act('bob', a.id, { action: 'approve' })).status).toBe('pending');
    expect(ok(await w.act('erin', a.id, { action: 'approve' })).status).toBe('approved');
    const b = await asked('countersign');
    expect(ok(await w.act('erin', b.id, { action: 'reject', reason: 'no receipt' })).status).toBe('rejected');
  });

  it('N of M: the level passes with N approvals and fails once N can no longer be reached', async () => {
    const a = await asked('two_of_three');
    expect(a.approval.levels[0].needed).toBe(2);
    ok(await w.act('bob', a.id, { action: 'approve' }));
    expect(ok(await w.act('dave', a.id, { action: 'reject', reason: 'too much' })).status).toBe('pending');
    const passed = ok(await w.act('erin', a.id, { action: 'approve' }));
    expect(passed.status).toBe('approved');
    const b = await asked('two_of_three');
    ok(await w.act('bob', b.id, { action: 'reject', reason: 'no' }));
    expect(ok(await w.act('dave', b.id, { action: 'reject', reason: 'no' })).status).toBe('rejected');
  });

  it('runs the levels of a group at once and moves on when all of them are done', async () => {
    const a = await asked('parallel');
    expect(a.approval.currentLevels).toEqual(['a', 'b']);
    expect(ok(await w.act('erin', a.id, { action: 'approve' })).currentLevels).toEqual(['a']);
    expect(ok(await w.act('bob', a.id, { action: 'approve' })).currentLevels).toEqual(['c']);
    expect(ok(await w.act('carol', a.id, { action: 'approve' })).status).toBe('approved');
  });

  it('asks the person in a user field, and the people an expression gives', async () => {
    const a = await asked('computed', { checker: w.users.frank, amount: 5000 });
    expect(tasksOf(a.approval)).toEqual([[w.users.frank, 'pending']]);
    const next = ok(await w.act('frank', a.id, { action: 'approve' }));
    expect(tasksOf(next, 1)).toEqual([[w.users.dave, 'pending']]);
    const b = await asked('computed', { checker: w.users.frank, amount: 5 });
    expect(tasksOf(ok(await w.act('frank', b.id, { action: 'approve' })), 1)).toEqual([[w.users.erin, 'pending']]);
  });

  it('asks the administrators when a level names nobody, or skips it', async () => {
    const a = await asked('nobody');
    expect(tasksOf(a.approval)).toEqual([[w.users.admin, 'pending']]);
    const done = ok(await w.act('admin', a.id, { action: 'approve' }));
    expect(done.status).toBe('approved');
    expect(done.levels[1].status).toBe('skipped');
    expect(done.history.find((h: any) => h.action === 'level_skipped')).toMatchObject({ level: 'no_role', details: { reason: 'no_approvers' } });
  });
});

describe('returning a request', () => {
  it('to its submitter: the record opens for her changes, and resubmitting asks the level that returned it', async () => {
    const a = await asked('chain', { amount: 900 });
    ok(await w.act('bob', a.id, { action: 'approve' }));
    const returned = ok(await w.act('carol', a.id, { action: 'return', to: 'submitter', comment: 'attach the receipt' }));
    expect(returned).toMatchObject({ status: 'returned', currentLevels: [] });
    expect(tasksOf(returned, 1)).toEqual([[w.users.carol, 'returned']]);
    expect(ok(await w.as.alice.get(`/api/v1/approvals/${a.id}`)).myActions).toEqual(['recall', 'resubmit', 'comment']);
    expect((await w.messages(a.recordId)).find((m: any) => m.payload?.event === 'approval.returned')).toMatchObject({ mentions: [w.users.alice], payload: { reason: 'attach the receipt' } });
    expect(ok(await w.as.alice.patch(`${EXPENSES}/${a.recordId}`, { amount: 800 })).amount).toBe(800);
    expect(code(await w.act('carol', a.id, { action: 'approve' }))).toBe('APPROVAL_CLOSED');
    expect(code(await w.act('bob', a.id, { action: 'resubmit' }))).toBe('APPROVAL_NOT_SUBMITTER');

    const again = ok(await w.act('alice', a.id, { action: 'resubmit', comment: 'receipt attached' }));
    expect(again.currentLevels).toEqual(['two']);
    expect(again.summary).toEqual([]);
    expect((await w.as.alice.patch(`${EXPENSES}/${a.recordId}`, { amount: 1 })).body.error.code).toBe('APPROVAL_RECORD_LOCKED');
    expect(ok(await w.act('carol', a.id, { action: 'approve' })).status).toBe('approved');
    expect(code(await w.act('alice', a.id, { action: 'resubmit' }))).toBe('APPROVAL_NOT_RETURNED');
  });

  it('to its submitter, starting again from the first level when the node says so', async () => {
    const a = await asked('chain_first');
    ok(await w.act('bob', a.id, { action: 'approve' }));
    ok(await w.act('carol', a.id, { action: 'return', to: 'submitter' }));
    const again = ok(await w.act('alice', a.id, { action: 'resubmit' }));
    expect(again.currentLevels).toEqual(['one']);
    expect(tasksOf(again)).toEqual([[w.users.bob, 'pending']]);
  });

  it('to an earlier level, which decides again; never to the current or a later one', async () => {
    const a = await asked('chain');
    expect(code(await w.act('bob', a.id, { action: 'return', to: 'one' }))).toBe('APPROVAL_BAD_LEVEL');
    ok(await w.act('bob', a.id, { action: 'approve' }));
    expect(code(await w.act('carol', a.id, { action: 'return', to: 'two' }))).toBe('APPROVAL_BAD_LEVEL');
    expect(code(await w.act('carol', a.id, { action: 'return', to: 'nowhere' }))).toBe('APPROVAL_BAD_LEVEL');
    const back = ok(await w.act('carol', a.id, { action: 'return', to: 'one', comment: 'check the amount' }));
    expect(back.currentLevels).toEqual(['one']);
    expect(tasksOf(back)).toEqual([[w.users.bob, 'pending']]);
    expect(back.levels[1].status).toBe('waiting');
    ok(await w.act('bob', a.id, { action: 'approve' }));
    expect(ok(await w.act('carol', a.id, { action: 'approve' })).status).toBe('approved');
  });
});

describe('passing a task on', () => {
  it('transfers a task (转交) to someone else, who decides in the approver\'s place', async () => {
    const a = await asked('single');
    expect(code(await w.act('bob', a.id, { action: 'transfer', to: w.users.bob }))).toBe('APPROVAL_BAD_USER');
    const moved = ok(await w.act('bob', a.id, { action: 'transfer', to: w.users.erin, comment: 'you know this client' }));
    expect(tasksOf(moved)).toEqual([[w.users.bob, 'transferred'], [w.users.erin, 'pending']]);
    expect(code(await w.act('bob', a.id, { action: 'approve' }))).toBe('APPROVAL_ALREADY_ACTED');
    expect(ok(await w.as.erin.get(`${EXPENSES}/${a.recordId}`)).id).toBe(a.recordId);
    expect(ok(await w.act('erin', a.id, { action: 'approve' })).status).toBe('approved');
  });

  it('adds a signer before me (加签): she decides first, then the task comes back to me', async () => {
    const a = await asked('single');
    const added = ok(await w.act('bob', a.id, { action: 'add_signer', userId: w.users.dave, position: 'before' }));
    expect(tasksOf(added)).toEqual([[w.users.dave, 'pending'], [w.users.bob, 'queued']]);
    expect(code(await w.act('bob', a.id, { action: 'approve' }))).toBe('APPROVAL_NOT_APPROVER');
    expect(tasksOf(ok(await w.act('dave', a.id, { action: 'approve' })))).toEqual([[w.users.dave, 'approved'], [w.users.bob, 'pending']]);
    expect(ok(await w.act('bob', a.id, { action: 'approve' })).status).toBe('approved');
  });

  it('adds a signer after me, who decides once I approved; her rejection rejects', async () => {
    const a = await asked('single');
    ok(await w.act('bob', a.id, { action: 'add_signer', userId: w.users.dave, position: 'after' }));
    const mine = ok(await w.act('bob', a.id, { action: 'approve' }));
    expect(mine.status).toBe('pending');
    expect(tasksOf(mine)).toEqual([[w.users.bob, 'approved'], [w.users.dave, 'pending']]);
    expect(ok(await w.act('dave', a.id, { action: 'reject', reason: 'not this quarter' })).status).toBe('rejected');
  });

  it('sends my approvals to my delegate while I am away: open tasks move, new ones go to her', async () => {
    const open = await asked('single');
    expect((await w.as.bob.post('/api/v1/approvals/delegations', { delegateId: w.users.bob, startsAt: new Date().toISOString(), endsAt: new Date(Date.now() + 86_400_000).toISOString() })).body.error.code).toBe('APPROVAL_DELEGATION_INVALID');
    expect((await w.as.bob.post('/api/v1/approvals/delegations', { delegateId: w.users.erin, startsAt: new Date(Date.now() - 86_400_000).toISOString(), endsAt: new Date(Date.now() - 3_600_000).toISOString() })).body.error.code).toBe('APPROVAL_DELEGATION_INVALID');
    const rule = ok(await w.as.bob.post('/api/v1/approvals/delegations', { delegateId: w.users.erin, startsAt: new Date(Date.now() - 1000).toISOString(), endsAt: new Date(Date.now() + 86_400_000).toISOString(), reason: '年假' }), 201);
    expect(ok(await w.as.bob.get('/api/v1/approvals/delegations')).items.map((d: any) => d.id)).toEqual([rule.id]);

    const moved = ok(await w.admin.get(`/api/v1/approvals/${open.id}`));
    expect(moved.levels[0].tasks).toEqual([expect.objectContaining({ userId: w.users.bob, status: 'delegated' }), expect.objectContaining({ userId: w.users.erin, status: 'pending', onBehalfOf: w.users.bob })]);
    expect(ok(await w.as.erin.get('/api/v1/approvals?box=pending')).items.map((a: any) => a.id)).toContain(open.id);
    expect(ok(await w.act('erin', open.id, { action: 'approve' })).status).toBe('approved');

    const fresh = await asked('single');
    expect(fresh.approval.levels[0].tasks).toEqual([expect.objectContaining({ userId: w.users.erin, onBehalfOf: w.users.bob, status: 'pending' })]);
    expect((await w.as.erin.delete(`/api/v1/approvals/delegations/${rule.id}`)).status).toBe(404);
    expect((await w.as.bob.delete(`/api/v1/approvals/delegations/${rule.id}`)).status).toBe(204);
    expect(tasksOf((await asked('single')).approval)).toEqual([[w.users.bob, 'pending']]);
  });
});

describe("the submitter's actions", () => {
  it('recalls (撤回) an open request, and the flow goes on with outcome recalled; others may not', async () => {
    const a = await asked('chain');
    expect(code(await w.act('bob', a.id, { action: 'recall' }))).toBe('APPROVAL_NOT_SUBMITTER');
    const recalled = ok(await w.act('alice', a.id, { action: 'recall', comment: 'wrong amount' }));
    expect(recalled).toMatchObject({ status: 'recalled', outcome: { outcome: 'recalled', by: w.users.alice, reason: 'wrong amount' } });
    expect(tasksOf(recalled)).toEqual([[w.users.bob, 'closed']]);
    const run = await w.runOf(a.id);
    expect(run.steps.find((s: any) => s.nodeId === 'ask').output.outcome).toBe('recalled');
    expect(ok(await w.as.alice.get(`${EXPENSES}/${a.recordId}`)).status).toBe('recalled');
    expect(code(await w.act('alice', a.id, { action: 'recall' }))).toBe('APPROVAL_CLOSED');
  });

  it('urges (催办) the people it waits for, at most once every few minutes', async () => {
    const a = await asked('single');
    expect(code(await w.act('bob', a.id, { action: 'urge' }))).toBe('APPROVAL_NOT_SUBMITTER');
    ok(await w.act('alice', a.id, { action: 'urge' }));
    const urged = (await w.messages(a.recordId)).find((m: any) => m.payload?.event === 'approval.urged');
    expect(urged).toMatchObject({ authorId: w.users.alice, mentions: [w.users.bob] });
    const again = await w.act('alice', a.id, { action: 'urge' });
    expect(again.status).toBe(429);
    expect(again.body.error).toMatchObject({ code: 'APPROVAL_URGE_TOO_SOON', message: '你刚刚催办过该审批，请 5 分钟后再试。' });
    const notes = await until(async () => ok(await w.as.bob.get('/api/v1/notifications')).items as any[], (items) => items.some((n) => n.kind === 'mention'));
    expect(notes.length).toBeGreaterThan(0);
  });

  it('lets everyone who sees the approval comment, in its history and in the thread', async () => {
    const a = await asked('single');
    ok(await w.act('bob', a.id, { action: 'comment', comment: '发票抬头不对' }));
    const after = ok(await w.act('alice', a.id, { action: 'comment', comment: '已更正' }));
    expect(after.history.filter((h: any) => h.action === 'comment').map((h: any) => [h.actorId, h.comment])).toEqual([
      [w.users.bob, '发票抬头不对'],
      [w.users.alice, '已更正'],
    ]);
    const comments = (await w.messages(a.recordId)).filter((m: any) => m.payload?.event === 'approval.comment');
    expect(comments.map((m: any) => [m.authorId, m.body])).toEqual([
      [w.users.bob, '发票抬头不对'],
      [w.users.alice, '已更正'],
    ]);
    expect(code(await w.act('frank', a.id, { action: 'comment', comment: 'hi' }))).toBe('APPROVAL_NOT_FOUND');
    expect(code(await w.act('bob', a.id, { action: 'comment', comment: '' }))).toBe('FAILED_VALIDATION');
  });
});

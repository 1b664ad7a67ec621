import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemCtx } from '../core/context.ts';
import { field, label, objectDef } from '../testing/meta-builders.ts';
import { approvalFlow, approvalWorld, EXPENSES, expenseObject, ok, until, type ApprovalWorld } from './approvals-fixture.ts';

let w: ApprovalWorld;

const leave = objectDef('leave_request', 'title', [field('title', 'text', { required: true }), field('days', 'integer'), field('status', 'text')]);

beforeAll(async () => {
  w = await approvalWorld(({ departments, users }) => [
    approvalFlow('expense_approval', {
      title: 'Expense {{record.title}} ({{record.amount}})',
      summaryFields: ['amount', 'note', 'secret'],
      levels: [
        { id: 'manager', label: 'Manager', approvers: [{ kind: 'manager', level: 1 }] },
        { id: 'finance', approvers: [{ kind: 'department_head', department: departments.finance }], condition: '(record.amount ?? 0) > 1000' },
      ],
    }),
    approvalFlow('either', { levels: [{ id: 'one', approvers: [{ kind: 'users', users: [users.bob, users.erin] }], mode: 'any' }] }),
    approvalFlow('two_steps_either', {
      levels: [
        { id: 'one', approvers: [{ kind: 'users', users: [users.bob, users.erin] }] },
        { id: 'two', approvers: [{ kind: 'users', users: [users.dave] }] },
      ],
    }),
    approvalFlow('unlocked', { lock: false, levels: [{ id: 'one', approvers: [{ kind: 'users', users: [users.bob] }] }] }),
    { ...approvalFlow('fragile', { levels: [{ id: 'one', approvers: [{ kind: 'users', users: [users.bob] }], condition: 'record.note!.length > 0' }] }), retry: { attempts: 1, backoffSeconds: 1 } },
    approvalFlow('leave_on_create', { levels: [{ id: 'head', approvers: [{ kind: 'department_head' }] }] }, { type: 'record', object: 'leave_request', events: ['created'] }),
  ], [leave]);
}, 120_000);
afterAll(() => w?.t.close());

describe('submitting a record for approval', () => {
  it('asks the levels one after the other, posts a card in the record thread and lets the flow record the outcome', async () => {
    const id = await w.expense({ title: 'Flight', amount: 2400, note: 'Shanghai' });
    ok(await w.admin.patch(`${EXPENSES}/${id}`, { secret: 'budget code 7' }));
    const submitted = await w.submit('expense_approval', id);
    expect(submitted).toMatchObject({ status: 'pending', object: 'expense', recordId: id, submitterId: w.users.alice, lock: true });
    const asked = await w.started(submitted.id);
    expect(asked.title).toBe('Expense Flight (2400)');
    expect(asked.currentLevels).toEqual(['manager']);
    expect(asked.levels.map((l: any) => [l.id, l.status, l.tasks.map((t: any) => [t.userId, t.status])])).toEqual([
      ['manager', 'active', [[w.users.bob, 'pending']]],
      ['finance', 'waiting', []],
    ]);

    // Bob could not read alice's expense; being asked, he may, without the field hidden from members.
    const bobView = ok(await w.as.bob.get(`/api/v1/approvals/${submitted.id}`));
    expect(bobView.summary).toEqual([
      { field: 'amount', label: label('amount'), value: 2400 },
      { field: 'note', label: label('note'), value: 'Shanghai' },
    ]);
    expect(bobView.myActions).toEqual(expect.arrayContaining(['approve', 'reject', 'return', 'transfer', 'add_signer']));
    expect(ok(await w.as.bob.get(`${EXPENSES}/${id}`)).title).toBe('Flight');
    expect(ok(await w.admin.get(`/api/v1/approvals/${submitted.id}`)).summary.map((s: any) => s.field)).toEqual(['amount', 'note', 'secret']);

    const pending = ok(await w.as.bob.get('/api/v1/approvals?box=pending'));
    expect(pending.items.map((a: any) => a.id)).toContain(submitted.id);
    expect(ok(await w.as.alice.get('/api/v1/approvals?box=submitted')).items.map((a: any) => a.id)).toContain(submitted.id);

    const afterBob = ok(await w.act('bob', submitted.id, { action: 'approve', comment: 'fine' }));
    expect(afterBob.currentLevels).toEqual(['finance']);
    expect(afterBob.levels[1].tasks).toEqual([expect.objectContaining({ userId: w.users.carol, status: 'pending' })]);
    expect(ok(await w.as.bob.get('/api/v1/approvals?box=done')).items.map((a: any) => a.id)).toContain(submitted.id);
    expect(ok(await w.as.bob.get('/api/v1/approvals?box=pending')).items.map((a: any) => a.id)).not.toContain(submitted.id);

    const done = ok(await w.act('carol', submitted.id, { action: 'approve' }));
    expect(done).toMatchObject({ status: 'approved', outcome: { outcome: 'approved', by: w.users.carol, reason: null }, currentLevels: [] });
    expect(done.history.map((h: any) => h.action)).toEqual(['submit', 'approve', 'approve', 'approved']);

    const run = await w.runOf(submitted.id);
    expect(run.status).toBe('done');
    expect(run.steps.find((s: any) => s.nodeId === 'ask').output).toEqual({ approvalId: submitted.id, outcome: 'approved', by: w.users.carol, reason: null });
    expect(ok(await w.as.alice.get(`${EXPENSES}/${id}`)).status).toBe('approved');

    const messages = await w.messages(id);
    const card = messages.find((m: any) => m.payload?.event === 'approval.card');
    expect(card).toMatchObject({ kind: 'system', authorId: w.users.alice, body: 'Expense Flight (2400)', mentions: [w.users.bob] });
    expect(card.payload).toMatchObject({ approvalId: submitted.id, status: 'approved', summaryFields: ['amount', 'note', 'secret'] });
    expect(card.payload.levels.map((l: any) => l.status)).toEqual(['approved', 'approved']);
    expect(JSON.stringify(card.payload)).not.toContain('budget code 7');
    expect(messages.find((m: any) => m.payload?.event === 'approval.assigned')).toMatchObject({ mentions: [w.users.carol] });
    expect(messages.find((m: any) => m.payload?.event === 'approval.outcome')).toMatchObject({ authorId: w.users.carol, mentions: [w.users.alice], payload: { outcome: 'approved' } });
  });

  it("skips a level whose condition does not hold", async () => {
    const id = await w.expense({ amount: 300 });
    const submitted = await w.submit('expense_approval', id);
    await w.started(submitted.id);
    const done = ok(await w.act('bob', submitted.id, { action: 'approve' }));
    expect(done.status).toBe('approved');
    expect(done.levels.map((l: any) => l.status)).toEqual(['approved', 'skipped']);
    expect(done.history.find((h: any) => h.action === 'level_skipped')).toMatchObject({ level: 'finance', details: { reason: 'condition' } });
  });

  it('starts from a record-triggered flow too, asking the head of the submitter\'s department', async () => {
    const leaveId = ok(await w.as.alice.post('/api/v1/objects/leave_request/records', { title: 'Holiday', days: 3 }), 201).id;
    const listed = await until(async () => ok(await w.as.dave.get('/api/v1/approvals?box=pending')).items, (items: any[]) => items.some((a) => a.recordId === leaveId));
    const approval = listed.find((a: any) => a.recordId === leaveId);
    expect(approval).toMatchObject({ submitterId: w.users.alice, flow: 'leave_on_create', currentLevels: ['head'] });
    expect(ok(await w.act('dave', approval.id, { action: 'approve' })).status).toBe('approved');
    expect(ok(await w.as.alice.get(`/api/v1/objects/leave_request/records/${leaveId}/approvals`)).items.map((a: any) => a.status)).toEqual(['approved']);
  });

  it('refuses a second submission while one is open, a submission by someone else, and unknown flows', async () => {
    const id = await w.expense();
    const first = await w.submit('either', id);
    const again = await w.as.alice.post('/api/v1/approvals', { object: 'expense', recordId: id, flow: 'either' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('APPROVAL_ALREADY_PENDING');
    expect((await w.as.alice.post('/api/v1/approvals', { object: 'expense', recordId: id })).body.error.code).toBe('APPROVAL_FLOW_AMBIGUOUS');
    expect((await w.as.alice.post('/api/v1/approvals', { object: 'expense', recordId: id, flow: 'nothing' })).body.error.code).toBe('APPROVAL_NO_FLOW');
    const others = await w.expense({}, 'erin');
    expect((await w.as.alice.post('/api/v1/approvals', { object: 'expense', recordId: others, flow: 'either' })).status).toBe(404);
    const frankSees = await w.expense({}, 'frank');
    ok(await w.as.frank.post(`${EXPENSES}/${frankSees}/shares`, { grantee: { kind: 'user', id: w.users.alice }, access: 'read' }), 201);
    const notOwner = await w.as.alice.post('/api/v1/approvals', { object: 'expense', recordId: frankSees, flow: 'either' });
    expect(notOwner.status).toBe(403);
    expect(notOwner.body.error.code).toBe('APPROVAL_SUBMIT_FORBIDDEN');
    await w.started(first.id);
  });

  it("marks the object's approval flows among its record actions, for the app's submit button", async () => {
    const actions = ok(await w.as.alice.get('/api/v1/objects/expense/actions'), 200).items as { name: string; kind?: string; approval?: boolean }[];
    expect(actions.find((a) => a.name === 'either')).toMatchObject({ kind: 'flow', approval: true });
  });
});

describe('who may act', () => {
  it('refuses people who are not approvers (403), those who cannot see it (404), acting twice (409) and rejecting without a reason (400)', async () => {
    const id = await w.expense({ amount: 5000 });
    const submitted = await w.submit('expense_approval', id);
    await w.started(submitted.id);
    const notApprover = await w.act('erin', submitted.id, { action: 'approve' });
    expect(notApprover.status).toBe(404);
    expect(notApprover.body.error.code).toBe('APPROVAL_NOT_FOUND');
    expect((await w.as.erin.get(`/api/v1/approvals/${submitted.id}`)).status).toBe(404);
    // Dave sees the approval once the record is shared with him, but is not asked to decide.
    ok(await w.as.alice.post(`${EXPENSES}/${id}/shares`, { grantee: { kind: 'user', id: w.users.dave }, access: 'read' }), 201);
    const reader = await w.act('dave', submitted.id, { action: 'approve' });
    expect(reader.status).toBe(403);
    expect(reader.body.error.code).toBe('APPROVAL_NOT_APPROVER');
    expect(reader.body.error.message).toBe('你不是该审批当前节点的审批人。');
    ok(await w.admin.patch(`/api/v1/org/users/${w.users.dave}`, { locale: 'en' }));
    const en = await w.as.dave.post(`/api/v1/approvals/${submitted.id}/actions`, { action: 'approve' });
    expect(en.body.error.message).toBe('You are not an approver of this request at its current level.');

    const noReason = await w.act('bob', submitted.id, { action: 'reject', reason: '  ' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.code).toBe('APPROVAL_REASON_REQUIRED');
    ok(await w.act('bob', submitted.id, { action: 'approve' }));
    const twice = await w.act('bob', submitted.id, { action: 'approve' });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('APPROVAL_ALREADY_ACTED');

    const rejected = ok(await w.act('carol', submitted.id, { action: 'reject', reason: 'Over budget' }));
    expect(rejected).toMatchObject({ status: 'rejected', outcome: { outcome: 'rejected', by: w.users.carol, reason: 'Over budget' } });
    expect((await w.runOf(submitted.id)).steps.find((s: any) => s.nodeId === 'ask').output.outcome).toBe('rejected');
    expect(ok(await w.as.alice.get(`${EXPENSES}/${id}`)).status).toBe('rejected');
    const late = await w.act('alice', submitted.id, { action: 'recall' });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('APPROVAL_CLOSED');
    const afterDone = await w.act('carol', submitted.id, { action: 'approve' });
    expect(afterDone.body.error.code).toBe('APPROVAL_CLOSED');
  });

  it('audits every action', async () => {
    const id = await w.expense();
    const submitted = await w.submit('either', id);
    await w.started(submitted.id);
    ok(await w.act('erin', submitted.id, { action: 'approve', comment: 'ok' }));
    const ctx = systemCtx(w.t.platform, w.t.platform.workspaces.list()[0]!);
    const audit = await ctx.db.selectFrom('audit_log').select(['action', 'actor_login']).where('target_id', '=', submitted.id).orderBy('seq').execute();
    expect(audit).toEqual([
      { action: 'approval.submit', actor_login: 'alice' },
      { action: 'approval.approve', actor_login: 'erin' },
    ]);
  });
});

describe('the record lock', () => {
  it('refuses changes by anyone while the approval is pending, and opens the record again after it', async () => {
    const id = await w.expense({ amount: 50 });
    const submitted = await w.submit('either', id);
    const locked = await w.as.alice.patch(`${EXPENSES}/${id}`, { amount: 60 });
    expect(locked.status).toBe(409);
    expect(locked.body.error).toMatchObject({ code: 'APPROVAL_RECORD_LOCKED', details: { approvalId: submitted.id } });
    expect((await w.admin.patch(`${EXPENSES}/${id}`, { amount: 60 })).body.error.code).toBe('APPROVAL_RECORD_LOCKED');
    await w.started(submitted.id);
    ok(await w.act('bob', submitted.id, { action: 'approve' }));
    await w.runOf(submitted.id);
    expect(ok(await w.as.alice.patch(`${EXPENSES}/${id}`, { amount: 60 })).amount).toBe(60);
  });

  it('leaves the record open when the node says so', async () => {
    const id = await w.expense();
    const submitted = await w.submit('unlocked', id);
    await w.started(submitted.id);
    expect(ok(await w.as.alice.patch(`${EXPENSES}/${id}`, { note: 'changed while pending' })).note).toBe('changed while pending');
  });
});

describe('two approvers of an "any" level at once', () => {
  it('ends with exactly one decision', async () => {
    for (const flow of ['either', 'two_steps_either']) {
      const id = await w.expense();
      const submitted = await w.submit(flow, id);
      await w.started(submitted.id);
      const [bob, erin] = await Promise.all([w.act('bob', submitted.id, { action: 'approve' }), w.act('erin', submitted.id, { action: 'reject', reason: 'no' })]);
      const statuses = [bob.status, erin.status].sort();
      expect(statuses, JSON.stringify([bob.body, erin.body])).toEqual([200, 409]);
      const loser = bob.status === 409 ? bob : erin;
      expect(['APPROVAL_CLOSED', 'APPROVAL_TASK_CLOSED']).toContain(loser.body.error.code);
      const after = ok(await w.admin.get(`/api/v1/approvals/${submitted.id}`));
      expect(after.history.filter((h: any) => h.action === 'approve' || h.action === 'reject')).toHaveLength(1);
      const one = after.levels[0];
      expect(one.tasks.filter((t: any) => t.status === 'approved' || t.status === 'rejected')).toHaveLength(1);
      expect(one.tasks.filter((t: any) => t.status === 'closed')).toHaveLength(1);
      if (flow === 'either') {
        // The flow moved on once, with the one outcome.
        const run = await w.runOf(submitted.id);
        expect(run.steps.filter((s: any) => s.nodeId === 'ask').map((s: any) => s.output.outcome)).toEqual([after.status]);
      }
    }
  });
});

describe('an approval whose record or run goes away', () => {
  it('is cancelled when its record is deleted, and its flow goes on with outcome cancelled', async () => {
    const id = await w.expense();
    const submitted = await w.submit('either', id);
    await w.started(submitted.id);
    expect((await w.as.alice.delete(`${EXPENSES}/${id}`)).status).toBe(204);
    const after = ok(await w.admin.get(`/api/v1/approvals/${submitted.id}`));
    expect(after).toMatchObject({ status: 'cancelled', outcome: { outcome: 'cancelled', reason: 'record_deleted' } });
    const run = await w.runOf(submitted.id);
    expect(run.steps.find((s: any) => s.nodeId === 'ask').output.outcome).toBe('cancelled');
    expect((await w.act('bob', submitted.id, { action: 'approve' })).body.error.code).toBe('APPROVAL_CLOSED');
    // Its thread went with the record: a remark is kept in its history only.
    expect(ok(await w.act('alice', submitted.id, { action: 'comment', comment: 'deleted by mistake' })).history.at(-1)).toMatchObject({ action: 'comment' });
  });

  it('is cancelled when its run fails before asking anyone, and a retried run asks afresh', async () => {
    const id = await w.expense();
    const submitted = await w.submit('fragile', id);
    const cancelled = await until(async () => ok(await w.admin.get(`/api/v1/approvals/${submitted.id}`)), (a) => a.status !== 'pending');
    expect(cancelled).toMatchObject({ status: 'cancelled', outcome: { reason: 'run_ended' } });
    const run = ok(await w.admin.get(`/api/v1/flow-runs/${cancelled.runId}`));
    expect(run).toMatchObject({ status: 'needs_attention', error: { code: 'FLOW_EXPRESSION_FAILED', node: 'ask' } });
    ok(await w.as.alice.patch(`${EXPENSES}/${id}`, { note: 'now there is one' }));
    ok(await w.admin.post(`/api/v1/flow-runs/${cancelled.runId}/retry`));
    const items = await until(async () => ok(await w.as.alice.get(`${EXPENSES}/${id}/approvals`)).items as any[], (list) => list.length === 2 && list[0].currentLevels.length > 0);
    expect(items.map((a) => a.status)).toEqual(['pending', 'cancelled']);
    expect(ok(await w.act('bob', items[0].id, { action: 'approve' })).status).toBe('approved');
  });

  it('is cancelled with its run, and its card says so', async () => {
    const id = await w.expense();
    const submitted = await w.submit('either', id);
    const asked = await w.started(submitted.id);
    ok(await w.admin.post(`/api/v1/flow-runs/${asked.runId}/cancel`));
    const after = ok(await w.admin.get(`/api/v1/approvals/${submitted.id}`));
    expect(after).toMatchObject({ status: 'cancelled', outcome: { reason: 'run_cancelled' } });
    expect(after.levels[0].tasks.map((t: any) => t.status)).toEqual(['closed', 'closed']);
    const card = (await w.messages(id)).find((m: any) => m.payload?.event === 'approval.card');
    expect(card.payload.status).toBe('cancelled');
    ok(await w.as.alice.patch(`${EXPENSES}/${id}`, { note: 'free again' }));
  });
});

describe('input', () => {
  it('answers unknown approvals and bad actions with clear errors', async () => {
    expect((await w.as.bob.get('/api/v1/approvals/0190aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee')).body.error.code).toBe('APPROVAL_NOT_FOUND');
    expect((await w.act('bob', '0190aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee', { action: 'approve' })).status).toBe(404);
    expect((await w.act('bob', '0190aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee', { action: 'dance' })).body.error.code).toBe('FAILED_VALIDATION');
    expect((await w.as.bob.get('/api/v1/approvals?box=everything')).body.error.code).toBe('FAILED_VALIDATION');
  });
});

describe('defining an approval node', () => {
  const node = (data: Record<string, unknown>) => approvalFlow('bad', data);
  const one = (extra: Record<string, unknown> = {}) => ({ id: 'one', approvers: [{ kind: 'users', users: [w.users.bob] }], ...extra });
  async function problemsOf(flow: unknown) {
    const res = await w.admin.request('PUT', '/api/v1/meta/draft', { body: { objects: [expenseObject], flows: [flow] } });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    return (res.body.error.details.problems ?? []) as { path: string; code: string; message?: string }[];
  }

  it.each([
    ['a flow on no record', () => approvalFlow('bad', { levels: [one()] }, { type: 'manual' }), 'flows.0.nodes.1', 'NO_RECORD'],
    ['an unknown summary field', () => node({ summaryFields: ['amount', 'ghost'], levels: [one()] }), 'flows.0.nodes.1.data.summaryFields.1', 'UNKNOWN_FIELD'],
    ['an approver field that is no user field', () => node({ levels: [{ id: 'one', approvers: [{ kind: 'field', field: 'amount' }] }] }), 'flows.0.nodes.1.data.levels.0.approvers.0.field', 'NOT_A_USER_FIELD'],
    ['a level key used twice', () => node({ levels: [one(), one()] }), 'flows.0.nodes.1.data.levels.1.id', 'DUPLICATE_ID'],
    ['a group split by another level', () => node({ levels: [one({ id: 'a', group: 'g' }), one({ id: 'b' }), one({ id: 'c', group: 'g' })] }), 'flows.0.nodes.1.data.levels.2.group', 'SPLIT_GROUP'],
    ['more approvals asked than people listed', () => node({ levels: [one({ mode: 'count', count: 3 })] }), 'flows.0.nodes.1.data.levels.0.count', 'COUNT_TOO_HIGH'],
    ['a condition that is no boolean', () => node({ levels: [one({ condition: 'record.amount' })] }), 'flows.0.nodes.1.data.levels.0.condition', 'INVALID_EXPRESSION'],
    ['an approver expression that gives no user ids', () => node({ levels: [{ id: 'one', approvers: [{ kind: 'expression', expression: 'record.amount' }] }] }), 'flows.0.nodes.1.data.levels.0.approvers.0.expression', 'INVALID_EXPRESSION'],
    ['a title part that names no field', () => node({ title: 'For {{record.nothing}}', levels: [one()] }), 'flows.0.nodes.1.data.title', 'INVALID_EXPRESSION'],
  ])('refuses %s, pointing at it', async (_, flow, path, code) => {
    const problems = await problemsOf(flow());
    expect(problems.find((p) => p.path === path && p.code === code), JSON.stringify(problems)).toBeDefined();
  });

  it('refuses mode count without its count', async () => {
    const res = await w.admin.request('PUT', '/api/v1/meta/draft', { body: { objects: [expenseObject], flows: [node({ levels: [one({ mode: 'count' })] })] } });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.error.details)).toContain('count');
  });
});

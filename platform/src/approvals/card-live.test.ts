import { describe, expect, it } from 'vitest';
import { servedForSockets, until } from '../realtime/socket-testing.ts';
import { approvalFlow, approvalWorld, EXPENSES, ok, PASSWORD, type ApprovalWorld, type Person } from './approvals-fixture.ts';

let w: ApprovalWorld;
const served = servedForSockets(async () => {
  w = await approvalWorld(({ users }) => [approvalFlow('either', { levels: [{ id: 'one', approvers: [{ kind: 'users', users: [users.bob, users.erin] }] }] })]);
  return { t: w.t };
});
const client = (who: Person) => served.connect(who, PASSWORD);

describe("an approval's card, live", () => {
  it('lets an approver act over the socket and redraws the card for everyone in the thread', async () => {
    const id = await w.expense({ title: 'Hotel' });
    const submitted = await w.submit('either', id);
    const asked = await w.started(submitted.id);
    const thread = ok(await w.as.alice.get(`${EXPENSES}/${id}/thread`)).id;
    const alice = await client('alice');
    const bob = await client('bob');
    expect(await alice.call('thread:join', { threadId: thread })).toMatchObject({ ok: true });
    expect(await bob.call('thread:join', { threadId: thread })).toMatchObject({ ok: true });

    const answer = await bob.call('approval:act', { approvalId: submitted.id, action: 'approve', comment: '同意' });
    expect(answer.approval).toMatchObject({ id: submitted.id, status: 'approved', outcome: { by: w.users.bob } });
    const redrawn = await until(() => alice.seen.find((e) => e.event === 'message:updated' && e.data.change === 'card' && e.data.message.payload.status === 'approved'), 'the card redrawn');
    expect(redrawn.data.message.id).toBe(asked.cardMessageId);
    expect(redrawn.data.message.payload.levels[0].tasks).toEqual(
      expect.arrayContaining([expect.objectContaining({ userId: w.users.bob, status: 'approved', comment: '同意' }), expect.objectContaining({ userId: w.users.erin, status: 'closed' })]),
    );
    // The outcome's system message holds nothing some readers may not see: the room gets it whole.
    await until(() => alice.seen.find((e) => e.event === 'message:new' && e.data.threadId === thread && e.data.payload?.event === 'approval.outcome'), 'the outcome');
  });

  it('refuses the socket action to anyone but the approvers, as over HTTP', async () => {
    const id = await w.expense();
    const submitted = await w.submit('either', id);
    await w.started(submitted.id);
    const frank = await client('frank');
    expect(await frank.call('approval:act', { approvalId: submitted.id, action: 'approve' })).toMatchObject({ error: { code: 'APPROVAL_NOT_FOUND' } });
    ok(await w.as.alice.post(`${EXPENSES}/${id}/shares`, { grantee: { kind: 'user', id: w.users.frank }, access: 'read' }), 201);
    expect(await frank.call('approval:act', { approvalId: submitted.id, action: 'approve' })).toMatchObject({ error: { code: 'APPROVAL_NOT_APPROVER' } });
    const erin = await client('erin');
    expect(await erin.call('approval:act', { approvalId: submitted.id, action: 'reject' })).toMatchObject({ error: { code: 'APPROVAL_REASON_REQUIRED' } });
    expect(await erin.call('approval:act', { approvalId: 'nope', action: 'approve' })).toMatchObject({ error: { code: 'FAILED_VALIDATION' } });
    expect(await erin.call('approval:act', { approvalId: submitted.id, action: 'dance' })).toMatchObject({ error: { code: 'FAILED_VALIDATION' } });
    expect(ok(await w.admin.get(`/api/v1/approvals/${submitted.id}`)).status).toBe('pending');
  });
});

import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { accessWorld, DEALS, ok, PASSWORD, type AccessWorld } from '../access/access-fixture.ts';
import { inOneStatement, inTransaction, systemCtx } from '../core/context.ts';
import { publishEvent } from '../events/index.ts';
import { appendMessages } from '../threads/append.ts';
import { servedForSockets, until, type TestClient } from './socket-testing.ts';

/**
 * A person's message is delivered to its thread's room by the process that stored it, right after
 * commit, with its realtime deliveries held meanwhile; the dispatcher takes over only when that
 * process cannot (it died, or an earlier event of the thread still waits).
 */
let w: AccessWorld;
const served = servedForSockets(async () => (w = await accessWorld()));

const ctx = () => systemCtx(w.t.platform, w.t.platform.workspaces.list()[0]!);
const threadOf = async (id: string) => ok(await w.admin.get(`${DEALS}/${id}/thread`)).id as string;
const inRoom = async (threadId: string) => {
  const ann = await served.connect('ann', PASSWORD);
  expect(await ann.call('thread:join', { threadId })).toMatchObject({ ok: true });
  return ann;
};
const newMessages = (client: TestClient, prefix: string) => client.seen.filter((e) => e.event === 'message:new' && String(e.data.body).startsWith(prefix));
/** The realtime delivery of each message's `message.created` event. */
const deliveriesOf = (messageIds: string[]) =>
  ctx()
    .db.selectFrom('outbox_deliveries as d')
    .innerJoin('outbox_events as e', 'e.id', 'd.event_id')
    .select(['d.status', 'd.attempts'])
    .where('d.consumer', '=', 'realtime')
    .where('e.type', '=', 'message.created')
    .where(sql<string>`e.payload->>'messageId'`, 'in', messageIds)
    .orderBy('d.event_id')
    .execute();

describe('a sent message, live', () => {
  it('reaches the room once, from the process that stored it, without the dispatcher', async () => {
    const thread = await threadOf(w.deals.ann);
    const ann = await inRoom(thread);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(ok(await w.as.bob.post(`/api/v1/threads/${thread}/messages`, { clientId: `once-${i}`, body: `once ${i}` }), 201).id);
    await until(() => newMessages(ann, 'once').length === 5, 'five messages');
    await w.t.platform.outbox.idle();
    await new Promise((r) => setTimeout(r, 100));
    expect(newMessages(ann, 'once').map((e) => e.data.id)).toEqual(ids);
    expect(await deliveriesOf(ids)).toEqual(ids.map(() => ({ status: 'done', attempts: 0 })));
  });

  it('waits behind an earlier event of the thread that is not delivered yet, and keeps the order', async () => {
    const thread = await threadOf(w.deals.ann);
    const ann = await inRoom(thread);
    await inTransaction(ctx(), async (tx) => {
      const event = await publishEvent(tx, { aggregateType: 'thread', aggregateId: thread, type: 'thread.read', payload: { threadId: thread, userId: w.users.bob, seq: 0 } });
      // As if its delivery had failed once and were backing off.
      await tx.db.updateTable('outbox_deliveries').set({ next_attempt_at: new Date(Date.now() + 800) }).where('event_id', '=', event).where('consumer', '=', 'realtime').execute();
    });
    const sent = ok(await w.as.bob.post(`/api/v1/threads/${thread}/messages`, { clientId: 'behind', body: 'behind the receipt' }), 201);
    await until(() => newMessages(ann, 'behind').length === 1, 'the message, after the receipt');
    const events = ann.seen.map((e) => e.event);
    expect(events.indexOf('receipt')).toBeGreaterThanOrEqual(0);
    expect(events.indexOf('receipt')).toBeLessThan(events.indexOf('message:new'));
    await until(async () => (await deliveriesOf([sent.id]))[0]?.status === 'done', 'the delivery settled');
    expect(await deliveriesOf([sent.id])).toEqual([{ status: 'done', attempts: 1 }]);
  });

  it('is delivered by the dispatcher once its hold runs out, when the storing process never delivered it', async () => {
    const thread = await threadOf(w.deals.ann);
    const ann = await inRoom(thread);
    // Stored with its delivery held, as by a process killed right after commit.
    const [row] = await inOneStatement(ctx(), (tx) =>
      appendMessages(tx, thread, [{ kind: 'user', authorId: w.users.bob, clientId: 'orphan', body: 'orphaned' }], { readMarkRole: 'follower', followMentions: false, live: { held: { consumer: 'realtime', ms: 500 }, inflight: [] } }),
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(newMessages(ann, 'orphaned')).toEqual([]);
    await until(() => newMessages(ann, 'orphaned').length === 1, 'the orphaned message');
    // The dispatcher settles a delivery after its emits: the socket may hear it first.
    await until(async () => (await deliveriesOf([row!.id]))[0]?.status === 'done', 'the delivery settled');
    expect(await deliveriesOf([row!.id])).toEqual([{ status: 'done', attempts: 1 }]);
  });
});

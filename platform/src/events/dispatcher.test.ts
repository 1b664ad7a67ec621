import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform } from '../boot/start-platform.ts';
import { inTransaction, systemCtx, type Ctx } from '../core/context.ts';
import { startTestPlatform, testTarget, type TestPlatform } from '../testing/index.ts';
import { OutboxDispatcher, publishEvent, type DeliveredEvent } from './index.ts';

type Seen = { consumer: string; aggregate: string; seq: number; type: string; attempt: number };

const seen: Seen[] = [];
/** Per event type, how many attempts fail before one succeeds (Infinity: always fails). */
const failures = new Map<string, number>();

function recorder(name: string) {
  return async (event: DeliveredEvent) => {
    if (event.aggregateType !== 'test') return;
    const failFirst = failures.get(event.type) ?? 0;
    if (event.attempt <= failFirst) throw new Error(`refused attempt ${event.attempt}`);
    seen.push({ consumer: name, aggregate: event.aggregateId, seq: event.aggregateSeq, type: event.type, attempt: event.attempt });
  };
}

function newOutbox() {
  const outbox = new OutboxDispatcher();
  outbox.register('first', recorder('first'), { maxAttempts: 3, backoffMs: () => 20 });
  outbox.register('second', recorder('second'), { maxAttempts: 3, backoffMs: () => 20 });
  outbox.register('picky', recorder('picky'), { types: ['created'] });
  return outbox;
}

let t: TestPlatform;
let ctx: Ctx;

beforeAll(async () => {
  t = await startTestPlatform({ env: { TB_DEMO: '0' }, outbox: newOutbox() });
  ctx = systemCtx(t.platform, t.platform.workspaces.list()[0]!);
});
afterAll(() => t.close());

async function publish(aggregate: string, type: string) {
  await inTransaction(ctx, (tx) => publishEvent(tx, { aggregateType: 'test', aggregateId: aggregate, type, payload: { type } }));
}

async function until(check: () => boolean | Promise<boolean>, ms = 10_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const of = (aggregate: string, consumer = 'first') => seen.filter((s) => s.aggregate === aggregate && s.consumer === consumer);

describe('outbox dispatcher', () => {
  it('delivers a committed event once to every consumer, woken at commit', async () => {
    await publish('a1', 'created');
    await until(() => of('a1', 'first').length === 1 && of('a1', 'second').length === 1);
    await t.platform.outbox.idle();
    expect(of('a1')).toEqual([{ consumer: 'first', aggregate: 'a1', seq: 1, type: 'created', attempt: 1 }]);
  });

  it('writes an event only for the consumers that handle its type', async () => {
    await publish('typed', 'created');
    await publish('typed', 'renamed');
    await until(() => of('typed').length === 2 && of('typed', 'picky').length === 1);
    await t.platform.outbox.idle();
    expect(of('typed', 'picky').map((s) => s.type)).toEqual(['created']);
    const written = await ctx.db
      .selectFrom('outbox_deliveries as d')
      .innerJoin('outbox_events as e', 'e.id', 'd.event_id')
      .select(['e.type', 'd.consumer'])
      .where('e.aggregate_id', '=', 'typed')
      .orderBy('e.id')
      .orderBy('d.consumer')
      .execute();
    expect(written.map((w) => `${w.type}:${w.consumer}`)).toEqual(['created:first', 'created:picky', 'created:second', 'renamed:first', 'renamed:second']);
  });

  it('stands in, a moment later, for another process that commits events and dispatches them itself', async () => {
    // A writer that says it delivers its own events, then dies before doing so.
    const writer = { tag: 'a-dead-writer', dispatching: true, consumerInterests: () => t.platform.outbox.consumerInterests(), wake: () => {} };
    const deadWriter = { ...ctx, platform: { ...ctx.platform, outbox: writer as unknown as OutboxDispatcher } };
    // Nothing else may wake this process's dispatcher meanwhile (no retry or lease timers: the tests that set them come later).
    await t.platform.outbox.idle();
    const committedAt = Date.now();
    await inTransaction(deadWriter, (tx) => publishEvent(tx, { aggregateType: 'test', aggregateId: 'stand-in', type: 'created', payload: {} }));
    await until(() => of('stand-in').length === 1);
    expect(Date.now() - committedAt).toBeGreaterThanOrEqual(90);
    await t.platform.outbox.idle();
    expect(of('stand-in')).toHaveLength(1);
  });

  it('never delivers an event whose transaction rolled back', async () => {
    await expect(
      inTransaction(ctx, async (tx) => {
        await publishEvent(tx, { aggregateType: 'test', aggregateId: 'rolled', type: 'created', payload: {} });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    await publish('after-rollback', 'created');
    await until(() => of('after-rollback').length === 1);
    expect(of('rolled')).toEqual([]);
  });

  it('keeps commit order per aggregate under concurrent publishers', async () => {
    await Promise.all(Array.from({ length: 12 }, (_, i) => publish(i % 2 ? 'odd' : 'even', `e${i}`)));
    await until(() => of('odd').length === 6 && of('even').length === 6);
    for (const aggregate of ['odd', 'even']) {
      expect(of(aggregate).map((s) => s.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    }
  });

  it('retries a failing delivery with backoff and holds back later events of the same aggregate meanwhile', async () => {
    failures.set('flaky', 2);
    await publish('retry', 'flaky');
    await publish('retry', 'next');
    await publish('bystander', 'created');
    await until(() => of('retry').length === 2);
    expect(of('retry').map((s) => [s.type, s.attempt])).toEqual([
      ['flaky', 3],
      ['next', 1],
    ]);
    expect(of('bystander')).toHaveLength(1);
  });

  it('dead-letters a delivery after its attempts run out, and later events of the aggregate go on', async () => {
    failures.set('poison', Infinity);
    await publish('dead', 'poison');
    await publish('dead', 'after-poison');
    await until(() => of('dead').length === 1);
    expect(of('dead')[0]!.type).toBe('after-poison');
    const dead = await ctx.db
      .selectFrom('outbox_deliveries as d')
      .innerJoin('outbox_events as e', 'e.id', 'd.event_id')
      .select(['d.status', 'd.attempts', 'd.last_error'])
      .where('e.type', '=', 'poison')
      .where('d.consumer', '=', 'first')
      .executeTakeFirstOrThrow();
    expect(dead).toMatchObject({ status: 'dead', attempts: 3, last_error: 'refused attempt 3' });
  });

  it('redelivers a claim whose process died, once its lease runs out', async () => {
    await t.platform.outbox.stop();
    await publish('orphan', 'created');
    // What a process leaves behind when it dies between claiming a delivery and settling it.
    await ctx.db
      .updateTable('outbox_deliveries')
      .set({ attempts: 1, next_attempt_at: new Date(Date.now() + 300) })
      .where('status', '=', 'pending')
      .execute();
    await t.platform.outbox.start(t.platform);
    expect(of('orphan')).toEqual([]);
    await until(() => of('orphan').length === 1);
    expect(of('orphan')[0]!.attempt).toBe(2);
  });

  it.runIf(Boolean(process.env.DATABASE_URL))('another process is woken by NOTIFY and delivers what this one committed', async () => {
    await t.platform.outbox.stop();
    const other = await startPlatform({ config: t.config, target: testTarget(), outbox: newOutbox(), seed: false });
    try {
      await publish('cross', 'created');
      await until(() => of('cross').length === 1);
    } finally {
      await other.stop();
      await t.platform.outbox.start(t.platform);
    }
  });
});

import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemCtx, type Ctx } from '../core/context.ts';
import { loginAs, startTestPlatform, type ApiClient, type TestPlatform } from '../testing/index.ts';
import { field, label, objectDef } from '../testing/meta-builders.ts';
import { fireDueTimers, RETRY_MS } from './timers.ts';
import { PLAN_BATCH, planFlowTimers } from './timers-plan.ts';

let t: TestPlatform;
let admin: ApiClient;
let ctx: Ctx;

// Berlin has summer time: "1 day before" must keep the time of day across its change.
const ZONE = 'Europe/Berlin';
const task = objectDef('task', 'title', [field('title', 'text', { required: true }), field('due', 'date'), field('starts_at', 'datetime'), field('done', 'boolean'), field('points', 'integer')]);
const flow = (name: string, trigger: Record<string, unknown>) => ({
  name,
  label: label(name),
  trigger: { object: 'task', ...trigger },
  nodes: [
    { id: 'start', type: 'start', data: {} },
    { id: 'say', type: 'post_message', data: { text: 'Due soon: {{record.title}}' } },
    { id: 'end', type: 'end', data: {} },
  ],
  edges: [
    { id: 'a', source: 'start', target: 'say' },
    { id: 'b', source: 'say', target: 'end' },
  ],
});
const dayBefore = flow('day_before', { type: 'date', field: 'due', amount: 1, unit: 'days', direction: 'before', time: '09:00', condition: '!record.done' });
const afterStart = flow('after_start', { type: 'date', field: 'starts_at', amount: 90, unit: 'minutes', direction: 'after' });

async function publish(objects: unknown[], flows: unknown[]) {
  const saved = await admin.request('PUT', '/api/v1/meta/draft', { body: { objects, flows } });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  expect((await admin.post('/api/v1/meta/publish')).status).toBe(200);
  await planFlowTimers(ctx);
}
const timerOf = (flowName: string, id: string) => ctx.db.selectFrom('flow_timers').selectAll().where('flow', '=', flowName).where('record_id', '=', id).executeTakeFirst();
const dueOf = async (flowName: string, id: string) => {
  const row = await timerOf(flowName, id);
  return row?.due_at ? new Date(row.due_at).toISOString() : null;
};
const runsOn = async (flowName: string, id: string) =>
  ((await admin.get(`/api/v1/flows/${flowName}/runs`)).body.items as { recordId: string; trigger: Record<string, unknown> }[]).filter((r) => r.recordId === id);
const create = async (values: Record<string, unknown>) => (await admin.post('/api/v1/objects/task/records', values)).body.id as string;
const problemsOf = async (trigger: Record<string, unknown>) => {
  const res = await admin.request('PUT', '/api/v1/meta/draft', { body: { objects: [task], flows: [flow('bad', trigger)] } });
  expect(res.status).toBe(400);
  return res.body.error.details.problems as { path: string; code: string; message: string }[];
};

beforeAll(async () => {
  t = await startTestPlatform({ env: { TB_DEMO: '0', TB_TIME_ZONE: ZONE } });
  admin = await loginAs(t.app);
  ctx = systemCtx(t.platform, t.platform.workspaces.list()[0]!);
  await publish([task], [dayBefore, afterStart]);
});
afterAll(() => t.close());

describe('a date trigger is checked when saved', () => {
  it.each([
    ['a field the object lacks', { type: 'date', field: 'nope', amount: 1, unit: 'days', direction: 'before' }, 'flows.0.trigger.field', 'UNKNOWN_FIELD'],
    ['a field that holds no date', { type: 'date', field: 'points', amount: 1, unit: 'days', direction: 'before' }, 'flows.0.trigger.field', 'NOT_A_DATE_FIELD'],
    ['a time of day on a datetime field', { type: 'date', field: 'starts_at', amount: 1, unit: 'days', direction: 'before', time: '09:00' }, 'flows.0.trigger.time', 'TIME_ON_DATETIME'],
    ['a condition that does not type-check', { type: 'date', field: 'due', amount: 1, unit: 'days', direction: 'before', condition: 'record.nope' }, 'flows.0.trigger.condition', 'INVALID_EXPRESSION'],
  ])('refuses %s', async (_, trigger, path, code) => {
    expect(await problemsOf(trigger)).toContainEqual(expect.objectContaining({ path, code }));
  });

  it('refuses a time that is no time of day', async () => {
    const res = await admin.request('PUT', '/api/v1/meta/draft', { body: { objects: [task], flows: [flow('bad', { type: 'date', field: 'due', amount: 1, unit: 'days', direction: 'before', time: '25:00' })] } });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.error)).toContain('time');
  });
});

describe('a date trigger', () => {
  it("plans one firing per record, counting days on the workspace's calendar", async () => {
    // Summer time starts in Berlin on 31 March 2030: the day before, 09:00 is still UTC+1.
    const id = await create({ title: 'Report', due: '2030-03-31', starts_at: '2030-03-31T10:00:00+02:00' });
    expect(await dueOf('day_before', id)).toBe('2030-03-30T08:00:00.000Z');
    expect(await dueOf('after_start', id)).toBe('2030-03-31T09:30:00.000Z');
  });

  it('fires when its time comes, on the record, once', async () => {
    const id = await create({ title: 'Taxes', due: '2031-05-20' });
    const due = new Date((await dueOf('day_before', id))!);
    expect(due.toISOString()).toBe('2031-05-19T07:00:00.000Z');
    await fireDueTimers(t.platform, new Date(due.getTime() - 60_000));
    expect(await runsOn('day_before', id)).toEqual([]);
    await fireDueTimers(t.platform, new Date(due.getTime() + 500));
    const runs = await runsOn('day_before', id);
    expect(runs).toEqual([expect.objectContaining({ trigger: { kind: 'date', field: 'due', value: '2031-05-20', at: due.toISOString() } })]);
    expect(await timerOf('day_before', id)).toBeUndefined();
    await fireDueTimers(t.platform, new Date(due.getTime() + 86_400_000));
    expect(await runsOn('day_before', id)).toHaveLength(1);
  });

  it('moves when the date changes, and goes when the date is cleared, already past, or the record deleted', async () => {
    const id = await create({ title: 'Moving', due: '2032-01-10' });
    expect(await dueOf('day_before', id)).toBe('2032-01-09T08:00:00.000Z');
    await admin.patch(`/api/v1/objects/task/records/${id}`, { due: '2032-02-10' });
    expect(await dueOf('day_before', id)).toBe('2032-02-09T08:00:00.000Z');
    await admin.patch(`/api/v1/objects/task/records/${id}`, { title: 'Renamed' });
    expect(await dueOf('day_before', id)).toBe('2032-02-09T08:00:00.000Z');
    await admin.patch(`/api/v1/objects/task/records/${id}`, { due: null });
    expect(await timerOf('day_before', id)).toBeUndefined();
    await admin.patch(`/api/v1/objects/task/records/${id}`, { due: '2020-01-01' });
    expect(await timerOf('day_before', id)).toBeUndefined();
    await admin.patch(`/api/v1/objects/task/records/${id}`, { due: '2032-03-10' });
    expect(await timerOf('day_before', id)).toBeDefined();
    expect((await admin.delete(`/api/v1/objects/task/records/${id}`)).status).toBe(204);
    expect(await timerOf('day_before', id)).toBeUndefined();
  });

  it('does not start a run when its condition does not hold at the time', async () => {
    const id = await create({ title: 'Already done', due: '2033-06-01', done: true });
    const due = new Date((await dueOf('day_before', id))!);
    await fireDueTimers(t.platform, new Date(due.getTime() + 500));
    expect(await runsOn('day_before', id)).toEqual([]);
    expect(await timerOf('day_before', id)).toBeUndefined();
  });

  it('reads the record again when it fires, should its date have moved without its save being seen', async () => {
    const id = await create({ title: 'Sneaky', due: '2034-06-01' });
    const due = new Date((await dueOf('day_before', id))!);
    await sql`update ${sql.table(`${ctx.workspace.schemas.data}.task`)} set due = '2034-07-01' where id = ${id}`.execute(ctx.db);
    await fireDueTimers(t.platform, new Date(due.getTime() + 500));
    expect(await runsOn('day_before', id)).toEqual([]);
    expect(await dueOf('day_before', id)).toBe('2034-06-30T07:00:00.000Z');
  });
});

describe('a date trigger that fails to fire', () => {
  it('is tried again a minute later, and fires then', async () => {
    const id = await create({ title: 'Stuck', due: '2036-04-01' });
    const due = new Date((await dueOf('day_before', id))!);
    const task = `${ctx.workspace.schemas.data}.task`;
    // The table gone for a moment: reading the record fails.
    await sql`alter table ${sql.table(task)} rename to task_away`.execute(ctx.db);
    try {
      expect(await fireDueTimers(t.platform, new Date(due.getTime() + 500))).toBe(0);
    } finally {
      await sql`alter table ${sql.table(`${ctx.workspace.schemas.data}.task_away`)} rename to task`.execute(ctx.db);
    }
    expect(await dueOf('day_before', id)).toBe(new Date(due.getTime() + 500 + RETRY_MS).toISOString());
    await fireDueTimers(t.platform, new Date(due.getTime() + 500 + RETRY_MS));
    expect(await runsOn('day_before', id)).toHaveLength(1);
  });
});

describe('publishing a date trigger', () => {
  it('plans the existing records in the background, in batches, skipping times already past', async () => {
    const data = sql.table(`${ctx.workspace.schemas.data}.task`);
    const count = PLAN_BATCH + 500;
    // Every third one has its time in the past; the others one day apart from 2040 on.
    await sql`insert into ${data} (id, title, due) select gen_random_uuid(), 'Old ' || g, case when g % 3 = 0 then date '2001-01-01' else date '2040-01-01' + g end from generate_series(1, ${count}) g`.execute(ctx.db);
    const later = flow('later', { type: 'date', field: 'due', amount: 2, unit: 'hours', direction: 'after' });
    await publish([task], [dayBefore, afterStart, later]);
    for (const end = Date.now() + 20_000; ; ) {
      const plan = await ctx.db.selectFrom('flow_timer_plans').selectAll().where('flow', '=', 'later').executeTakeFirstOrThrow();
      if (plan.done) break;
      if (Date.now() > end) throw new Error('planning did not finish');
      await new Promise((r) => setTimeout(r, 100));
    }
    const { n } = await ctx.db.selectFrom('flow_timers').select((eb) => eb.fn.countAll<number>().as('n')).where('flow', '=', 'later').where('record_id', 'is not', null).executeTakeFirstOrThrow();
    const future = await sql<{ n: number }>`select count(*)::int as n from ${data} where due > now()`.execute(ctx.db);
    expect(Number(n)).toBe(future.rows[0]!.n);
    expect(Number(n)).toBeGreaterThan((count * 2) / 3 - 1);
    const sample = await sql<{ due: string; at: Date }>`select d.due::text as due, f.due_at as at from ${data} d join ${sql.table(`${ctx.workspace.schemas.system}.flow_timers`)} f on f.record_id = d.id and f.flow = 'later' where d.title = 'Old 1'`.execute(ctx.db);
    // 2040-01-02 00:00 in Berlin (UTC+1) plus two hours.
    expect(sample.rows.map((r) => [r.due, new Date(r.at).toISOString()])).toEqual([['2040-01-02', '2040-01-02T01:00:00.000Z']]);
  });

  it('plans again when the trigger changes, and drops its timers when archived', async () => {
    const id = await create({ title: 'Replanned', due: '2035-09-10' });
    expect(await dueOf('day_before', id)).toBe('2035-09-09T07:00:00.000Z');
    const earlier = { ...dayBefore, trigger: { ...dayBefore.trigger, amount: 3 } };
    await publish([task], [earlier, afterStart]);
    for (const end = Date.now() + 20_000; (await dueOf('day_before', id)) !== '2035-09-07T07:00:00.000Z'; ) {
      if (Date.now() > end) throw new Error(`not planned again: ${await dueOf('day_before', id)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await publish([task], [afterStart]);
    expect(await ctx.db.selectFrom('flow_timers').select('flow').where('flow', 'in', ['day_before', 'later']).execute()).toEqual([]);
  });
});

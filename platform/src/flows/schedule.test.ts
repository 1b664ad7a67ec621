import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemCtx, type Ctx } from '../core/context.ts';
import { loginAs, startTestPlatform, type ApiClient, type TestPlatform, eventually } from '../testing/index.ts';
import { field, label, objectDef } from '../testing/meta-builders.ts';
import { fireDueTimers } from './timers.ts';
import { planFlowTimers } from './timers-plan.ts';

let t: TestPlatform;
let admin: ApiClient;
let ctx: Ctx;

const note = objectDef('note', 'title', [field('title', 'text', { required: true })]);
/** A scheduled flow writes down when it ran: start → a note titled with the trigger's time → end. */
const scheduled = (cron: string, extra: Record<string, unknown> = {}) => ({
  name: 'daily',
  label: label('Daily'),
  trigger: { type: 'schedule', cron },
  nodes: [
    { id: 'start', type: 'start', data: {} },
    { id: 'write', type: 'create_record', data: { object: 'note', values: { title: { expr: '`ran ${steps.start.kind} ${steps.start.at}`' } } } },
    { id: 'end', type: 'end', data: {} },
  ],
  edges: [
    { id: 'a', source: 'start', target: 'write' },
    { id: 'b', source: 'write', target: 'end' },
  ],
  ...extra,
});

async function publish(flows: unknown[]) {
  const saved = await admin.request('PUT', '/api/v1/meta/draft', { body: { objects: [note], flows } });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  expect((await admin.post('/api/v1/meta/publish')).status).toBe(200);
  await planFlowTimers(ctx);
}
const timer = () => ctx.db.selectFrom('flow_timers').selectAll().where('flow', '=', 'daily').executeTakeFirst();
const runs = async () => (await admin.get('/api/v1/flows/daily/runs')).body.items as { id: string; status: string; recordId: string | null; trigger: { kind: string; at: string } }[];

const until = eventually;
beforeAll(async () => {
  t = await startTestPlatform({ env: { TB_DEMO: '0', TB_TIME_ZONE: 'Asia/Shanghai' } });
  admin = await loginAs(t.app);
  ctx = systemCtx(t.platform, t.platform.workspaces.list()[0]!);
});
afterAll(() => t.close());

describe('a scheduled flow', () => {
  it('is refused with a cron expression that does not parse', async () => {
    for (const [cron, says] of [['0 9 * *', 'five fields'], ['0 25 * * *', 'Constraint error'], ['0 0 9 * * *', 'five fields']] as const) {
      const res = await admin.request('PUT', '/api/v1/meta/draft', { body: { objects: [note], flows: [scheduled(cron)] } });
      expect(res.status).toBe(400);
      expect(res.body.error.details.problems).toEqual([expect.objectContaining({ path: 'flows.0.trigger.cron', code: 'INVALID_SCHEDULE', message: expect.stringContaining(says) })]);
    }
  });

  it("is planned at publish for the next time its cron names in the workspace's time zone", async () => {
    const before = new Date();
    await publish([scheduled('30 9 * * *')]);
    const planned = await timer();
    expect(planned).toMatchObject({ kind: 'schedule', record_id: null, plan: 'schedule Asia/Shanghai 30 9 * * *' });
    const due = new Date(planned!.due_at!);
    // 09:30 in Shanghai (UTC+8, no summer time) is 01:30 UTC, within the coming day.
    expect([due.getUTCHours(), due.getUTCMinutes()]).toEqual([1, 30]);
    expect(due.getTime() - before.getTime()).toBeGreaterThan(0);
    expect(due.getTime() - before.getTime()).toBeLessThanOrEqual(86_400_000);
  });

  it('starts one run on no record when its time comes, and plans the next day', async () => {
    const due = new Date((await timer())!.due_at!);
    expect(await fireDueTimers(t.platform, new Date(due.getTime() - 5000))).toBe(0);
    expect(await fireDueTimers(t.platform, new Date(due.getTime() + 2000))).toBe(1);
    const [run] = await runs();
    expect(run).toMatchObject({ recordId: null, trigger: { kind: 'schedule', at: due.toISOString() } });
    expect(new Date((await timer())!.due_at!).getTime()).toBe(due.getTime() + 86_400_000);
    const done = await until(async () => (await admin.get(`/api/v1/flow-runs/${run!.id}`)).body, (r) => r.status !== 'running');
    expect(done.status, JSON.stringify(done.steps)).toBe('done');
    const notes = (await admin.get('/api/v1/objects/note/records')).body.items.map((n: { title: string }) => n.title);
    expect(notes).toEqual([`ran schedule ${due.toISOString()}`]);
  });

  it('fires each time once, however many processes look at once', async () => {
    const due = new Date((await timer())!.due_at!);
    const at = new Date(due.getTime() + 1000);
    const started = await Promise.all([fireDueTimers(t.platform, at), fireDueTimers(t.platform, at), fireDueTimers(t.platform, at)]);
    expect(started.reduce((a, b) => a + b, 0)).toBe(1);
    expect(await fireDueTimers(t.platform, at)).toBe(0);
    expect(await runs()).toHaveLength(2);
  });

  it('fires a time missed while nothing ran once, then goes on from now', async () => {
    const due = new Date((await timer())!.due_at!);
    const weekLater = new Date(due.getTime() + 7 * 86_400_000 + 60_000);
    expect(await fireDueTimers(t.platform, weekLater)).toBe(1);
    expect(new Date((await timer())!.due_at!).getTime()).toBe(due.getTime() + 8 * 86_400_000);
  });

  it('is planned again when its schedule changes, and dropped when it is deactivated or archived', async () => {
    await publish([scheduled('0 18 * * 1')]);
    const moved = await timer();
    expect(moved!.plan).toBe('schedule Asia/Shanghai 0 18 * * 1');
    const due = new Date(moved!.due_at!);
    // Monday 18:00 in Shanghai is Monday 10:00 UTC.
    expect([due.getUTCDay(), due.getUTCHours(), due.getUTCMinutes()]).toEqual([1, 10, 0]);
    await publish([scheduled('0 18 * * 1', { active: false })]);
    expect(await timer()).toBeUndefined();
    await publish([scheduled('0 18 * * 1')]);
    expect(await timer()).toBeDefined();
    await publish([]);
    expect(await timer()).toBeUndefined();
    expect(await ctx.db.selectFrom('flow_timer_plans').selectAll().execute()).toEqual([]);
  });

  it('does not fire a time left over from a flow archived since', async () => {
    const count = (await runs()).length;
    // As if a process had planned the time just before the archive was planned: it is there when due.
    const due = new Date(Date.now() - 1000);
    await ctx.db.insertInto('flow_timers').values({ flow: 'daily', record_id: null, kind: 'schedule', object: null, plan: 'schedule Asia/Shanghai 0 9 * * *', due_at: due, activity_at: null }).execute();
    expect(await fireDueTimers(t.platform)).toBe(0);
    expect(await timer()).toBeUndefined();
    expect(await runs()).toHaveLength(count);
  });
});

import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction, systemCtx, type Ctx } from '../core/context.ts';
import { updateRecord } from '../records/service.ts';
import { appendMessage } from '../threads/index.ts';
import { loginAs, startTestPlatform, type ApiClient, type TestPlatform, eventually } from '../testing/index.ts';
import { field, label, objectDef, option } from '../testing/meta-builders.ts';
import { fireDueTimers } from './timers.ts';
import { planFlowTimers } from './timers-plan.ts';

let t: TestPlatform;
let admin: ApiClient;
let ctx: Ctx;

const HOURS = 2;
const QUIET_MS = HOURS * 3_600_000;
const lead = objectDef('lead', 'title', [field('title', 'text', { required: true }), field('stage', 'single_select', { options: [option('open'), option('closed')] })]);
/** Reminds in the lead's thread after two quiet hours, unless it is closed; its own message is no activity. */
const nudge = {
  name: 'nudge',
  label: label('Nudge'),
  trigger: { type: 'inactivity', object: 'lead', amount: HOURS, unit: 'hours', condition: 'record.stage !== "closed"' },
  nodes: [
    { id: 'start', type: 'start', data: {} },
    { id: 'say', type: 'post_message', data: { text: 'Quiet since {{steps.start.quietSince}}: {{record.title}}' } },
    { id: 'end', type: 'end', data: {} },
  ],
  edges: [
    { id: 'a', source: 'start', target: 'say' },
    { id: 'b', source: 'say', target: 'end' },
  ],
};

async function publish(flows: unknown[]) {
  const saved = await admin.request('PUT', '/api/v1/meta/draft', { body: { objects: [lead], flows } });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  expect((await admin.post('/api/v1/meta/publish')).status).toBe(200);
  await planFlowTimers(ctx);
}
const timerOf = (id: string) => ctx.db.selectFrom('flow_timers').selectAll().where('flow', '=', 'nudge').where('record_id', '=', id).executeTakeFirst();
const dueOf = async (id: string) => {
  const due = (await timerOf(id))?.due_at;
  return due ? new Date(due) : null;
};
const runsOn = async (id: string) => ((await admin.get('/api/v1/flows/nudge/runs')).body.items as { id: string; recordId: string; trigger: Record<string, unknown> }[]).filter((r) => r.recordId === id);
const create = async (values: Record<string, unknown>) => (await admin.post('/api/v1/objects/lead/records', { stage: 'open', ...values })).body.id as string;
const threadOf = async (id: string) => (await admin.get(`/api/v1/objects/lead/records/${id}/thread`)).body.id as string;
const say = async (id: string, body: string) => expect((await admin.post(`/api/v1/threads/${await threadOf(id)}/messages`, { body, clientId: body })).status).toBe(201);
/** As if the record had been created an hour ago, as far as its timer knows. */
const anHourAgo = (id: string) =>
  ctx.db.updateTable('flow_timers').set((eb) => ({ due_at: sql`${eb.ref('due_at')} - interval '1 hour'`, activity_at: sql`${eb.ref('activity_at')} - interval '1 hour'` })).where('record_id', '=', id).execute();
const later = (from: Date, ms: number) => new Date(from.getTime() + ms);

const until = eventually;
beforeAll(async () => {
  t = await startTestPlatform({ env: { TB_DEMO: '0' } });
  admin = await loginAs(t.app);
  ctx = systemCtx(t.platform, t.platform.workspaces.list()[0]!);
  await publish([nudge]);
});
afterAll(() => t.close());

describe('an inactivity trigger', () => {
  it('is refused without a quiet time, or on an object that does not exist', async () => {
    const bad = (trigger: Record<string, unknown>) => admin.request('PUT', '/api/v1/meta/draft', { body: { objects: [lead], flows: [{ ...nudge, trigger: { ...nudge.trigger, ...trigger } }] } });
    expect((await bad({ amount: 0 })).status).toBe(400);
    const ghost = await bad({ object: 'ghost' });
    expect(ghost.body.error.details.problems).toContainEqual(expect.objectContaining({ path: 'flows.0.trigger.object', code: 'UNKNOWN_OBJECT' }));
  });

  it('is armed when a record is created, and fires once when the record has been quiet that long', async () => {
    const before = new Date();
    const id = await create({ title: 'Acme' });
    const due = (await dueOf(id))!;
    expect(due.getTime() - before.getTime()).toBeGreaterThanOrEqual(QUIET_MS);
    expect(due.getTime() - Date.now()).toBeLessThanOrEqual(QUIET_MS);
    await fireDueTimers(t.platform, later(due, -60_000));
    expect(await runsOn(id)).toEqual([]);
    await fireDueTimers(t.platform, later(due, 500));
    const [run] = await runsOn(id);
    expect(run!.trigger).toMatchObject({ kind: 'inactivity', at: due.toISOString() });
    const done = await until(async () => (await admin.get(`/api/v1/flow-runs/${run!.id}`)).body, (r) => r.status !== 'running');
    expect(done.status, JSON.stringify(done.steps)).toBe('done');
    // Fired: it sleeps until the next activity, and the flow's own message is none.
    expect(await timerOf(id)).toMatchObject({ due_at: null });
    await fireDueTimers(t.platform, later(due, 30 * 86_400_000));
    expect(await runsOn(id)).toHaveLength(1);
  });

  it("is armed again by a person's message in the record's thread, and by a person's change", async () => {
    const id = await create({ title: 'Globex' });
    const first = (await dueOf(id))!;
    await fireDueTimers(t.platform, later(first, 500));
    expect(await runsOn(id)).toHaveLength(1);
    const before = new Date();
    await say(id, 'Any news?');
    const rearmed = (await dueOf(id))!;
    expect(rearmed.getTime()).toBeGreaterThanOrEqual(before.getTime() + QUIET_MS);
    await fireDueTimers(t.platform, later(rearmed, 500));
    expect(await runsOn(id)).toHaveLength(2);
    await admin.patch(`/api/v1/objects/lead/records/${id}`, { title: 'Globex Corp' });
    const third = (await dueOf(id))!;
    expect(third.getTime()).toBeGreaterThan(rearmed.getTime() - 60_000);
    await fireDueTimers(t.platform, later(third, 500));
    expect(await runsOn(id)).toHaveLength(3);
  });

  it('moves on with every activity before it fires, so that a busy record never fires', async () => {
    const id = await create({ title: 'Initech' });
    await anHourAgo(id);
    const first = (await dueOf(id))!;
    await say(id, 'Still on it');
    const moved = (await dueOf(id))!;
    expect(moved.getTime() - first.getTime()).toBeGreaterThan(3_500_000);
    await fireDueTimers(t.platform, later(first, 500));
    expect(await runsOn(id)).toEqual([]);
  });

  it('is not armed by changes that flows and system scripts make', async () => {
    const id = await create({ title: 'Umbrella' });
    const due = (await dueOf(id))!;
    await new Promise((r) => setTimeout(r, 20));
    await updateRecord(ctx, 'lead', id, { title: 'Umbrella (checked by a flow)' });
    expect((await dueOf(id))!.getTime()).toBe(due.getTime());
  });

  it('counts a message whose arming was lost when it falls due, and waits for the rest of the quiet time', async () => {
    const id = await create({ title: 'Hooli' });
    await anHourAgo(id);
    const due = (await dueOf(id))!;
    const thread = await threadOf(id);
    // Written without the listener that moves the timer, as if its process died right after the message.
    const { id: me } = await ctx.db.selectFrom('users').select('id').where('login', '=', 'admin').executeTakeFirstOrThrow();
    await inTransaction(ctx, (tx) => appendMessage(tx, thread, { kind: 'user', authorId: me, body: 'Quietly' }));
    expect((await dueOf(id))!.getTime()).toBe(due.getTime());
    await fireDueTimers(t.platform, later(due, 500));
    expect(await runsOn(id)).toEqual([]);
    expect((await dueOf(id))!.getTime()).toBeGreaterThan(due.getTime());
  });

  it('does not start a run when its condition does not hold, and goes with its record', async () => {
    const closed = await create({ title: 'Closed one', stage: 'closed' });
    const due = (await dueOf(closed))!;
    await fireDueTimers(t.platform, later(due, 500));
    expect(await runsOn(closed)).toEqual([]);
    expect(await timerOf(closed)).toMatchObject({ due_at: null });
    const gone = await create({ title: 'Deleted one' });
    expect(await timerOf(gone)).toBeDefined();
    expect((await admin.delete(`/api/v1/objects/lead/records/${gone}`)).status).toBe(204);
    expect(await timerOf(gone)).toBeUndefined();
  });
});

describe('publishing an inactivity trigger', () => {
  it('plans the existing records from their last activity: those quiet for long enough fire at once', async () => {
    await publish([]);
    const quiet = await create({ title: 'Quiet for days' });
    const busy = await create({ title: 'Busy' });
    const data = sql.table(`${ctx.workspace.schemas.data}.lead`);
    await sql`update ${data} set updated_at = now() - interval '3 days' where id in (${quiet}, ${busy})`.execute(ctx.db);
    await say(busy, 'Just now');
    await publish([nudge]);
    await until(() => ctx.db.selectFrom('flow_timer_plans').select('done').where('flow', '=', 'nudge').executeTakeFirstOrThrow(), (p) => p.done);
    expect((await dueOf(busy))!.getTime()).toBeGreaterThan(Date.now() + QUIET_MS - 60_000);
    // The quiet one is due at once: the process's own timer loop may fire it before this call does.
    await fireDueTimers(t.platform);
    const [run] = await until(() => runsOn(quiet), (runs) => runs.length > 0);
    expect(Math.abs(new Date(run!.trigger.quietSince as string).getTime() - (Date.now() - 3 * 86_400_000))).toBeLessThan(60_000);
    expect(await runsOn(quiet)).toHaveLength(1);
    expect(await runsOn(busy)).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction, systemCtx } from '../core/context.ts';
import { apiClient, loginAs, startTestPlatform, type ApiClient, type TestPlatform } from '../testing/index.ts';
import { field, label, objectDef } from '../testing/meta-builders.ts';
import { runFlowStep } from './actions.ts';
import { enqueueSchedule } from './schedule-plan.ts';
import { runDue } from './schedules.ts';

let t: TestPlatform;
let admin: ApiClient;
let member: ApiClient;
let dealId: string;

const deal = objectDef('deal', 'title', [field('title', 'text', { required: true }), field('amount', 'integer')]);
async function until(check: () => Promise<boolean>, ms: number): Promise<void> {
  for (const end = Date.now() + ms; !(await check()); ) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const script = (name: string, kind: string, source: string, extra: Record<string, unknown> = {}) => ({ name, label: label(name), kind, source, ...extra });

const scripts = [
  script('double', 'button', `export default async function () { if (ctx.object !== 'deal') return; const r = await records.update('deal', ctx.record.id, { amount: (ctx.record.amount ?? 0) * 2 }); return { message: 'Now ' + r.amount }; }`, {
    object: 'deal',
    button: { label: label('Double'), confirm: label('Double the amount?') },
  }),
  script('explode', 'button', `export default function () { throw new Error('kaboom'); }`, { object: 'deal', button: { label: label('Explode') } }),
  script('whoami', 'endpoint', `export default function (req: Threadbase.EndpointRequest) { return { user: ctx.user.login, method: req.method, q: req.query.q ?? null, payload: req.body }; }`, { endpoint: { methods: ['GET', 'POST'], auth: 'user' } }),
  script('hook', 'endpoint', `export default async function (req: Threadbase.EndpointRequest) { const d = await records.create('deal', { title: String((req.body as { title: string }).title) }); return { status: 201, body: { id: d.id }, headers: { 'x-made': 'yes', 'set-cookie': 'no' } }; }`, {
    endpoint: { methods: ['POST'], auth: 'secret', secret: 'HOOK_TOKEN' },
    runAs: 'system',
  }),
  script('total', 'flow_step', `export default async function (input: { factor: number }) { const all = await records.find('deal'); return { total: all.reduce((s, d) => s + (d.amount ?? 0), 0) * input.factor }; }`, {
    flowStep: { input: [{ name: 'factor', type: 'number' }], output: [{ name: 'total', type: 'number' }] },
  }),
  script('nightly', 'scheduled', `export default async function () { await records.create('deal', { title: 'made at night' }); log('done', ctx.trigger.kind); }`, { schedule: { cron: '0 3 * * *' }, runAs: 'system' }),
];

beforeAll(async () => {
  t = await startTestPlatform({ env: { TB_DEMO: '0' } });
  admin = await loginAs(t.app);
  await admin.post('/api/v1/org/users', { login: 'member', displayName: 'Member', password: 'member-password-1' });
  member = await loginAs(t.app, 'member', 'member-password-1');
  expect((await admin.request('PUT', '/api/v1/meta/draft', { body: { objects: [deal], scripts } })).status).toBe(200);
  expect((await admin.post('/api/v1/meta/publish')).status).toBe(200);
  dealId = (await admin.post('/api/v1/objects/deal/records', { title: 'Big one', amount: 21 })).body.id;
});
afterAll(() => t.close());

describe('button scripts', () => {
  it('are listed with their labels and confirmation, and answer a message when pressed', async () => {
    const actions = await member.get('/api/v1/objects/deal/actions');
    expect(actions.body.items).toEqual([
      { name: 'double', label: label('Double'), confirm: label('Double the amount?') },
      { name: 'explode', label: label('Explode'), confirm: null },
    ]);
    const pressed = await admin.post(`/api/v1/objects/deal/records/${dealId}/actions/double`);
    expect(pressed.status).toBe(200);
    expect(pressed.body).toMatchObject({ message: 'Now 42' });
    expect((await admin.get(`/api/v1/objects/deal/records/${dealId}`)).body.amount).toBe(42);
  });

  it('fail with the script\'s error for the user, and refuse unknown buttons and records', async () => {
    const failed = await admin.post(`/api/v1/objects/deal/records/${dealId}/actions/explode`);
    expect(failed.status).toBe(422);
    expect(failed.body.error).toMatchObject({ code: 'SCRIPT_FAILED', details: { script: 'explode', code: 'SCRIPT_ERROR' } });
    expect((await admin.post(`/api/v1/objects/deal/records/${dealId}/actions/nothing`)).body.error.code).toBe('SCRIPT_NOT_FOUND');
    expect((await admin.post(`/api/v1/objects/deal/records/0195f0c2-0000-7000-8000-000000000000/actions/double`)).status).toBe(404);
    expect((await apiClient(t.app).post(`/api/v1/objects/deal/records/${dealId}/actions/double`)).status).toBe(401);
  });
});

describe('endpoint scripts', () => {
  it('answer at /api/v1/x/{name} as the signed-in user, for their methods only', async () => {
    const got = await member.get('/api/v1/x/whoami?q=hi');
    expect(got.status, JSON.stringify(got.body)).toBe(200);
    expect(got.body).toEqual({ user: 'member', method: 'GET', q: 'hi', payload: null });
    expect((await member.post('/api/v1/x/whoami', { a: 1 })).body.payload).toEqual({ a: 1 });
    expect((await member.request('DELETE', '/api/v1/x/whoami')).status).toBe(405);
    expect((await apiClient(t.app).get('/api/v1/x/whoami')).status).toBe(401);
    expect((await member.get('/api/v1/x/nope')).body.error.code).toBe('SCRIPT_ENDPOINT_NOT_FOUND');
  });

  it('with a secret rule take only their secret, run as system and pass on only x- headers', async () => {
    await admin.request('PUT', '/api/v1/scripts/secrets/HOOK_TOKEN', { body: { value: 'sesame-1234' } });
    const anonymous = apiClient(t.app);
    expect((await anonymous.post('/api/v1/x/hook', { title: 'x' })).status).toBe(401);
    expect((await anonymous.request('POST', '/api/v1/x/hook', { body: { title: 'x' }, headers: { 'x-threadbase-secret': 'wrong' } })).body.error.code).toBe('SCRIPT_ENDPOINT_UNAUTHORIZED');
    const made = await anonymous.request('POST', '/api/v1/x/hook', { body: { title: 'From outside' }, headers: { 'x-threadbase-secret': 'sesame-1234' } });
    expect(made.status).toBe(201);
    expect(made.headers.get('x-made')).toBe('yes');
    expect(made.headers.get('set-cookie')).toBeNull();
    const record = await admin.get(`/api/v1/objects/deal/records/${made.body.id}`);
    expect(record.body).toMatchObject({ title: 'From outside', created_by: null });
  });
});

describe('flow step scripts', () => {
  it('check their input and output against what they declare', async () => {
    const ctx = systemCtx(t.platform, t.platform.workspaces.list()[0]!);
    const outcome = await runFlowStep(ctx, 'total', { factor: 2 });
    expect(outcome.ok && (outcome.value as { total: number }).total).toBeGreaterThan(0);
    await expect(runFlowStep(ctx, 'total', { factor: 'two' })).rejects.toMatchObject({ code: 'SCRIPT_INPUT_INVALID' });
    await expect(runFlowStep(ctx, 'total', { factor: 1, extra: true })).rejects.toMatchObject({ code: 'SCRIPT_INPUT_INVALID' });
  });
});

describe('test runs', () => {
  it('run the draft on a record, report what it would change, and change nothing', async () => {
    const before = (await admin.get(`/api/v1/objects/deal/records/${dealId}`)).body;
    const run = await admin.post('/api/v1/scripts/double/test-run', { recordId: dealId });
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ ok: true, value: { message: `Now ${before.amount * 2}` } });
    expect(run.body.effects.records).toEqual([{ op: 'update', object: 'deal', id: dealId, values: { amount: before.amount * 2 } }]);
    expect(run.body.usage).toMatchObject({ recordsWritten: 1, hostCalls: 1 });
    expect((await admin.get(`/api/v1/objects/deal/records/${dealId}`)).body).toEqual(before);
  });

  it('take unsaved source, and show its logs and errors', async () => {
    const run = await admin.post('/api/v1/scripts/double/test-run', { recordId: dealId, source: `export default function () { log.info('trying'); throw new Error('not yet'); }` });
    expect(run.body).toMatchObject({ ok: false, error: { code: 'SCRIPT_ERROR' }, logs: [{ level: 'info', message: 'trying' }] });
    expect((await member.post('/api/v1/scripts/double/test-run', { recordId: dealId })).status).toBe(403);
    expect((await admin.post('/api/v1/scripts/missing/test-run', {})).status).toBe(404);
  });
});

describe('scheduled scripts', () => {
  it('are planned at publish and run once per planned time', async () => {
    const ctx = systemCtx(t.platform, t.platform.workspaces.list()[0]!);
    const [plan] = await ctx.db.selectFrom('script_schedules').selectAll().execute();
    expect(plan).toMatchObject({ script: 'nightly', cron: '0 3 * * *' });
    expect(new Date(plan!.next_at).getTime()).toBeGreaterThan(Date.now());
    const message = { workspaceId: ctx.workspace.id, jobId: 'nightly' };
    await runDue(t.platform, message);
    expect((await admin.get('/api/v1/scripts/runs?script=nightly')).body.items).toEqual([]);
    await ctx.db.updateTable('script_schedules').set({ next_at: new Date(Date.now() - 1000) }).execute();
    await Promise.all([runDue(t.platform, message), runDue(t.platform, message)]);
    const runs = (await admin.get('/api/v1/scripts/runs?script=nightly')).body.items;
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'ok', trigger: 'schedule', logs: [{ level: 'log', message: 'done schedule' }] });
    const [replanned] = await ctx.db.selectFrom('script_schedules').selectAll().execute();
    expect(new Date(replanned!.next_at).getTime()).toBeGreaterThan(Date.now());
  });

  it('run from the job queue when their delayed job falls due', async () => {
    const ctx = systemCtx(t.platform, t.platform.workspaces.list()[0]!);
    const due = new Date(Date.now() + 1500);
    await inTransaction(ctx, async (tx) => {
      await tx.db.updateTable('script_schedules').set({ next_at: due }).execute();
      await enqueueSchedule(tx, 'nightly', due);
    });
    const runs = async () => (await admin.get('/api/v1/scripts/runs?script=nightly')).body.items as unknown[];
    await until(async () => (await runs()).length === 2, 15_000);
    expect(Date.now()).toBeGreaterThanOrEqual(due.getTime());
  });
});

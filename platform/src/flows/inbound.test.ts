import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemCtx, type Ctx } from '../core/context.ts';
import { loginAs, startTestPlatform, type ApiClient, type TestPlatform, eventually } from '../testing/index.ts';
import { field, label, objectDef } from '../testing/meta-builders.ts';
import { planFlowTimers } from './timers-plan.ts';

let t: TestPlatform;
let admin: ApiClient;
let member: ApiClient;
let ctx: Ctx;

const lead = objectDef('lead', 'title', [field('title', 'text', { required: true }), field('email', 'email')]);
const schema = {
  type: 'object',
  required: ['email'],
  properties: { email: { type: 'string', format: 'email' }, name: { type: 'string', minLength: 1 } },
  additionalProperties: false,
};
const flow = (name: string, trigger: Record<string, unknown>, values: Record<string, unknown>) => ({
  name,
  label: label(name),
  trigger,
  nodes: [
    { id: 'start', type: 'start', data: {} },
    { id: 'make', type: 'create_record', data: { object: 'lead', values } },
    { id: 'end', type: 'end', data: {} },
  ],
  edges: [
    { id: 'a', source: 'start', target: 'make' },
    { id: 'b', source: 'make', target: 'end' },
  ],
});
const intake = flow('intake', { type: 'webhook', payloadSchema: schema }, { title: { expr: 'steps.start.payload.name ?? "Someone"' }, email: { expr: 'steps.start.payload.email' } });
const anything = flow('anything', { type: 'webhook' }, { title: { expr: 'JSON.stringify(steps.start.payload)' } });
const byHand = flow('by_hand', { type: 'manual' }, { title: 'made by hand' });

/** A POST as an outside system makes it: no session, no token. */
const post = (path: string, body: string) => t.app.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
const answer = async (res: Response) => ({ status: res.status, body: (await res.json()) as any });
const hookOf = async (name: string) => (await admin.get(`/api/v1/flows/${name}/webhook`)).body as { path: string; secret: string };

const until = eventually;
beforeAll(async () => {
  t = await startTestPlatform({ env: { TB_DEMO: '0' } });
  admin = await loginAs(t.app);
  await admin.post('/api/v1/org/users', { login: 'member', displayName: 'Member', password: 'member-password-1' });
  member = await loginAs(t.app, 'member', 'member-password-1');
  ctx = systemCtx(t.platform, t.platform.workspaces.list()[0]!);
  const saved = await admin.request('PUT', '/api/v1/meta/draft', { body: { objects: [lead], flows: [intake, anything, byHand] } });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  expect((await admin.post('/api/v1/meta/publish')).status).toBe(200);
  await planFlowTimers(ctx);
});
afterAll(() => t.close());

describe('a webhook trigger is checked when saved', () => {
  it.each([
    ['a schema that is no JSON Schema', { type: 'nope' }],
    ['a schema with a keyword misspelt', { type: 'object', requried: ['email'] }],
  ])('refuses %s', async (_, payloadSchema) => {
    const res = await admin.request('PUT', '/api/v1/meta/draft', { body: { objects: [lead], flows: [flow('bad', { type: 'webhook', payloadSchema }, { title: 'x' })] } });
    expect(res.status).toBe(400);
    expect(res.body.error.details.problems).toEqual([expect.objectContaining({ path: 'flows.0.trigger.payloadSchema', code: 'INVALID_PAYLOAD_SCHEMA' })]);
  });
});

describe('a webhook flow', () => {
  it('has a secret URL made at publish, shown to administrators only', async () => {
    const hook = await hookOf('intake');
    expect(hook.path).toBe(`/api/v1/hooks/flows/intake/${hook.secret}`);
    expect(hook.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await hookOf('intake')).secret).toBe(hook.secret);
    expect((await member.get('/api/v1/flows/intake/webhook')).status).toBe(403);
    expect((await admin.get('/api/v1/flows/by_hand/webhook')).body.error.code).toBe('FLOW_NOT_WEBHOOK');
    expect((await admin.get('/api/v1/flows/ghost/webhook')).status).toBe(404);
  });

  it('starts a run with a payload that matches its schema, the payload being the start step\'s output', async () => {
    const { path } = await hookOf('intake');
    const res = await answer(await post(path, JSON.stringify({ email: 'ada@example.com', name: 'Ada' })));
    expect(res.status).toBe(202);
    const run = await until(async () => (await admin.get(`/api/v1/flow-runs/${res.body.runId}`)).body, (r) => r.status !== 'running');
    expect(run.status, JSON.stringify(run.steps)).toBe('done');
    expect(run).toMatchObject({ recordId: null, trigger: { kind: 'webhook', payload: { email: 'ada@example.com', name: 'Ada' } } });
    expect(run.steps[0].output.payload).toEqual({ email: 'ada@example.com', name: 'Ada' });
    const leads = (await admin.get('/api/v1/objects/lead/records')).body.items;
    expect(leads).toContainEqual(expect.objectContaining({ title: 'Ada', email: 'ada@example.com' }));
  });

  it('refuses a payload that does not match, with the schema\'s errors, and a body that is no JSON', async () => {
    const { path } = await hookOf('intake');
    const bad = await answer(await post(path, JSON.stringify({ email: 'not an address', name: '', extra: 1 })));
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('FLOW_PAYLOAD_INVALID');
    expect(bad.body.error.details.errors).toEqual(
      expect.arrayContaining([
        { path: '/', message: 'must NOT have additional properties' },
        { path: '/email', message: 'must match format "email"' },
        { path: '/name', message: 'must NOT have fewer than 1 characters' },
      ]),
    );
    expect((await answer(await post(path, '{"email":'))).body.error.code).toBe('INVALID_JSON');
    // No body at all is no payload (null), which this schema refuses.
    expect((await answer(await t.app.request(path, { method: 'POST' }))).body.error.code).toBe('FLOW_PAYLOAD_INVALID');
  });

  it('takes any JSON when it has no schema', async () => {
    const res = await answer(await post((await hookOf('anything')).path, '[1, "two"]'));
    expect(res.status).toBe(202);
    const run = await until(async () => (await admin.get(`/api/v1/flow-runs/${res.body.runId}`)).body, (r) => r.status !== 'running');
    expect(run.trigger.payload).toEqual([1, 'two']);
  });

  it('answers a wrong secret, an unknown flow and a flow of another kind alike, telling nothing', async () => {
    const { secret } = await hookOf('intake');
    const payload = JSON.stringify({ email: 'eve@example.com' });
    const answers = [
      await answer(await post(`/api/v1/hooks/flows/intake/${secret.slice(0, -1)}x`, payload)),
      await answer(await post('/api/v1/hooks/flows/intake/short', payload)),
      await answer(await post(`/api/v1/hooks/flows/ghost/${secret}`, payload)),
      await answer(await post(`/api/v1/hooks/flows/by_hand/${secret}`, payload)),
      await answer(await post(`/api/v1/hooks/flows/anything/${secret}`, payload)),
    ];
    for (const a of answers) expect(a).toEqual(answers[0]);
    expect(answers[0]!.status).toBe(404);
    expect(answers[0]!.body.error.code).toBe('FLOW_HOOK_NOT_FOUND');
    // What cannot be a flow's name or secret is refused before anything is looked up.
    for (const path of [`/api/v1/hooks/flows/%00/${secret}`, '/api/v1/hooks/flows/intake/%00', '/api/v1/hooks/flows/Intake!/x']) {
      expect((await post(path, payload)).status).toBe(400);
    }
  });

  it('gets a new secret when an administrator rotates it; the old URL stops working', async () => {
    const old = await hookOf('intake');
    expect((await member.post('/api/v1/flows/intake/webhook/rotate')).status).toBe(403);
    const rotated = await admin.post('/api/v1/flows/intake/webhook/rotate');
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(old.secret);
    const payload = JSON.stringify({ email: 'bob@example.com' });
    expect((await post(old.path, payload)).status).toBe(404);
    expect((await post(rotated.body.path, payload)).status).toBe(202);
    const audit = await ctx.db.selectFrom('audit_log').select(['action', 'target_id']).where('action', '=', 'flow.webhook_rotate').execute();
    expect(audit).toEqual([{ action: 'flow.webhook_rotate', target_id: 'intake' }]);
  });

  it('stops answering once the flow is deactivated', async () => {
    const { path } = await hookOf('intake');
    const saved = await admin.request('PUT', '/api/v1/meta/draft', { body: { objects: [lead], flows: [{ ...intake, active: false }, anything, byHand] } });
    expect(saved.status).toBe(200);
    expect((await admin.post('/api/v1/meta/publish')).status).toBe(200);
    expect((await post(path, JSON.stringify({ email: 'late@example.com' }))).status).toBe(404);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemCtx } from '../core/context.ts';
import { apiClient, loginAs, startTestPlatform, type ApiClient, type TestPlatform } from '../testing/index.ts';
import { field, label, objectDef } from '../testing/meta-builders.ts';
import { deliver } from './deliver.ts';
import { startReceiver, until, type Receiver } from './webhooks-fixture.ts';

let t: TestPlatform;
let admin: ApiClient;
let member: ApiClient;
let receiver: Receiver;

const edge = (source: string, target: string) => ({ id: `${source}-${target}`, source, target });

beforeAll(async () => {
  receiver = await startReceiver();
  t = await startTestPlatform({ env: { TB_DEMO: '0', TB_SCRIPT_HTTP_PRIVATE: '1' } });
  admin = await loginAs(t.app);
  await admin.post('/api/v1/org/users', { login: 'clerk', displayName: 'Clerk', password: 'member-password-1' });
  member = await loginAs(t.app, 'clerk', 'member-password-1');
  const flows = [
    { name: 'close_out', label: label('Close out'), trigger: { type: 'manual', object: 'deal' }, nodes: [{ id: 'start', type: 'start', data: {} }, { id: 'end', type: 'end', data: {} }], edges: [edge('start', 'end')] },
  ];
  const saved = await admin.request('PUT', '/api/v1/meta/draft', { body: { objects: [objectDef('deal', 'title', [field('title', 'text', { required: true })])], flows } });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  expect((await admin.post('/api/v1/meta/publish')).status).toBe(200);
});
afterAll(async () => {
  await t.close();
  await receiver.close();
});

const db = () => systemCtx(t.platform, t.platform.workspaces.list()[0]!).db;
const subscription = (path: string, extra: Record<string, unknown> = {}) => ({ name: `to ${path}`, url: receiver.url(path), events: ['record.created'], ...extra });
const deliveriesOf = async (id: string, query = '') => (await admin.get(`/api/v1/webhooks/${id}/deliveries${query}`)).body;
const finished = (id: string, count: number) =>
  until(() => deliveriesOf(id), (page) => page.items.length === count && page.items.every((d: { status: string }) => d.status === 'delivered' || d.status === 'failed'));

describe('the subscription API', () => {
  it('is for administrators only', async () => {
    const hook = (await admin.post('/api/v1/webhooks', subscription('/private'))).body;
    const anonymous = apiClient(t.app);
    const calls: [string, string, unknown?][] = [
      ['GET', '/api/v1/webhooks'],
      ['POST', '/api/v1/webhooks', subscription('/mine')],
      ['GET', `/api/v1/webhooks/${hook.id}`],
      ['PATCH', `/api/v1/webhooks/${hook.id}`, { active: false }],
      ['DELETE', `/api/v1/webhooks/${hook.id}`],
      ['POST', `/api/v1/webhooks/${hook.id}/rotate-secret`],
      ['POST', `/api/v1/webhooks/${hook.id}/test`],
      ['GET', `/api/v1/webhooks/${hook.id}/deliveries`],
      ['GET', `/api/v1/webhook-deliveries/${hook.id}`],
      ['POST', `/api/v1/webhook-deliveries/${hook.id}/replay`],
    ];
    for (const [method, path, body] of calls) {
      const asMember = await member.request(method, path, body === undefined ? {} : { body });
      expect([path, asMember.status, asMember.body.error.code]).toEqual([path, 403, 'FORBIDDEN']);
      const asNobody = await anonymous.request(method, path, body === undefined ? {} : { body });
      expect([path, asNobody.status, asNobody.body.error.code]).toEqual([path, 401, 'UNAUTHENTICATED']);
    }
    expect((await admin.get(`/api/v1/webhooks/${hook.id}`)).body.active).toBe(true);
  });

  it('creates a subscription with defaults and shows its signing secret only once', async () => {
    const created = await admin.post('/api/v1/webhooks', subscription('/created', { description: 'ERP orders' }));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'to /created', description: 'ERP orders', events: ['record.created'], objects: [], flows: [], active: true, retry: { attempts: 8, backoffSeconds: 30 }, timeoutSeconds: 10 });
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(created.body.secretHint).toBe(created.body.secret.slice(-4));
    const read = (await admin.get(`/api/v1/webhooks/${created.body.id}`)).body;
    expect(read).not.toHaveProperty('secret');
    expect(read.secretHint).toBe(created.body.secretHint);
    const listed = (await admin.get('/api/v1/webhooks')).body.items;
    expect(listed.find((w: { id: string }) => w.id === created.body.id)).toEqual(read);
    expect(JSON.stringify(listed)).not.toContain(created.body.secret);
  });

  it('refuses subscriptions that could never be delivered or never fire, in the caller\'s language', async () => {
    const refused = async (body: unknown, headers: Record<string, string> = {}) => (await admin.post('/api/v1/webhooks', body, { headers }));
    for (const [body, path] of [
      [subscription('/x', { url: 'ftp://127.0.0.1/x' }), 'body.url'],
      [subscription('/x', { url: 'http://erp:secret@127.0.0.1/x' }), 'body.url'],
      [subscription('/x', { url: '/relative' }), 'body.url'],
      [subscription('/x', { events: [] }), 'body.events'],
      [subscription('/x', { events: ['record.exploded'] }), 'body.events.0'],
      [subscription('/x', { events: ['record.created', 'record.created'] }), 'body.events'],
      [subscription('/x', { retry: { attempts: 0, backoffSeconds: 1 } }), 'body.retry.attempts'],
      [subscription('/x', { timeoutSeconds: 31 }), 'body.timeoutSeconds'],
      [subscription('/x', { secret: 'mine' }), 'body'],
    ] as const) {
      const res = await refused(body);
      expect([res.status, res.body.error.code], JSON.stringify(body)).toEqual([400, 'FAILED_VALIDATION']);
      expect(res.body.error.details.issues.map((i: { path: string }) => i.path)).toContain(path);
    }
    // The administrator's own language (zh-CN, the default of new accounts) wins over Accept-Language.
    const object = await refused(subscription('/x', { objects: ['nope'] }), { 'accept-language': 'en' });
    expect([object.status, object.body.error.code, object.body.error.message]).toEqual([422, 'OBJECT_NOT_FOUND', '对象“nope”不存在。']);
    const flow = await refused(subscription('/x', { events: ['flow.run.done'], flows: ['ghost'] }));
    expect([flow.status, flow.body.error.code, flow.body.error.message]).toEqual([422, 'FLOW_NOT_FOUND', '没有名为 ghost 的已发布流程。']);
    expect((await admin.get('/api/v1/webhooks')).body.items.some((w: { url: string }) => w.url.endsWith('/x'))).toBe(false);
  });

  it('changes, rotates and deletes a subscription, each audited without the secret', async () => {
    const created = (await admin.post('/api/v1/webhooks', subscription('/changing'))).body;
    const changed = await admin.patch(`/api/v1/webhooks/${created.id}`, { name: 'renamed', events: ['record.deleted', 'flow.run.done'], objects: ['deal'], flows: ['close_out'], retry: { attempts: 2, backoffSeconds: 5 }, description: null });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ name: 'renamed', events: ['record.deleted', 'flow.run.done'], objects: ['deal'], flows: ['close_out'], retry: { attempts: 2, backoffSeconds: 5 }, url: created.url, description: null });
    expect((await admin.patch(`/api/v1/webhooks/${created.id}`, { objects: ['nope'] })).body.error.code).toBe('OBJECT_NOT_FOUND');
    const missing = await admin.patch('/api/v1/webhooks/0195f0c2-0000-7000-8000-000000000000', { active: false });
    expect([missing.status, missing.body.error.code, missing.body.error.message]).toEqual([404, 'WEBHOOK_NOT_FOUND', '该 Webhook 不存在。']);

    const rotated = await admin.post(`/api/v1/webhooks/${created.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(created.secret);
    expect(rotated.body.secretHint).toBe(rotated.body.secret.slice(-4));

    expect((await admin.delete(`/api/v1/webhooks/${created.id}`)).status).toBe(204);
    expect((await admin.get(`/api/v1/webhooks/${created.id}`)).body.error.code).toBe('WEBHOOK_NOT_FOUND');
    expect((await admin.delete(`/api/v1/webhooks/${created.id}`)).status).toBe(404);

    const audit = await db().selectFrom('audit_log').select(['action', 'details']).where('target_id', '=', created.id).orderBy('seq').execute();
    expect(audit.map((a) => a.action)).toEqual(['webhooks.create', 'webhooks.update', 'webhooks.rotate_secret', 'webhooks.delete']);
    expect(JSON.stringify(audit)).not.toContain(created.secret);
    expect(JSON.stringify(audit)).not.toContain(rotated.body.secret);
  });
});

describe('test events, replays and the delivery log', () => {
  it('sends a test event on demand to that subscription only', async () => {
    const hook = (await admin.post('/api/v1/webhooks', subscription('/test-event', { events: ['record.deleted'], objects: ['deal'] }))).body;
    const sent = await admin.post(`/api/v1/webhooks/${hook.id}/test`);
    expect(sent.status).toBe(202);
    expect(sent.body).toMatchObject({ webhookId: hook.id, eventType: 'webhook.test', status: 'pending', attempts: 0, replayOf: null });
    const [request] = await until(async () => receiver.at('/test-event'), (r) => r.length === 1);
    expect(request!.headers['x-threadbase-event']).toBe('webhook.test');
    expect(request!.headers['x-threadbase-delivery']).toBe(sent.body.id);
    expect(JSON.parse(request!.body)).toMatchObject({ id: sent.body.eventId, type: 'webhook.test', data: { webhook: { id: hook.id, name: 'to /test-event' }, sentBy: 'admin' } });
    await finished(hook.id, 1);

    expect((await admin.post('/api/v1/webhooks/0195f0c2-0000-7000-8000-000000000000/test')).body.error.code).toBe('WEBHOOK_NOT_FOUND');
    await admin.patch(`/api/v1/webhooks/${hook.id}`, { active: false });
    const inactive = await admin.post(`/api/v1/webhooks/${hook.id}/test`);
    expect([inactive.status, inactive.body.error.code, inactive.body.error.message]).toEqual([409, 'WEBHOOK_INACTIVE', 'Webhook to /test-event 已停用：请先启用。']);
  });

  it('replays a finished delivery as a new delivery of the same event, which the receiver can tell apart', async () => {
    const hook = (await admin.post('/api/v1/webhooks', subscription('/replayed'))).body;
    const first = (await admin.post(`/api/v1/webhooks/${hook.id}/test`)).body;
    await finished(hook.id, 1);
    const replay = await admin.post(`/api/v1/webhook-deliveries/${first.id}/replay`);
    expect(replay.status).toBe(202);
    expect(replay.body).toMatchObject({ eventId: first.eventId, replayOf: first.id, status: 'pending', webhookId: hook.id });
    expect(replay.body.id).not.toBe(first.id);
    const requests = await until(async () => receiver.at('/replayed'), (r) => r.length === 2);
    expect(requests.map((r) => r.headers['x-threadbase-delivery'])).toEqual([first.id, replay.body.id]);
    expect(JSON.parse(requests[1]!.body)).toEqual(JSON.parse(requests[0]!.body));
    const log = (await finished(hook.id, 2)).items;
    expect(log.map((d: { id: string; status: string }) => [d.id, d.status])).toEqual([[replay.body.id, 'delivered'], [first.id, 'delivered']]);
    const audit = await db().selectFrom('audit_log').select('action').where('target_id', '=', replay.body.id).execute();
    expect(audit.map((a) => a.action)).toEqual(['webhooks.replay']);
  });

  it('refuses to replay an open delivery, an unknown one, or one whose webhook is inactive; an inactive webhook sends nothing more', async () => {
    const hook = (await admin.post('/api/v1/webhooks', subscription('/stalling', { retry: { attempts: 3, backoffSeconds: 3600 } }))).body;
    receiver.plan('/stalling', 500);
    const sent = (await admin.post(`/api/v1/webhooks/${hook.id}/test`)).body;
    const waiting = await until(async () => (await admin.get(`/api/v1/webhook-deliveries/${sent.id}`)).body, (d) => d.attempts === 1 && d.status === 'pending');
    expect(new Date(waiting.nextAttemptAt).getTime()).toBeGreaterThan(Date.now() + 3500_000);
    const open = await admin.post(`/api/v1/webhook-deliveries/${sent.id}/replay`);
    expect([open.status, open.body.error.code, open.body.error.message]).toEqual([409, 'WEBHOOK_DELIVERY_OPEN', '该投递仍处于 pending 状态：完成后才能重新发送。']);
    const unknown = await admin.post('/api/v1/webhook-deliveries/0195f0c2-0000-7000-8000-000000000000/replay');
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'WEBHOOK_DELIVERY_NOT_FOUND']);
    expect((await admin.get('/api/v1/webhook-deliveries/0195f0c2-0000-7000-8000-000000000000')).status).toBe(404);

    // A job that comes before the retry is due leaves it alone; once due, an inactive webhook fails it unsent.
    const message = { workspaceId: t.platform.workspaces.list()[0]!.id, jobId: sent.id };
    await deliver(t.platform, message);
    expect((await admin.get(`/api/v1/webhook-deliveries/${sent.id}`)).body).toMatchObject({ status: 'pending', attempts: 1 });
    await admin.patch(`/api/v1/webhooks/${hook.id}`, { active: false });
    await db().updateTable('webhook_deliveries').set({ next_attempt_at: new Date() }).where('id', '=', sent.id).execute();
    await deliver(t.platform, message);
    const closed = (await admin.get(`/api/v1/webhook-deliveries/${sent.id}`)).body;
    expect(closed).toMatchObject({ status: 'failed', attempts: 1, error: 'The webhook was deactivated before this delivery was sent.' });
    expect(receiver.at('/stalling')).toHaveLength(1);
    const inactive = await admin.post(`/api/v1/webhook-deliveries/${sent.id}/replay`);
    expect([inactive.status, inactive.body.error.code]).toEqual([409, 'WEBHOOK_INACTIVE']);
  });

  it('pages the delivery log newest first, by status too', async () => {
    const hook = (await admin.post('/api/v1/webhooks', subscription('/paged'))).body;
    receiver.plan('/paged', 410);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await admin.post(`/api/v1/webhooks/${hook.id}/test`)).body.id);
    await finished(hook.id, 5);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: string }[]; nextCursor: string | null } = await deliveriesOf(hook.id, `?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((d) => d.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    // Deliveries go out side by side: whichever came first met the planned 410.
    const failed = (await deliveriesOf(hook.id, '?status=failed')).items;
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ responseStatus: 410, error: 'The receiver answered 410.', attempts: 1 });
    expect((await deliveriesOf(hook.id, '?status=delivered')).items).toHaveLength(4);
    expect((await admin.get(`/api/v1/webhooks/${hook.id}/deliveries?cursor=bogus`)).body.error.code).toBe('INVALID_CURSOR');
    expect((await admin.get(`/api/v1/webhooks/${hook.id}/deliveries?status=lost`)).body.error.code).toBe('FAILED_VALIDATION');
    expect((await admin.get('/api/v1/webhooks/0195f0c2-0000-7000-8000-000000000000/deliveries')).body.error.code).toBe('WEBHOOK_NOT_FOUND');
  });

  it('deletes the delivery log and the events only it held with the subscription', async () => {
    const hook = (await admin.post('/api/v1/webhooks', subscription('/deleted'))).body;
    const sent = (await admin.post(`/api/v1/webhooks/${hook.id}/test`)).body;
    await finished(hook.id, 1);
    expect((await admin.delete(`/api/v1/webhooks/${hook.id}`)).status).toBe(204);
    expect((await admin.get(`/api/v1/webhook-deliveries/${sent.id}`)).body.error.code).toBe('WEBHOOK_DELIVERY_NOT_FOUND');
    expect(await db().selectFrom('webhook_events').select('id').where('id', '=', sent.eventId).executeTakeFirst()).toBeUndefined();
  });
});

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { systemCtx } from '../core/context.ts';
import { loginAs, startTestPlatform, type ApiClient, type TestPlatform } from '../testing/index.ts';
import { field, label, objectDef } from '../testing/meta-builders.ts';
import { signatureHolds, startReceiver, until, type Receiver } from './webhooks-fixture.ts';

let t: TestPlatform;
let admin: ApiClient;
let receiver: Receiver;

const edge = (source: string, target: string) => ({ id: `${source}-${target}`, source, target });
const manual = (name: string, nodes: unknown[], edges: unknown[], extra: Record<string, unknown> = {}) => ({ name, label: label(name), trigger: { type: 'manual', object: 'deal' }, nodes, edges, ...extra });

beforeAll(async () => {
  receiver = await startReceiver();
  t = await startTestPlatform({ env: { TB_DEMO: '0', TB_SCRIPT_HTTP_PRIVATE: '1' } });
  admin = await loginAs(t.app);
  const objects = [
    objectDef('deal', 'title', [field('title', 'text', { required: true }), field('amount', 'integer')]),
    objectDef('memo', 'title', [field('title', 'text', { required: true })]),
  ];
  const flows = [
    manual('close_out', [{ id: 'start', type: 'start', data: {} }, { id: 'end', type: 'end', data: {} }], [edge('start', 'end')]),
    manual('broken', [{ id: 'start', type: 'start', data: {} }, { id: 'bad', type: 'update_record', data: { values: { amount: 'many' } } }, { id: 'end', type: 'end', data: {} }], [edge('start', 'bad'), edge('bad', 'end')], { retry: { attempts: 1, backoffSeconds: 1 } }),
  ];
  const saved = await admin.request('PUT', '/api/v1/meta/draft', { body: { objects, flows } });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  expect((await admin.post('/api/v1/meta/publish')).status).toBe(200);
});
afterAll(async () => {
  await t.close();
  await receiver.close();
});

/** Subscribes `path` of the receiver for the test; the subscription is deleted when the test ends. */
async function subscribe(path: string, extra: Record<string, unknown> = {}): Promise<{ id: string; secret: string }> {
  const created = await admin.post('/api/v1/webhooks', { name: path, url: receiver.url(path), events: ['record.created'], ...extra });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  onTestFinished(async () => void (await admin.delete(`/api/v1/webhooks/${created.body.id}`)));
  return created.body;
}
const log = async (id: string) => (await admin.get(`/api/v1/webhooks/${id}/deliveries`)).body.items as { id: string; status: string; attempts: number; responseStatus: number | null; error: string | null; eventType: string }[];
const settled = (id: string, count: number) => until(() => log(id), (items) => items.length === count && items.every((d) => d.status === 'delivered' || d.status === 'failed'));
const detail = async (id: string) => (await admin.get(`/api/v1/webhook-deliveries/${id}`)).body;
const arrived = (path: string, count: number) => until(async () => receiver.at(path), (r) => r.length >= count);
const bodyOf = (request: { body: string }) => JSON.parse(request.body);

describe('record events', () => {
  it('POSTs a signed event when a record is created, updated and deleted', async () => {
    const hook = await subscribe('/deals', { events: ['record.created', 'record.updated', 'record.deleted'], objects: ['deal'] });
    const deal = (await admin.post('/api/v1/objects/deal/records', { title: 'Pump', amount: 3 })).body;
    const [created] = await arrived('/deals', 1);
    const sentAt = Number(created!.headers['x-threadbase-timestamp']);
    expect(Math.abs(sentAt - Date.now() / 1000)).toBeLessThan(30);
    expect(created!.headers).toMatchObject({ 'content-type': 'application/json', 'x-threadbase-event': 'record.created', 'user-agent': 'Threadbase-Webhooks/1' });
    expect(created!.headers['x-threadbase-delivery']).toMatch(/^[0-9a-f-]{36}$/);
    expect(signatureHolds(hook.secret, created!)).toBe(true);
    expect(signatureHolds('whsec_someone-else', created!)).toBe(false);
    expect(signatureHolds(hook.secret, { ...created!, body: created!.body.replace('Pump', 'Pomp') })).toBe(false);
    const event = bodyOf(created!);
    expect(event).toMatchObject({ type: 'record.created', workspace: 'default', data: { object: 'deal', id: deal.id, record: { id: deal.id, title: 'Pump', amount: 3, version: 1 } } });
    expect(event.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number.isNaN(Date.parse(event.occurredAt))).toBe(false);

    await admin.patch(`/api/v1/objects/deal/records/${deal.id}`, { amount: 4 });
    await admin.delete(`/api/v1/objects/deal/records/${deal.id}`);
    const [, updated, deleted] = await arrived('/deals', 3);
    expect(bodyOf(updated!)).toMatchObject({ type: 'record.updated', data: { id: deal.id, changed: ['amount'], record: { amount: 4, version: 2 } } });
    expect(bodyOf(deleted!)).toMatchObject({ type: 'record.deleted', data: { id: deal.id, record: { title: 'Pump', amount: 4 } } });
    expect([updated, deleted].every((r) => signatureHolds(hook.secret, r!))).toBe(true);

    const deliveries = await settled(hook.id, 3);
    expect(deliveries.map((d) => [d.eventType, d.status, d.attempts, d.responseStatus])).toEqual([
      ['record.deleted', 'delivered', 1, 200],
      ['record.updated', 'delivered', 1, 200],
      ['record.created', 'delivered', 1, 200],
    ]);
    const first = await detail(deliveries[2]!.id);
    expect(first.id).toBe(created!.headers['x-threadbase-delivery']);
    expect(first.payload).toEqual(event);
    expect(first.history).toEqual([expect.objectContaining({ attempt: 1, responseStatus: 200, error: null, responseBody: '{"answered":200}' })]);
    expect(first.durationMs).toBeGreaterThanOrEqual(0);
    expect(first.lastAttemptAt).not.toBeNull();
    expect(first.finishedAt).not.toBeNull();
  });

  it('sends each subscription only the events and objects it asked for', async () => {
    const memos = await subscribe('/memos-created', { events: ['record.created'], objects: ['memo'] });
    const deletions = await subscribe('/all-deleted', { events: ['record.deleted'] });
    const off = await subscribe('/off', { events: ['record.created', 'record.deleted'], active: false });
    await admin.post('/api/v1/objects/deal/records', { title: 'Not a memo' });
    const memo = (await admin.post('/api/v1/objects/memo/records', { title: 'Hello' })).body;
    await admin.delete(`/api/v1/objects/memo/records/${memo.id}`);
    await settled(memos.id, 1);
    await settled(deletions.id, 1);
    expect(receiver.at('/memos-created').map((r) => bodyOf(r).data.record.title)).toEqual(['Hello']);
    expect(receiver.at('/all-deleted').map((r) => [bodyOf(r).type, bodyOf(r).data.id])).toEqual([['record.deleted', memo.id]]);
    expect(await log(off.id)).toEqual([]);
    expect(receiver.at('/off')).toEqual([]);
  });

  it('writes no event for a change that is rolled back', async () => {
    const hook = await subscribe('/atomic', { objects: ['deal'] });
    const refused = await admin.post('/api/v1/objects/deal/records/bulk', { create: [{ title: 'Ghost', amount: 1 }, { amount: 2 }] });
    expect(refused.status).toBe(400);
    await admin.post('/api/v1/objects/deal/records', { title: 'Real' });
    await settled(hook.id, 1);
    expect(receiver.at('/atomic').map((r) => bodyOf(r).data.record.title)).toEqual(['Real']);
    const db = systemCtx(t.platform, t.platform.workspaces.list()[0]!).db;
    const events = await db.selectFrom('webhook_events').select('payload').where('type', '=', 'record.created').execute();
    expect(events.some((e) => JSON.stringify(e.payload).includes('Ghost'))).toBe(false);
  });
});

describe('flow run events', () => {
  it('tells when a run is done and when one needs attention', async () => {
    const hook = await subscribe('/runs', { events: ['flow.run.done', 'flow.run.needs_attention'], flows: ['close_out', 'broken'] });
    const deal = (await admin.post('/api/v1/objects/deal/records', { title: 'Flowing' })).body;
    const done = (await admin.post('/api/v1/flows/close_out/runs', { recordId: deal.id })).body;
    const stuck = (await admin.post('/api/v1/flows/broken/runs', { recordId: deal.id })).body;
    await settled(hook.id, 2);
    const events = receiver.at('/runs').map(bodyOf);
    expect(events.find((e) => e.type === 'flow.run.done').data).toEqual({ run: { id: done.id, flow: 'close_out', status: 'done', object: 'deal', recordId: deal.id, error: null } });
    expect(events.find((e) => e.type === 'flow.run.needs_attention').data.run).toMatchObject({ id: stuck.id, flow: 'broken', status: 'needs_attention', error: { code: 'INVALID_FIELD_VALUE', node: 'bad' } });
  });
});

describe('retries', () => {
  it('retries a server error with backoff and delivers on success, under the same delivery id', async () => {
    const hook = await subscribe('/flaky', { objects: ['deal'], retry: { attempts: 3, backoffSeconds: 1 } });
    receiver.plan('/flaky', 500, 200);
    await admin.post('/api/v1/objects/deal/records', { title: 'Again' });
    const [delivery] = await settled(hook.id, 1);
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 2, responseStatus: 200, error: null });
    const requests = receiver.at('/flaky');
    expect(requests).toHaveLength(2);
    expect(new Set(requests.map((r) => r.headers['x-threadbase-delivery']))).toEqual(new Set([delivery!.id]));
    expect(requests.map((r) => r.body)).toEqual([requests[0]!.body, requests[0]!.body]);
    expect(requests.every((r) => signatureHolds(hook.secret, r))).toBe(true);
    const history = (await detail(delivery!.id)).history;
    expect(history.map((a: { responseStatus: number; error: string | null }) => [a.responseStatus, a.error])).toEqual([[500, 'The receiver answered 500.'], [200, null]]);
    expect(Date.parse(history[1].startedAt) - Date.parse(history[0].startedAt)).toBeGreaterThanOrEqual(900);
  });

  it('does not retry a refusal, but retries 408 and 429 (after Retry-After)', async () => {
    const refused = await subscribe('/refuses', { objects: ['deal'], retry: { attempts: 3, backoffSeconds: 1 } });
    const busy = await subscribe('/busy', { objects: ['deal'], retry: { attempts: 3, backoffSeconds: 1 } });
    const slow = await subscribe('/timeout-status', { objects: ['deal'], retry: { attempts: 3, backoffSeconds: 1 } });
    receiver.plan('/refuses', 422);
    receiver.plan('/busy', { status: 429, headers: { 'retry-after': '2' } }, 200);
    receiver.plan('/timeout-status', 408, 200);
    await admin.post('/api/v1/objects/deal/records', { title: 'Picky' });
    expect((await settled(refused.id, 1))[0]).toMatchObject({ status: 'failed', attempts: 1, responseStatus: 422, error: 'The receiver answered 422.' });
    expect((await settled(busy.id, 1))[0]).toMatchObject({ status: 'delivered', attempts: 2 });
    expect((await settled(slow.id, 1))[0]).toMatchObject({ status: 'delivered', attempts: 2 });
    const waited = (await detail((await log(busy.id))[0]!.id)).history;
    expect(Date.parse(waited[1].startedAt) - Date.parse(waited[0].startedAt)).toBeGreaterThanOrEqual(1900);
    expect(receiver.at('/refuses')).toHaveLength(1);
  });

  it('gives up after the last attempt', async () => {
    const hook = await subscribe('/down', { objects: ['deal'], retry: { attempts: 2, backoffSeconds: 1 } });
    receiver.plan('/down', 503, 503, 503);
    await admin.post('/api/v1/objects/deal/records', { title: 'Lost' });
    const [delivery] = await settled(hook.id, 1);
    expect(delivery).toMatchObject({ status: 'failed', attempts: 2, responseStatus: 503, error: 'The receiver answered 503.' });
    await new Promise((r) => setTimeout(r, 2500));
    expect(receiver.at('/down')).toHaveLength(2);
    expect((await detail(delivery!.id)).history).toHaveLength(2);
  });

  it('retries a receiver that does not answer in time', async () => {
    const hook = await subscribe('/hangs', { objects: ['deal'], timeoutSeconds: 1, retry: { attempts: 2, backoffSeconds: 1 } });
    receiver.plan('/hangs', { hangMs: 5000 }, 200);
    await admin.post('/api/v1/objects/deal/records', { title: 'Patient' });
    const [delivery] = await settled(hook.id, 1);
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 2 });
    const [late] = (await detail(delivery!.id)).history;
    expect(late).toMatchObject({ responseStatus: null, error: 'No complete answer within 1 s.' });
    expect(late.durationMs).toBeGreaterThanOrEqual(900);
  });

  it('retries a receiver that cannot be reached, then fails', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const created = (await admin.post('/api/v1/webhooks', { name: 'nobody', url: `http://127.0.0.1:${port}/`, events: ['record.created'], objects: ['deal'], retry: { attempts: 2, backoffSeconds: 1 } })).body;
    onTestFinished(async () => void (await admin.delete(`/api/v1/webhooks/${created.id}`)));
    await admin.post('/api/v1/objects/deal/records', { title: 'Unheard' });
    const [delivery] = await settled(created.id, 1);
    expect(delivery).toMatchObject({ status: 'failed', attempts: 2, responseStatus: null });
    expect(delivery!.error).toContain('ECONNREFUSED');
  });

  it('does not follow a redirect to another host', async () => {
    const hook = await subscribe('/moved', { objects: ['deal'] });
    receiver.plan('/moved', { status: 307, headers: { location: `http://localhost:${new URL(receiver.base).port}/elsewhere` } });
    await admin.post('/api/v1/objects/deal/records', { title: 'Moved' });
    const [delivery] = await settled(hook.id, 1);
    expect(delivery).toMatchObject({ status: 'failed', attempts: 1, error: "The receiver redirected to another host or port; webhooks follow redirects only on their URL's own." });
    expect(receiver.at('/elsewhere')).toEqual([]);
  });
});

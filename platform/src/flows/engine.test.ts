import http from 'node:http';
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, startTestPlatform, type ApiClient, type TestPlatform, eventually } from '../testing/index.ts';
import { field, label, objectDef, option } from '../testing/meta-builders.ts';

let t: TestPlatform;
let admin: ApiClient;
let member: ApiClient;
let memberId: string;
let hook: http.Server;
const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];

const deal = objectDef('deal', 'title', [
  field('title', 'text', { required: true }),
  field('amount', 'integer'),
  field('stage', 'single_select', { options: [option('new'), option('big'), option('won')] }),
  field('score', 'integer'),
]);
const edge = (source: string, target: string, sourceHandle?: 'true' | 'false') => ({ id: `${source}-${target}`, source, target, ...(sourceHandle && { sourceHandle }) });
const flow = (name: string, trigger: unknown, nodes: unknown[], edges: unknown[], extra: Record<string, unknown> = {}) => ({ name, label: label(name), trigger, nodes, edges, ...extra });

const until = eventually;
const runOf = (id: string) => until(async () => (await admin.get(`/api/v1/flow-runs/${id}`)).body, (r) => ['done', 'needs_attention', 'cancelled'].includes(r.status));
const runsOf = async (name: string) => (await admin.get(`/api/v1/flows/${name}/runs`)).body.items as { id: string; status: string; recordId: string }[];

beforeAll(async () => {
  hook = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted: true }));
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  const port = (hook.address() as AddressInfo).port;
  t = await startTestPlatform({ env: { TB_DEMO: '0', TB_SCRIPT_HTTP_PRIVATE: '1' } });
  admin = await loginAs(t.app);
  memberId = (await admin.post('/api/v1/org/users', { login: 'seller', displayName: 'Seller', password: 'member-password-1' })).body.id;
  member = await loginAs(t.app, 'seller', 'member-password-1');
  await admin.request('PUT', '/api/v1/scripts/settings', { body: { limits: {}, httpAllowList: [`127.0.0.1:${port}`], runLogDays: 30 } });
  await admin.request('PUT', '/api/v1/scripts/secrets/HOOK_KEY', { body: { value: 'signing-key-1' } });
  const flows = [
    flow('big_deal', { type: 'record', object: 'deal', events: ['created'] }, [
      { id: 'start', type: 'start', data: {} },
      { id: 'is_big', type: 'condition', data: { expression: '(record?.amount ?? 0) > 100' } },
      { id: 'say', type: 'post_message', data: { text: 'Big deal: {{record.title}} ({{record.amount}})' } },
      { id: 'mark', type: 'update_record', data: { values: { stage: 'big', score: { expr: '(record.amount ?? 0) * 2' } } } },
      { id: 'tell', type: 'notify', data: { users: `'${'MEMBER'}'`, text: 'Look at {{record.title}}' } },
      { id: 'done', type: 'end', data: {} },
      { id: 'small', type: 'end', data: {} },
    ], [edge('start', 'is_big'), edge('is_big', 'say', 'true'), edge('is_big', 'small', 'false'), edge('say', 'mark'), edge('mark', 'tell'), edge('tell', 'done')]),
    flow('push', { type: 'manual', object: 'deal' }, [
      { id: 'start', type: 'start', data: {} },
      { id: 'pause', type: 'wait', data: { seconds: 1 } },
      { id: 'call', type: 'http_call', data: { method: 'POST', url: `http://127.0.0.1:${port}/deals/{{record.id}}`, body: { title: { expr: 'record.title' } }, secret: 'HOOK_KEY' } },
      { id: 'score', type: 'run_script', data: { script: 'scorer', input: { accepted: { expr: 'steps.call.body.accepted' } } } },
      { id: 'keep', type: 'update_record', data: { values: { score: { expr: 'steps.score.points' } } } },
      { id: 'end', type: 'end', data: {} },
    ], [edge('start', 'pause'), edge('pause', 'call'), edge('call', 'score'), edge('score', 'keep'), edge('keep', 'end')]),
    flow('broken', { type: 'manual', object: 'deal' }, [
      { id: 'start', type: 'start', data: {} },
      { id: 'bad', type: 'update_record', data: { values: { amount: 'not a number' } } },
      { id: 'end', type: 'end', data: {} },
    ], [edge('start', 'bad'), edge('bad', 'end')], { retry: { attempts: 2, backoffSeconds: 1 } }),
  ];
  const scripts = [
    { name: 'scorer', label: label('Scorer'), kind: 'flow_step', flowStep: { input: [{ name: 'accepted', type: 'boolean' }], output: [{ name: 'points', type: 'number' }] }, source: 'export default (input: { accepted: boolean }) => ({ points: input.accepted ? 10 : 0 });' },
  ];
  const document = JSON.parse(JSON.stringify({ objects: [deal], scripts, flows }).replace('MEMBER', memberId));
  const saved = await admin.request('PUT', '/api/v1/meta/draft', { body: document });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  expect((await admin.post('/api/v1/meta/publish')).status).toBe(200);
});
afterAll(async () => {
  await t.close();
  hook.close();
});

describe('a record-triggered flow', () => {
  it('starts with the record, branches, posts in its thread, updates it and notifies people', async () => {
    const created = (await admin.post('/api/v1/objects/deal/records', { title: 'Huge', amount: 500, stage: 'new' })).body;
    const [started] = await until(() => runsOf('big_deal'), (runs) => runs.length === 1);
    expect(started!.recordId).toBe(created.id);
    const run = await runOf(started!.id);
    expect(run.status).toBe('done');
    expect(run.steps.map((s: { nodeId: string; status: string }) => `${s.nodeId}:${s.status}`)).toEqual(['start:done', 'is_big:done', 'say:done', 'mark:done', 'tell:done', 'done:done']);
    expect(run.steps[1].output).toEqual({ result: true });
    const record = (await admin.get(`/api/v1/objects/deal/records/${created.id}`)).body;
    expect(record).toMatchObject({ stage: 'big', score: 1000 });
    const thread = (await admin.get(`/api/v1/objects/deal/records/${created.id}/thread`)).body;
    const bodies = (await admin.get(`/api/v1/threads/${thread.id}/messages`)).body.items.map((m: { body: string }) => m.body);
    expect(bodies).toEqual(expect.arrayContaining(['Big deal: Huge (500)', 'Look at Huge']));
    const notes = await until(async () => (await member.get('/api/v1/notifications')).body.items as { kind: string }[], (items) => items.length > 0);
    expect(notes[0]!.kind).toBe('mention');
  });

  it('takes the other branch when the condition does not hold', async () => {
    const created = (await admin.post('/api/v1/objects/deal/records', { title: 'Tiny', amount: 5 })).body;
    const started = (await until(() => runsOf('big_deal'), (runs) => runs.some((r) => r.recordId === created.id))).find((r) => r.recordId === created.id)!;
    const run = await runOf(started.id);
    expect(run.steps.map((s: { nodeId: string }) => s.nodeId)).toEqual(['start', 'is_big', 'small']);
    expect((await admin.get(`/api/v1/objects/deal/records/${created.id}`)).body.stage).toBeNull();
  });
});

describe('a manual flow', () => {
  it('waits, calls out with a signed body, runs a script step and writes its output back', async () => {
    const created = (await admin.post('/api/v1/objects/deal/records', { title: 'Call me', amount: 1 })).body;
    const start = await member.post('/api/v1/flows/push/runs', { recordId: created.id });
    expect(start.status).toBe(201);
    const run = await runOf(start.body.id);
    expect(run.status, JSON.stringify(run.steps)).toBe('done');
    expect(run.steps.find((s: { nodeId: string }) => s.nodeId === 'pause').output).toEqual({ waited: true });
    const call = received.at(-1)!;
    expect(JSON.parse(call.body)).toEqual({ title: 'Call me' });
    expect(call.headers['x-threadbase-signature']).toBe(`sha256=${createHmac('sha256', 'signing-key-1').update(call.body).digest('hex')}`);
    expect(call.headers['idempotency-key']).toBe(run.steps.find((s: { nodeId: string }) => s.nodeId === 'call').id);
    expect((await admin.get(`/api/v1/objects/deal/records/${created.id}`)).body.score).toBe(10);
  });

  it('is refused without its record, and for flows that are not manual', async () => {
    expect((await admin.post('/api/v1/flows/push/runs', {})).body.error.code).toBe('FLOW_RECORD_REQUIRED');
    expect((await admin.post('/api/v1/flows/big_deal/runs', {})).body.error.code).toBe('FLOW_NOT_MANUAL');
    expect((await admin.post('/api/v1/flows/nothing/runs', {})).status).toBe(404);
  });
});

describe('a failing step', () => {
  it('parks the run in needs attention with the error; an administrator may retry or cancel it', async () => {
    const created = (await admin.post('/api/v1/objects/deal/records', { title: 'Doomed' })).body;
    const started = await admin.post('/api/v1/flows/broken/runs', { recordId: created.id });
    const run = await runOf(started.body.id);
    expect(run.status).toBe('needs_attention');
    expect(run.error).toMatchObject({ code: 'INVALID_FIELD_VALUE', node: 'bad' });
    expect(run.steps.at(-1)).toMatchObject({ nodeId: 'bad', status: 'failed', attempts: 1 });
    expect((await member.post(`/api/v1/flow-runs/${run.id}/retry`)).status).toBe(403);
    const retried = await admin.post(`/api/v1/flow-runs/${run.id}/retry`);
    expect(retried.status).toBe(200);
    expect((await runOf(run.id)).status).toBe('needs_attention');
    const cancelled = await admin.post(`/api/v1/flow-runs/${run.id}/cancel`);
    expect(cancelled.body.status).toBe('cancelled');
    expect((await admin.post(`/api/v1/flow-runs/${run.id}/cancel`)).body.error.code).toBe('FLOW_RUN_CLOSED');
    expect((await admin.post(`/api/v1/flow-runs/${run.id}/retry`)).body.error.code).toBe('FLOW_RUN_NOT_FAILED');
  });
});

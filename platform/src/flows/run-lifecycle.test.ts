import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, loginAs, startTestPlatform, type ApiClient, type TestPlatform } from '../testing/index.ts';
import { field, label, objectDef } from '../testing/meta-builders.ts';

/**
 * What happens to open runs when the world changes under them (docs/flows.md, "Runs"): a new version
 * of the flow is published, the run's record is deleted, an administrator cancels a waiting run.
 */
let t: TestPlatform;
let admin: ApiClient;

const ticket = objectDef('ticket', 'title', [field('title', 'text', { required: true }), field('note', 'text')]);
const edge = (source: string, target: string) => ({ id: `${source}-${target}`, source, target });
const chaser = (text: string, seconds: number) => ({
  name: 'chaser',
  label: label('Chaser'),
  trigger: { type: 'manual', object: 'ticket' },
  nodes: [
    { id: 'start', type: 'start', data: {} },
    { id: 'pause', type: 'wait', data: { seconds } },
    { id: 'say', type: 'post_message', data: { text } },
    { id: 'end', type: 'end', data: {} },
  ],
  edges: [edge('start', 'pause'), edge('pause', 'say'), edge('say', 'end')],
});

const gate = {
  name: 'gate',
  label: label('Gate'),
  trigger: { type: 'manual', object: 'ticket' },
  nodes: [
    { id: 'start', type: 'start', data: {} },
    { id: 'hold', type: 'wait', data: { condition: "record?.note === 'go'", timeoutSeconds: 3 } },
    { id: 'end', type: 'end', data: {} },
  ],
  edges: [edge('start', 'hold'), edge('hold', 'end')],
};

const reply = {
  name: 'reply',
  label: label('Await a reply'),
  trigger: { type: 'manual', object: 'ticket' },
  nodes: [
    { id: 'start', type: 'start', data: {} },
    { id: 'ask', type: 'post_message', data: { text: 'Any news?' } },
    { id: 'listen', type: 'wait', data: { event: 'message', timeoutSeconds: 3 } },
    { id: 'end', type: 'end', data: {} },
  ],
  edges: [edge('start', 'ask'), edge('ask', 'listen'), edge('listen', 'end')],
};

async function publish(flowText: string, seconds: number): Promise<void> {
  const saved = await admin.request('PUT', '/api/v1/meta/draft', { body: { objects: [ticket], flows: [chaser(flowText, seconds), gate, reply] } });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  expect((await admin.post('/api/v1/meta/publish')).status).toBe(200);
}

type Run = { status: string; metaVersion: number; error: { code: string; node: string } | null; steps: { nodeId: string; status: string; output?: unknown }[] };
const runOf = async (id: string) => (await admin.get(`/api/v1/flow-runs/${id}`)).body as Run;
const settled = (id: string) => eventually(() => runOf(id), (run) => ['done', 'needs_attention', 'cancelled'].includes(run.status));
const waiting = (id: string) => eventually(() => runOf(id), (run) => run.status === 'waiting');

const newTicket = async (title: string) => (await admin.post('/api/v1/objects/ticket/records', { title })).body.id as string;
const start = async (recordId: string, flow = 'chaser') => (await admin.post(`/api/v1/flows/${flow}/runs`, { recordId })).body as { id: string; status: string; metaVersion: number };
async function messagesOf(recordId: string): Promise<string[]> {
  const thread = (await admin.get(`/api/v1/objects/ticket/records/${recordId}/thread`)).body;
  return (await admin.get(`/api/v1/threads/${thread.id}/messages`)).body.items.map((m: { body: string }) => m.body);
}

beforeAll(async () => {
  t = await startTestPlatform({ env: { TB_DEMO: '0' } });
  admin = await loginAs(t.app);
});
afterAll(() => t.close());

describe('an open run', () => {
  it('keeps the version it started with when a new version of its flow is published', async () => {
    await publish('Still open (v1)', 2);
    const id = await newTicket('Printer');
    const run = await start(id);
    await publish('Still open (v2)', 1);
    const done = await settled(run.id);
    expect(done.status).toBe('done');
    expect(await messagesOf(id)).toContain('Still open (v1)');
    expect(await messagesOf(id)).not.toContain('Still open (v2)');
    const later = await start(await newTicket('Scanner'));
    expect(later.metaVersion).toBeGreaterThan(done.metaVersion);
  });

  it('whose record is deleted needs attention at the next step that acts on the record, and is never retried', async () => {
    const id = await newTicket('Gone soon');
    const run = await start(id);
    await waiting(run.id);
    expect((await admin.request('DELETE', `/api/v1/objects/ticket/records/${id}`)).status).toBe(204);
    const parked = await settled(run.id);
    expect(parked.status).toBe('needs_attention');
    expect(parked.error).toMatchObject({ code: 'FLOW_RECORD_GONE', node: 'say' });
    expect(parked.steps.at(-1)).toMatchObject({ nodeId: 'say', status: 'failed' });
  });

  it('cancelled while it waits stays cancelled when its wait falls due', async () => {
    const id = await newTicket('Never mind');
    const run = await start(id);
    await waiting(run.id);
    const cancelled = await admin.post(`/api/v1/flow-runs/${run.id}/cancel`);
    expect(cancelled.body.status).toBe('cancelled');
    await new Promise((r) => setTimeout(r, 2500));
    const after = (await admin.get(`/api/v1/flow-runs/${run.id}`)).body;
    expect(after.status).toBe('cancelled');
    expect(after.steps.map((s: { nodeId: string; status: string }) => `${s.nodeId}:${s.status}`)).toEqual(['start:done', 'pause:cancelled']);
    expect(await messagesOf(id)).not.toContain('Still open (v2)');
  });
});

describe('a wait for a condition', () => {
  const note = async (id: string, value: string) => {
    const { version } = (await admin.get(`/api/v1/objects/ticket/records/${id}`)).body;
    expect((await admin.request('PATCH', `/api/v1/objects/ticket/records/${id}`, { body: { note: value, version } })).status).toBe(200);
  };
  const holdOf = (run: { steps: { nodeId: string; output?: unknown }[] }) => run.steps.find((s) => s.nodeId === 'hold')!.output;

  it('ends when a change of the record makes it hold, not at a change that does not', async () => {
    const id = await newTicket('Gated');
    const run = await start(id, 'gate');
    await waiting(run.id);
    await note(id, 'not yet');
    expect((await admin.get(`/api/v1/flow-runs/${run.id}`)).body.status).toBe('waiting');
    await note(id, 'go');
    const done = await settled(run.id);
    expect(done.status).toBe('done');
    expect(holdOf(done)).toEqual({ waited: true, timedOut: false });
  });

  it('passes at once when it already holds, and times out when it never does', async () => {
    const ready = await newTicket('Ready');
    await note(ready, 'go');
    expect(holdOf(await settled((await start(ready, 'gate')).id))).toEqual({ waited: false, timedOut: false });
    const stuck = await settled((await start(await newTicket('Stuck'), 'gate')).id);
    expect(stuck.status).toBe('done');
    expect(holdOf(stuck)).toEqual({ waited: true, timedOut: true });
  });
});

describe('a wait for a message', () => {
  const listenOf = (run: { steps: { nodeId: string; output?: unknown }[] }) => run.steps.find((s) => s.nodeId === 'listen')!.output;

  it("ends when someone writes in the record's thread, not at the flow's own message", async () => {
    const id = await newTicket('Waiting for news');
    const run = await start(id, 'reply');
    await waiting(run.id);
    const thread = (await admin.get(`/api/v1/objects/ticket/records/${id}/thread`)).body;
    expect((await admin.post(`/api/v1/threads/${thread.id}/messages`, { body: 'Fixed it', clientId: 'reply-1' })).status).toBe(201);
    const done = await settled(run.id);
    expect(listenOf(done)).toEqual({ waited: true, timedOut: false });
  });

  it('times out when nobody writes', async () => {
    const done = await settled((await start(await newTicket('Silence'), 'reply')).id);
    expect(listenOf(done)).toEqual({ waited: true, timedOut: true });
  });
});

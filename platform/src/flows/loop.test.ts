import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, loginAs, startTestPlatform, type ApiClient, type TestPlatform } from '../testing/index.ts';
import { field, label, objectDef } from '../testing/meta-builders.ts';

/** A loop node runs its "each" branch once per related record, up to its limit, then takes "done". */
let t: TestPlatform;
let admin: ApiClient;

const order = objectDef('po', 'title', [field('title', 'text', { required: true }), field('lines_seen', 'integer')]);
const line = objectDef('line', 'title', [field('title', 'text', { required: true }), field('po', 'lookup', { target: 'po' })]);
const edge = (source: string, target: string, sourceHandle?: string) => ({ id: `${source}-${target}-${sourceHandle ?? ''}`, source, target, ...(sourceHandle && { sourceHandle }) });
const walk = (loopData: Record<string, unknown>, edges = [edge('start', 'lines'), edge('lines', 'say', 'each'), edge('say', 'lines'), edge('lines', 'count', 'done'), edge('count', 'end')]) => ({
  name: 'walk',
  label: label('Walk the lines'),
  trigger: { type: 'manual', object: 'po' },
  nodes: [
    { id: 'start', type: 'start', data: {} },
    { id: 'lines', type: 'loop', data: loopData },
    { id: 'say', type: 'post_message', data: { text: 'Line {{steps.lines.item.title}} ({{steps.lines.index + 1}}/{{steps.lines.count}})' } },
    { id: 'count', type: 'update_record', data: { values: { lines_seen: { expr: 'steps.lines.count' } } } },
    { id: 'end', type: 'end', data: {} },
  ],
  edges,
});
const draft = (flow: unknown) => admin.request('PUT', '/api/v1/meta/draft', { body: { objects: [order, line], flows: [flow] } });

beforeAll(async () => {
  t = await startTestPlatform({ env: { TB_DEMO: '0' } });
  admin = await loginAs(t.app);
});
afterAll(() => t.close());

describe('a loop over related records', () => {
  it('runs its branch once per record, oldest first, up to its limit, then goes on', async () => {
    const saved = await draft(walk({ object: 'line', via: 'po', limit: 2 }));
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect((await admin.post('/api/v1/meta/publish')).status).toBe(200);
    const id = (await admin.post('/api/v1/objects/po/records', { title: 'PO-1' })).body.id;
    for (const title of ['bolts', 'nuts', 'washers']) expect((await admin.post('/api/v1/objects/line/records', { title, po: id })).status).toBe(201);
    const run = (await admin.post('/api/v1/flows/walk/runs', { recordId: id })).body;
    const detail = await eventually(async () => (await admin.get(`/api/v1/flow-runs/${run.id}`)).body, (r) => ['done', 'needs_attention'].includes(r.status));
    expect(detail.status, JSON.stringify(detail.steps)).toBe('done');
    expect(detail.steps.map((s: { nodeId: string }) => s.nodeId)).toEqual(['start', 'lines', 'say', 'lines', 'say', 'lines', 'count', 'end']);
    const thread = (await admin.get(`/api/v1/objects/po/records/${id}/thread`)).body;
    const bodies = (await admin.get(`/api/v1/threads/${thread.id}/messages`)).body.items.map((m: { body: string }) => m.body).filter((b: string) => b.startsWith('Line'));
    expect(bodies.sort()).toEqual(['Line bolts (1/2)', 'Line nuts (2/2)']);
    const passes = detail.steps.filter((s: { nodeId: string }) => s.nodeId === 'lines').map((s: { output: { item: { title: string } | null; done: boolean } }) => s.output);
    expect(passes.map((p: { item: { title: string } | null; done: boolean }) => [p.item?.title ?? null, p.done])).toEqual([['bolts', false], ['nuts', false], [null, true]]);
    expect((await admin.get(`/api/v1/objects/po/records/${id}`)).body.lines_seen).toBe(2);
  });

  it('is refused when a branch is missing or its field does not point at the flow’s record', async () => {
    const noDone = await draft(walk({ object: 'line', via: 'po' }, [edge('start', 'lines'), edge('lines', 'say', 'each'), edge('say', 'lines'), edge('count', 'end')]));
    expect(noDone.status).toBe(400);
    expect(noDone.body.error.details.problems).toContainEqual(expect.objectContaining({ path: 'flows.0.nodes.1', code: 'MISSING_BRANCH' }));
    const badVia = await draft(walk({ object: 'line', via: 'title' }));
    expect(badVia.status).toBe(400);
    expect(badVia.body.error.details.problems).toEqual([expect.objectContaining({ path: 'flows.0.nodes.1.data.via', code: 'UNKNOWN_FIELD' })]);
  });
});

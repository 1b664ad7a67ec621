import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oneExpressionProblem } from './expression-check.ts';
import { loginAs, startTestPlatform, type ApiClient, type TestPlatform } from '../testing/index.ts';
import { field, label, objectDef, option } from '../testing/meta-builders.ts';

let t: TestPlatform;
let admin: ApiClient;

const deal = objectDef('deal', 'title', [
  field('title', 'text', { required: true }),
  field('amount', 'integer'),
  field('stage', 'single_select', { options: [option('new'), option('won')] }),
  field('closes_at', 'datetime'),
  field('ref', 'auto_number'),
]);
const task = objectDef('task', 'name', [field('name', 'text', { required: true }), field('deal', 'lookup', { target: 'deal' })]);
const scorer = {
  name: 'scorer',
  label: label('Scorer'),
  kind: 'flow_step',
  flowStep: { input: [{ name: 'accepted', type: 'boolean' }], output: [{ name: 'points', type: 'number' }] },
  source: 'export default (input: { accepted: boolean }) => ({ points: input.accepted ? 10 : 0 });',
};
const helper = { name: 'helper', label: label('Helper'), kind: 'button', object: 'deal', button: { label: label('Help') }, source: 'export default function () {}' };

type Node = { id: string; type: string; data: Record<string, unknown>; position?: { x: number; y: number } };
type Edge = { id: string; source: string; target: string; sourceHandle?: 'true' | 'false' };
type Flow = { name: string; label: ReturnType<typeof label>; trigger: Record<string, unknown>; nodes: Node[]; edges: Edge[]; archived?: boolean };

const node = (id: string, type: string, data: Record<string, unknown> = {}): Node => ({ id, type, data });
const edge = (source: string, target: string, sourceHandle?: 'true' | 'false'): Edge => ({ id: `${source}-${target}`, source, target, ...(sourceHandle && { sourceHandle }) });
const onDeal = { type: 'record', object: 'deal', events: ['created', 'updated'] };
const flow = (name: string, nodes: Node[], edges: Edge[], trigger: Record<string, unknown> = onDeal): Flow => ({ name, label: label(name), trigger, nodes, edges });
/** start → step → end, the smallest flow there is, around one step. */
const around = (step: Node, trigger: Record<string, unknown> = onDeal) => flow('small', [node('start', 'start'), step, node('end', 'end')], [edge('start', step.id), edge(step.id, 'end')], trigger);
const mark = node('mark', 'update_record', { values: { stage: 'won' } });

function save(flows: unknown[], extra: Record<string, unknown> = {}) {
  return admin.request('PUT', '/api/v1/meta/draft', { body: { objects: [deal, task], scripts: [scorer, helper], flows, ...extra } });
}

/** The problems a refused save lists. */
async function problemsOf(flows: unknown[], extra: Record<string, unknown> = {}) {
  const res = await save(flows, extra);
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body.error.code).toBe('INVALID_METADATA');
  return res.body.error.details.problems as { path: string; code: string; message?: string }[];
}

async function expectProblem(flows: unknown[], path: string, code: string, names: string) {
  const problems = await problemsOf(flows);
  const problem = problems.find((p) => p.path === path && p.code === code);
  expect(problem, JSON.stringify(problems)).toBeDefined();
  expect(problem!.message).toContain(names);
}

beforeAll(async () => {
  t = await startTestPlatform({ env: { TB_DEMO: '0' } });
  admin = await loginAs(t.app);
});
afterAll(() => t.close());

describe('a flow\'s graph is checked when saved', () => {
  const straight = () => flow('straight', [node('start', 'start'), mark, node('end', 'end')], [edge('start', 'mark'), edge('mark', 'end')]);
  const branching = (edges: Edge[]) =>
    flow('branching', [node('start', 'start'), node('cond', 'condition', { expression: 'record.stage === "won"' }), mark, node('end', 'end')], [edge('start', 'cond'), ...edges, edge('mark', 'end')]);

  it.each([
    ['a flow name used twice', () => [straight(), { ...straight(), label: label('again') }], 'flows.1.name', 'DUPLICATE_NAME', 'straight'],
    ['a node id used twice', () => [{ ...straight(), nodes: [...straight().nodes, node('mark', 'end')] }], 'flows.0.nodes.3.id', 'DUPLICATE_ID', '"mark"'],
    ['an edge id used twice', () => [{ ...straight(), edges: [...straight().edges, edge('mark', 'end')] }], 'flows.0.edges.2.id', 'DUPLICATE_ID', 'mark-end'],
    ['an edge to no node', () => [{ ...straight(), edges: [edge('start', 'mark'), edge('mark', 'ghost')] }], 'flows.0.edges.1.target', 'UNKNOWN_NODE', '"ghost"'],
    ['no start', () => [flow('no_start', [mark, node('end', 'end')], [edge('mark', 'end')])], 'flows.0.nodes', 'MISSING_START', 'start'],
    ['two starts', () => [{ ...straight(), nodes: [...straight().nodes, node('again', 'start')], edges: [...straight().edges, edge('again', 'mark')] }], 'flows.0.nodes.3', 'EXTRA_START', '"again"'],
    ['an edge into the start', () => [{ ...straight(), edges: [...straight().edges.slice(0, 1), edge('mark', 'start')] }], 'flows.0.nodes.0', 'EDGE_INTO_START', '"start"'],
    ['an edge out of an end', () => [{ ...straight(), nodes: [...straight().nodes, node('after', 'end')], edges: [...straight().edges, edge('end', 'after')] }], 'flows.0.nodes.2', 'EDGE_FROM_END', '"end"'],
    ['a step with no next step', () => [{ ...straight(), edges: [edge('start', 'mark')] }], 'flows.0.nodes.1', 'MISSING_EDGE', '"mark"'],
    ['a step with two next steps', () => [{ ...straight(), nodes: [...straight().nodes, node('other', 'end')], edges: [...straight().edges, edge('mark', 'other')] }], 'flows.0.nodes.1', 'EXTRA_EDGE', '"mark"'],
    ['a condition without its false branch', () => [branching([edge('cond', 'mark', 'true')])], 'flows.0.nodes.1', 'MISSING_BRANCH', '"cond": no "false" branch'],
    ['a condition edge that is no branch', () => [branching([edge('cond', 'mark', 'true'), edge('cond', 'end', 'false'), { id: 'x', source: 'cond', target: 'end' }])], 'flows.0.nodes.1', 'EXTRA_EDGE', '"cond"'],
    ['a node nothing leads to', () => [{ ...straight(), nodes: [...straight().nodes, node('lost', 'post_message', { text: 'hi' })], edges: [...straight().edges, edge('lost', 'end')] }], 'flows.0.nodes.3', 'UNREACHABLE_NODE', '"lost"'],
    ['a loop that never waits', () => [{ ...branching([edge('cond', 'mark', 'true'), edge('cond', 'end', 'false')]), edges: [edge('start', 'cond'), edge('cond', 'mark', 'true'), edge('cond', 'end', 'false'), edge('mark', 'cond')] }], 'flows.0.nodes.1', 'CYCLE_WITHOUT_WAIT', '"cond", "mark"'],
  ])('refuses %s', async (_, flows, path, code, names) => {
    await expectProblem(flows(), path, code, names);
  });

  it('accepts a loop through a wait, and leaves archived flows unchecked but for their name', async () => {
    const waiting = flow(
      'waiting',
      [node('start', 'start'), node('cond', 'condition', { expression: 'record.stage === "won"' }), node('pause', 'wait', { seconds: 3600 }), node('end', 'end')],
      [edge('start', 'cond'), edge('cond', 'end', 'true'), edge('cond', 'pause', 'false'), edge('pause', 'cond')],
    );
    const archived = { ...flow('old', [node('start', 'start'), node('lost', 'end')], []), archived: true };
    const res = await save([waiting, archived]);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    await admin.request('DELETE', '/api/v1/meta/draft');
  });
});

describe('what a flow names is checked when saved', () => {
  it.each([
    ['a trigger on no object', () => [around(mark, { ...onDeal, object: 'ghost' })], 'flows.0.trigger.object', 'UNKNOWN_OBJECT', '"ghost"'],
    ['a trigger watching no field', () => [around(mark, { ...onDeal, fields: ['amount', 'amout'] })], 'flows.0.trigger.fields.1', 'UNKNOWN_FIELD', '"amout"'],
    ['a record created on no object', () => [around(node('make', 'create_record', { object: 'ghost', values: {} }))], 'flows.0.nodes.1.data.object', 'UNKNOWN_OBJECT', '"make"'],
    ['an update with no record to update', () => [around(mark, { type: 'manual' })], 'flows.0.nodes.1', 'NO_RECORD', '"mark"'],
    ['an update of no field', () => [around(node('mark', 'update_record', { values: { amout: 1 } }))], 'flows.0.nodes.1.data.values.amout', 'UNKNOWN_FIELD', '"amout"'],
    ['a created record with no such field', () => [around(node('make', 'create_record', { object: 'task', values: { name: 'x', title: 'y' } }))], 'flows.0.nodes.1.data.values.title', 'UNKNOWN_FIELD', '"title"'],
    ['a write of a computed field', () => [around(node('mark', 'update_record', { values: { ref: 'D-1' } }))], 'flows.0.nodes.1.data.values.ref', 'READ_ONLY_FIELD', '"ref"'],
    ['a script step with no such script', () => [around(node('run', 'run_script', { script: 'ghost' }))], 'flows.0.nodes.1.data.script', 'UNKNOWN_SCRIPT', '"ghost"'],
    ['a script step running a script that is no flow step', () => [around(node('run', 'run_script', { script: 'helper' }))], 'flows.0.nodes.1.data.script', 'UNKNOWN_SCRIPT', '"helper"'],
    ['a card linking to a script URL', () => [around(node('say', 'post_message', { text: 'Look', card: { title: 'Deal', links: [{ label: 'Open', url: 'javascript:alert(1)' }] } }))], 'flows.0.nodes.1.data.card.links.0.url', 'INVALID_LINK', '"javascript:alert(1)"'],
  ])('refuses %s', async (_, flows, path, code, names) => {
    await expectProblem(flows(), path, code, names);
  });

  it('refuses a trigger on an archived object', async () => {
    const problems = await problemsOf([around(node('say', 'post_message', { text: 'hi' }), { type: 'manual', object: 'task' })], { objects: [deal, { ...task, archived: true }] });
    expect(problems).toContainEqual(expect.objectContaining({ path: 'flows.0.trigger.object', code: 'UNKNOWN_OBJECT' }));
  });
});

describe('a flow\'s expressions are type-checked when saved', () => {
  const condition = (expression: string, trigger: Record<string, unknown> = onDeal) =>
    flow('checked', [node('start', 'start'), node('cond_1', 'condition', { expression }), node('yes', 'end'), node('no', 'end')], [edge('start', 'cond_1'), edge('cond_1', 'yes', 'true'), edge('cond_1', 'no', 'false')], trigger);

  it('points at the node with TypeScript\'s message', async () => {
    expect(await problemsOf([condition('(record.amout ?? 0) > 5')])).toEqual([
      { path: 'flows.0.nodes.1.data.expression', code: 'INVALID_EXPRESSION', message: expect.stringContaining("Property 'amout' does not exist on type 'Deal'") },
    ]);
    expect(await problemsOf([condition('record.title')])).toEqual([
      { path: 'flows.0.nodes.1.data.expression', code: 'INVALID_EXPRESSION', message: "Type 'string' is not assignable to type 'boolean'." },
    ]);
    expect(await problemsOf([condition('record.title !== ""', { type: 'manual' })])).toEqual([
      { path: 'flows.0.nodes.1.data.expression', code: 'INVALID_EXPRESSION', message: expect.stringContaining("Cannot find name 'record'") },
    ]);
  });

  it('checks template parts, computed values, wait times and recipients', async () => {
    const steps = [
      node('say', 'post_message', { text: 'Deal {{ record.title }} is {{ record.title +\n  record.nope }}' }),
      node('mark', 'update_record', { values: { amount: { expr: 'record.amount + ' } } }),
      node('pause', 'wait', { until: 'record.amount' }),
      node('tell', 'notify', { users: '42', text: 'hi' }),
    ];
    const ids = ['start', ...steps.map((s) => s.id), 'end'];
    const problems = await problemsOf([flow('many', [node('start', 'start'), ...steps, node('end', 'end')], ids.slice(1).map((id, k) => edge(ids[k]!, id)))]);
    expect(problems.map((p) => p.path)).toEqual(['flows.0.nodes.1.data.text', 'flows.0.nodes.2.data.values.amount.expr', 'flows.0.nodes.3.data.until', 'flows.0.nodes.4.data.users']);
    expect(problems[0]!.message).toMatch(/^\{\{ record\.title \+\n {2}record\.nope \}\}: Property 'nope' does not exist/);
    expect(problems[2]!.message).toContain("not assignable to type 'string'");
    expect(problems[3]!.message).toContain("Type 'number' is not assignable to type 'string | string[]'");
  });

  it('checks the parts of a card\'s title, rows and links', async () => {
    const card = { title: 'Deal {{record.title}}', fields: [{ label: 'Amount', value: '{{record.amout}}' }], links: [{ label: 'Open', url: '/records/deal/{{record.id}}' }] };
    expect(await problemsOf([around(node('say', 'post_message', { text: 'Look', card }))])).toEqual([
      { path: 'flows.0.nodes.1.data.card.fields.0.value', code: 'INVALID_EXPRESSION', message: expect.stringContaining("'amout'") },
    ]);
  });

  it('refuses what is not one expression', async () => {
    for (const [expression, says] of [
      ['record.stage === "won"; true', 'one expression only'],
      ['true) || (false', 'closes a "(" that is not open here'],
      ['"won', 'a string is not closed'],
    ]) {
      expect(await problemsOf([condition(expression!)])).toEqual([{ path: 'flows.0.nodes.1.data.expression', code: 'INVALID_EXPRESSION', message: expect.stringContaining(says!) }]);
    }
  });

  it('types records by the draft\'s objects, not the published ones', async () => {
    const invoice = objectDef('invoice', 'number', [field('number', 'text', { required: true }), field('total', 'integer', { required: true })]);
    const res = await save([condition('record.total > 100', { type: 'record', object: 'invoice', events: ['created'] })], { objects: [deal, task, invoice] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    await admin.request('DELETE', '/api/v1/meta/draft');
  });

  it('are checked again when a document is published without a draft (an import)', async () => {
    const res = await admin.post('/api/v1/meta/import', { document: { objects: [deal, task], scripts: [scorer], flows: [condition('record.amout > 5')] }, dryRun: false });
    expect(res.status).toBe(400);
    expect(res.body.error.details.problems).toEqual([expect.objectContaining({ path: 'flows.0.nodes.1.data.expression', code: 'INVALID_EXPRESSION' })]);
  });
});

describe('one expression', () => {
  it.each([
    ['(record.amount ?? 0) / 100 > 1', null],
    ['/^D-\\d+$/.test(record.ref) && `${record.title}}`.length > 0', null],
    ['steps.list.some((s: string) => { if (s) { return (/[(]/).test(s); } return false; })', null],
    ['a!/2 + b++/2 + x.in/2 + 1./2', null],
    ['1); records.create("deal", {}); (1', 'closes a "(" that is not open here'],
    ['f(() => { if (x) /[(]/.test(s); })', 'could start a regular expression'],
    ['{}\n/)/', 'could start a regular expression'],
    ['`${a`', 'a template is not closed'],
    ['a // b\u2028)', 'closes a "(" that is not open here'],
    ['x /* ) */', null],
  ])('%j', (text, says) => {
    const problem = oneExpressionProblem(text);
    if (says === null) expect(problem).toBeNull();
    else expect(problem).toContain(says);
  });
});

describe('flows as metadata', () => {
  const everything = (): Flow =>
    flow(
      'deal_review',
      [
        node('start', 'start'),
        node('cond', 'condition', { expression: '(record.amount ?? 0) > 100' }),
        node('say', 'post_message', { text: 'Big deal: {{ record.title }}' }),
        node('mark', 'update_record', { values: { stage: 'won', amount: { expr: '(record.amount ?? 0) + 1' } } }),
        node('make', 'create_record', { object: 'task', values: { name: { expr: '`Follow up ${record.title}`' }, deal: { expr: 'record.id' } } }),
        node('tell', 'notify', { users: 'record.owner ?? []', text: 'Look at {{ record.title }}' }),
        node('score', 'run_script', { script: 'scorer', input: { accepted: { expr: 'record.stage === "won"' } } }),
        node('call', 'http_call', { url: 'https://example.invalid/deals/{{ record.id }}', body: { points: { expr: 'steps.score.points' } } }),
        node('pause', 'wait', { until: 'record.closes_at ?? new Date(Date.now() + 86_400_000).toISOString()' }),
        node('done', 'end'),
      ],
      [edge('start', 'cond'), edge('cond', 'say', 'true'), edge('cond', 'pause', 'false'), edge('pause', 'cond'), edge('say', 'mark'), edge('mark', 'make'), edge('make', 'tell'), edge('tell', 'score'), edge('score', 'call'), edge('call', 'done')],
      { ...onDeal, fields: ['amount'], condition: 'record.stage !== "won"' },
    );

  it('are added, changed node by node, archived when left out and back with a restored version', async () => {
    const first = everything();
    expect((await save([first])).status).toBe(200);
    expect((await admin.get('/api/v1/meta/changes')).body.changes).toContainEqual({ op: 'add_flow', object: 'deal', flow: 'deal_review', field: null, changed: [] });
    expect((await admin.post('/api/v1/meta/publish')).status).toBe(200);
    const withFlow = (await admin.get('/api/v1/meta/versions')).body.items[0].version;

    const second = everything();
    second.nodes = second.nodes.filter((n) => n.id !== 'call').map((n) => (n.id === 'cond' ? { ...n, data: { expression: '(record.amount ?? 0) > 1000' } } : n));
    second.nodes.push(node('thanks', 'post_message', { text: 'Thanks' }));
    second.edges = [...second.edges.filter((e) => e.source !== 'call' && e.target !== 'call'), edge('score', 'thanks'), edge('thanks', 'done')];
    expect((await save([second])).status).toBe(200);
    expect((await admin.get('/api/v1/meta/changes')).body.changes).toEqual([
      { op: 'change_flow', object: 'deal', flow: 'deal_review', field: null, changed: ['edges', 'nodes:+thanks', 'nodes:-call', 'nodes:~cond'] },
    ]);
    const moved = { ...first, nodes: first.nodes.map((n) => (n.id === 'say' ? { ...n, position: { x: 40, y: 80 } } : n)) };
    expect((await save([moved])).status).toBe(200);
    expect((await admin.get('/api/v1/meta/changes')).body.changes).toEqual([expect.objectContaining({ op: 'change_flow', changed: ['layout'] })]);

    expect((await save([])).status).toBe(200);
    expect((await admin.get('/api/v1/meta/changes')).body.changes).toEqual([{ op: 'archive_flow', object: 'deal', flow: 'deal_review', field: null, changed: [] }]);
    expect((await admin.post('/api/v1/meta/publish')).status).toBe(200);
    const archived = (await admin.get('/api/v1/meta/export')).body.document.flows;
    expect(archived).toEqual([expect.objectContaining({ name: 'deal_review', archived: true })]);

    const restored = await admin.post(`/api/v1/meta/versions/${withFlow}/restore`, {});
    expect(restored.status, JSON.stringify(restored.body)).toBe(200);
    expect(restored.body.changes).toEqual([{ op: 'restore_flow', object: 'deal', flow: 'deal_review', field: null, changed: [] }]);
    const back = (await admin.get('/api/v1/meta/export')).body.document.flows;
    expect(back).toEqual([expect.objectContaining({ name: 'deal_review', archived: false, nodes: expect.arrayContaining([expect.objectContaining({ id: 'call' })]) })]);
  });
});

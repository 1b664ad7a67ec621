import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, startTestPlatform, type ApiClient, type TestPlatform, eventually } from '../testing/index.ts';
import { field, label, objectDef } from '../testing/meta-builders.ts';

let t: TestPlatform;
let admin: ApiClient;
let member: ApiClient;

const deal = objectDef('deal', 'title', [field('title', 'text', { required: true }), field('escalated', 'boolean')]);
const manual = (name: string, trigger: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  name,
  label: label(`Flow ${name}`),
  trigger: { type: 'manual', ...trigger },
  nodes: [
    { id: 'start', type: 'start', data: {} },
    ...(trigger.object ? [{ id: 'mark', type: 'update_record', data: { values: { escalated: true } } }] : [{ id: 'mark', type: 'create_record', data: { object: 'deal', values: { title: 'made' } } }]),
    { id: 'end', type: 'end', data: {} },
  ],
  edges: [
    { id: 'a', source: 'start', target: 'mark' },
    { id: 'b', source: 'mark', target: 'end' },
  ],
  ...extra,
});
const flows = [
  manual('escalate', { object: 'deal', button: { label: label('Escalate'), confirm: label('Tell the manager about this deal?') } }),
  manual('plain', { object: 'deal' }),
  manual('everywhere', {}),
  manual('resting', { object: 'deal' }, { active: false }),
];
const greet = { name: 'greet', label: label('Greet'), kind: 'button', object: 'deal', button: { label: label('Greet') }, source: "export default function () { return 'hello'; }" };

const until = eventually;
beforeAll(async () => {
  t = await startTestPlatform({ env: { TB_DEMO: '0' } });
  admin = await loginAs(t.app);
  await admin.post('/api/v1/org/users', { login: 'seller', displayName: 'Seller', password: 'member-password-1' });
  member = await loginAs(t.app, 'seller', 'member-password-1');
  const saved = await admin.request('PUT', '/api/v1/meta/draft', { body: { objects: [deal], scripts: [greet], flows } });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  expect((await admin.post('/api/v1/meta/publish')).status).toBe(200);
  // Members read only the deals they own.
  const role = ((await admin.get('/api/v1/access/roles')).body.items as { id: string; key: string }[]).find((r) => r.key === 'member')!;
  const set = await admin.patch(`/api/v1/access/roles/${role.id}`, { permissions: [{ object: 'deal', create: true, read: 'own', edit: 'own', delete: 'own' }] });
  expect(set.status, JSON.stringify(set.body)).toBe(200);
});
afterAll(() => t.close());

describe("a manual flow on an object is a button on its records", () => {
  it('is listed with the record actions, after the button scripts, with its label and confirmation', async () => {
    const actions = await member.get('/api/v1/objects/deal/actions');
    expect(actions.status).toBe(200);
    expect(actions.body.items).toEqual([
      { name: 'greet', label: label('Greet'), confirm: null },
      { name: 'escalate', label: label('Escalate'), confirm: label('Tell the manager about this deal?'), kind: 'flow', approval: false },
      { name: 'plain', label: label('Flow plain'), confirm: null, kind: 'flow', approval: false },
    ]);
  });

  it('is started on a record by anyone who may read the record', async () => {
    const mine = (await member.post('/api/v1/objects/deal/records', { title: 'Mine' })).body.id as string;
    const started = await member.post('/api/v1/flows/escalate/runs', { recordId: mine });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ recordId: mine, trigger: { kind: 'manual' } });
    await until(async () => (await member.get(`/api/v1/objects/deal/records/${mine}`)).body.escalated, (v) => v === true);
  });

  it('is refused on a record its presser may not read, as if the record did not exist', async () => {
    const theirs = (await admin.post('/api/v1/objects/deal/records', { title: 'Not yours' })).body.id as string;
    const refused = await member.post('/api/v1/flows/escalate/runs', { recordId: theirs });
    expect(refused.status).toBe(404);
    expect(refused.body.error.code).toBe('RECORD_NOT_FOUND');
    expect(((await admin.get('/api/v1/flows/escalate/runs')).body.items as { recordId: string }[]).map((r) => r.recordId)).not.toContain(theirs);
  });

  it('is no button when it runs on no record: that one is started by administrators only', async () => {
    expect((await member.post('/api/v1/flows/everywhere/runs', {})).status).toBe(403);
    expect((await admin.post('/api/v1/flows/everywhere/runs', {})).status).toBe(201);
  });
});

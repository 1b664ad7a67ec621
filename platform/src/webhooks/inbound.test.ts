import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemCtx } from '../core/context.ts';
import { apiClient, loginAs, startTestPlatform, type ApiClient, type TestPlatform } from '../testing/index.ts';
import { field, objectDef, option } from '../testing/meta-builders.ts';

let t: TestPlatform;
let admin: ApiClient;
let member: ApiClient;
/** The other system: no session, no token, English. */
let erp: ApiClient;

beforeAll(async () => {
  t = await startTestPlatform({ env: { TB_DEMO: '0' } });
  admin = await loginAs(t.app);
  await admin.post('/api/v1/org/users', { login: 'clerk', displayName: 'Clerk', password: 'member-password-1' });
  member = await loginAs(t.app, 'clerk', 'member-password-1');
  erp = apiClient(t.app, undefined, { 'accept-language': 'en' });
  const customer = objectDef('customer', 'name', [
    field('code', 'text', { unique: true }),
    field('name', 'text', { required: true }),
    field('credit', 'integer'),
    field('tier', 'single_select', { options: [option('gold'), option('silver')] }),
    field('region', 'text'),
    field('serial', 'auto_number'),
  ]);
  // A flow on new customers: what an inbound call writes starts it like any other write.
  const welcome = { name: 'welcome', label: { en: 'Welcome', 'zh-CN': '欢迎' }, trigger: { type: 'record', object: 'customer', events: ['created'] }, nodes: [{ id: 'start', type: 'start', data: {} }, { id: 'end', type: 'end', data: {} }], edges: [{ id: 'start-end', source: 'start', target: 'end' }] };
  const saved = await admin.request('PUT', '/api/v1/meta/draft', { body: { objects: [customer], flows: [welcome] } });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  expect((await admin.post('/api/v1/meta/publish')).status).toBe(200);
});
afterAll(() => t.close());

const db = () => systemCtx(t.platform, t.platform.workspaces.list()[0]!).db;
const orders = { name: 'ERP customers', object: 'customer', mode: 'create', mapping: { name: 'customer.name', credit: 'customer.credit', region: 'addresses.0.region', code: 'code' } };
const upserts = { name: 'CRM sync', object: 'customer', mode: 'upsert', keyField: 'code', mapping: { code: 'id', name: 'name', tier: 'level' } };
async function hook(body: Record<string, unknown>) {
  const created = await admin.post('/api/v1/webhooks/inbound', body);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body as { id: string; path: string; token: string };
}
const customers = async (filter: Record<string, unknown>) => (await admin.get(`/api/v1/objects/customer/records?filter=${encodeURIComponent(JSON.stringify(filter))}`)).body.items as Record<string, unknown>[];

describe('the inbound webhook API', () => {
  it('is for administrators only', async () => {
    const made = await hook({ ...orders, name: 'guarded' });
    const anonymous = apiClient(t.app);
    const calls: [string, string, unknown?][] = [
      ['GET', '/api/v1/webhooks/inbound'],
      ['POST', '/api/v1/webhooks/inbound', orders],
      ['GET', `/api/v1/webhooks/inbound/${made.id}`],
      ['PATCH', `/api/v1/webhooks/inbound/${made.id}`, { active: false }],
      ['DELETE', `/api/v1/webhooks/inbound/${made.id}`],
      ['POST', `/api/v1/webhooks/inbound/${made.id}/rotate-token`],
    ];
    for (const [method, path, body] of calls) {
      const asMember = await member.request(method, path, body === undefined ? {} : { body });
      expect([path, asMember.status, asMember.body.error.code]).toEqual([path, 403, 'FORBIDDEN']);
      expect((await anonymous.request(method, path, body === undefined ? {} : { body })).status).toBe(401);
    }
  });

  it('creates a hook and shows its secret URL only once', async () => {
    const created = await admin.post('/api/v1/webhooks/inbound', { ...orders, name: 'shown once', description: 'from the ERP' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'shown once', description: 'from the ERP', object: 'customer', mode: 'create', keyField: null, mapping: orders.mapping, active: true, lastUsedAt: null });
    expect(created.body.token).toMatch(/^tbh_[A-Za-z0-9_-]{43}$/);
    expect(created.body.path).toBe(`/api/v1/hooks/in/${created.body.token}`);
    expect(created.body.tokenHint).toBe(created.body.token.slice(-4));
    const read = (await admin.get(`/api/v1/webhooks/inbound/${created.body.id}`)).body;
    expect(read).not.toHaveProperty('token');
    expect(JSON.stringify((await admin.get('/api/v1/webhooks/inbound')).body)).not.toContain(created.body.token);
    const stored = await db().selectFrom('webhook_inbound').select('token_hash').where('id', '=', created.body.id).executeTakeFirstOrThrow();
    expect(stored.token_hash).not.toContain(created.body.token);
  });

  it('refuses hooks that could not write their records', async () => {
    const refused = async (body: Record<string, unknown>) => (await admin.post('/api/v1/webhooks/inbound', body)).body.error;
    expect(await refused({ ...orders, object: 'supplier' })).toMatchObject({ code: 'OBJECT_NOT_FOUND' });
    expect(await refused({ ...orders, mapping: { nickname: 'a', serial: 'b' } })).toMatchObject({ code: 'WEBHOOK_MAPPING_INVALID', message: 'customer 没有名为 nickname, serial 的可写字段。', details: { fields: ['nickname', 'serial'] } });
    expect(await refused({ ...upserts, keyField: 'name', mapping: { name: 'name' } })).toMatchObject({ code: 'WEBHOOK_KEY_FIELD_INVALID', details: { field: 'keyField' } });
    for (const body of [
      { ...upserts, keyField: undefined },
      { ...upserts, mapping: { name: 'name' } },
      { ...orders, mapping: {} },
      { ...orders, mapping: { name: 'customer..name' } },
      { ...orders, mode: 'merge' },
      { ...orders, token: 'mine' },
    ]) {
      expect((await refused(body)).code, JSON.stringify(body)).toBe('FAILED_VALIDATION');
    }
  });

  it('changes, rotates and deletes a hook, each audited', async () => {
    const made = await hook({ ...orders, name: 'changing' });
    const changed = await admin.patch(`/api/v1/webhooks/inbound/${made.id}`, { mode: 'upsert', keyField: 'code', mapping: { code: 'code', name: 'name' } });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ mode: 'upsert', keyField: 'code', mapping: { code: 'code', name: 'name' } });
    expect((await admin.patch(`/api/v1/webhooks/inbound/${made.id}`, { keyField: 'region' })).body.error.code).toBe('WEBHOOK_KEY_FIELD_INVALID');
    expect((await admin.patch(`/api/v1/webhooks/inbound/${made.id}`, { mode: 'create' })).body).toMatchObject({ mode: 'create', keyField: null });
    expect((await admin.patch('/api/v1/webhooks/inbound/0195f0c2-0000-7000-8000-000000000000', { active: false })).body.error.code).toBe('WEBHOOK_INBOUND_NOT_FOUND');

    const rotated = (await admin.post(`/api/v1/webhooks/inbound/${made.id}/rotate-token`)).body;
    expect(rotated.token).not.toBe(made.token);
    expect((await erp.post(made.path, { name: 'Old URL' })).status).toBe(404);
    expect((await erp.post(rotated.path, { name: 'New URL' })).status).toBe(201);

    expect((await admin.delete(`/api/v1/webhooks/inbound/${made.id}`)).status).toBe(204);
    expect((await erp.post(rotated.path, { name: 'Deleted' })).status).toBe(404);
    expect((await admin.get(`/api/v1/webhooks/inbound/${made.id}`)).status).toBe(404);
    const audit = await db().selectFrom('audit_log').select(['action', 'details']).where('target_id', '=', made.id).orderBy('seq').execute();
    expect(audit.map((a) => a.action)).toEqual(['webhooks.inbound.create', 'webhooks.inbound.update', 'webhooks.inbound.update', 'webhooks.inbound.rotate_token', 'webhooks.inbound.delete']);
    expect(JSON.stringify(audit)).not.toContain('tbh_');
  });
});

describe('receiving a call', () => {
  it('creates a record from the mapped payload, as the system, audited under the hook', async () => {
    const made = await hook(orders);
    const answer = await erp.post(made.path, { code: 'C-1', customer: { name: '华东机械', credit: 500 }, addresses: [{ region: 'East' }, { region: 'West' }], ignored: true });
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({ recordId: expect.stringMatching(/^[0-9a-f-]{36}$/), created: true });
    const record = (await admin.get(`/api/v1/objects/customer/records/${answer.body.recordId}`)).body;
    expect(record).toMatchObject({ code: 'C-1', name: '华东机械', credit: 500, region: 'East', created_by: null, tier: null });
    const audit = await db().selectFrom('audit_log').select(['action', 'actor_id', 'actor_login', 'details']).where('target_id', '=', answer.body.recordId).execute();
    expect(audit).toEqual([{ action: 'webhooks.inbound.receive', actor_id: null, actor_login: 'webhook:ERP customers', details: { hook: made.id, object: 'customer', created: true, idempotencyKey: null } }]);
    expect((await admin.get(`/api/v1/webhooks/inbound/${made.id}`)).body.lastUsedAt).not.toBeNull();
    const runs = (await admin.get('/api/v1/flows/welcome/runs')).body.items as { recordId: string }[];
    expect(runs.map((r) => r.recordId)).toContain(answer.body.recordId);
  });

  it('answers 404 for a wrong token and 409 while the hook is inactive', async () => {
    const made = await hook({ ...orders, name: 'switchable' });
    for (const path of ['/api/v1/hooks/in/tbh_wrong', '/api/v1/hooks/in/anything', `${made.path}x`]) {
      const wrong = await erp.post(path, { code: 'nope' });
      expect([path, wrong.status, wrong.body.error.code, wrong.body.error.message]).toEqual([path, 404, 'WEBHOOK_INBOUND_NOT_FOUND', 'This inbound webhook does not exist.']);
    }
    await admin.patch(`/api/v1/webhooks/inbound/${made.id}`, { active: false });
    const off = await erp.post(made.path, { customer: { name: 'Off' } });
    expect([off.status, off.body.error.code, off.body.error.message]).toEqual([409, 'WEBHOOK_INBOUND_INACTIVE', 'Inbound webhook switchable is inactive.']);
    expect(await customers({ field: 'name', op: 'eq', value: 'Off' })).toEqual([]);
  });

  it('refuses a bad payload with the field errors of the records service, and writes nothing', async () => {
    const made = await hook({ ...orders, name: 'strict' });
    const before = await db().selectFrom('audit_log').select(({ fn }) => fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const notJson = await erp.request('POST', made.path, { raw: '{"customer":', headers: { 'content-type': 'application/json' } });
    expect([notJson.status, notJson.body.error.code]).toEqual([400, 'INVALID_JSON']);
    for (const payload of [[{ customer: { name: 'list' } }], 'text', 42, null]) {
      const res = await erp.post(made.path, payload);
      expect([res.status, res.body.error.code, res.body.error.message]).toEqual([400, 'WEBHOOK_PAYLOAD_INVALID', 'The payload must be a JSON object.']);
    }
    const invalid = await erp.post(made.path, { customer: { name: 'Bad credit', credit: 'lots' } });
    expect([invalid.status, invalid.body.error.code]).toEqual([400, 'INVALID_FIELD_VALUE']);
    expect(invalid.body.error.details.fields).toEqual([{ field: 'credit', message: expect.any(String) }]);
    const missing = await erp.post(made.path, { customer: { credit: 5 } });
    expect([missing.status, missing.body.error.details.fields]).toEqual([400, [{ field: 'name', message: 'required' }]]);
    expect(await customers({ field: 'name', op: 'eq', value: 'Bad credit' })).toEqual([]);
    const after = await db().selectFrom('audit_log').select(({ fn }) => fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
    expect((await admin.get(`/api/v1/webhooks/inbound/${made.id}`)).body.lastUsedAt).toBeNull();
  });

  it('upserts by the key field: creates the first time, updates after', async () => {
    const made = await hook(upserts);
    const first = await erp.post(made.path, { id: 'K-7', name: 'Kite', level: 'silver' });
    expect(first.status).toBe(201);
    const second = await erp.post(made.path, { id: 'K-7', name: 'Kite Ltd', level: 'gold' });
    expect([second.status, second.body]).toEqual([200, { recordId: first.body.recordId, created: false }]);
    expect(await customers({ field: 'code', op: 'eq', value: 'K-7' })).toEqual([expect.objectContaining({ id: first.body.recordId, name: 'Kite Ltd', tier: 'gold', version: 2 })]);
    const keyless = await erp.post(made.path, { name: 'Nobody' });
    expect([keyless.status, keyless.body.error.code, keyless.body.error.message]).toEqual([400, 'WEBHOOK_KEY_MISSING', 'The payload has no value for the key field code (at id).']);
    const badKey = await erp.post(made.path, { id: 42, name: 'Number' });
    expect([badKey.status, badKey.body.error.code, badKey.body.error.details.fields[0].field]).toEqual([400, 'INVALID_FIELD_VALUE', 'code']);
    const badValue = await erp.post(made.path, { id: 'K-7', name: 'Kite', level: 'platinum' });
    expect([badValue.status, badValue.body.error.code]).toEqual([400, 'INVALID_FIELD_VALUE']);
    expect((await customers({ field: 'code', op: 'eq', value: 'K-7' }))[0]).toMatchObject({ tier: 'gold' });
  });

  it('writes once for calls that race with the same key value', async () => {
    const made = await hook({ ...upserts, name: 'racing' });
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => erp.post(made.path, { id: 'RACE-1', name: `Racer ${i}` })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
    expect(new Set(answers.map((a) => a.body.recordId)).size).toBe(1);
    expect(await customers({ field: 'code', op: 'eq', value: 'RACE-1' })).toHaveLength(1);
  });
});

describe('the Idempotency-Key header', () => {
  it('gives the first answer again for the same key and payload, and writes nothing more', async () => {
    const made = await hook({ ...orders, name: 'idempotent' });
    const payload = { code: 'I-1', customer: { name: 'Once', credit: 1 } };
    const key = { headers: { 'idempotency-key': 'order-1001' } };
    const first = await erp.post(made.path, payload, key);
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    // The same payload with its keys in another order is the same payload.
    const again = await erp.post(made.path, { customer: { credit: 1, name: 'Once' }, code: 'I-1' }, key);
    expect([again.status, again.body]).toEqual([201, first.body]);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await customers({ field: 'name', op: 'eq', value: 'Once' })).toHaveLength(1);
    const audit = await db().selectFrom('audit_log').select('action').where('target_id', '=', first.body.recordId).execute();
    expect(audit).toHaveLength(1);

    const other = await erp.post(made.path, { ...payload, customer: { name: 'Twice' } }, key);
    expect([other.status, other.body.error.code, other.body.error.message]).toEqual([409, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different payload.']);
    const elsewhere = await hook({ ...orders, name: 'other hook' });
    expect((await erp.post(elsewhere.path, { customer: { name: 'Once' } }, key)).status).toBe(201);
  });

  it('keeps no answer for a refused call, so the key can be used again once the payload is right', async () => {
    const made = await hook({ ...orders, name: 'second chance' });
    const key = { headers: { 'idempotency-key': 'order-2002' } };
    expect((await erp.post(made.path, { customer: { credit: 'x' } }, key)).status).toBe(400);
    const fixed = await erp.post(made.path, { customer: { name: 'Fixed' } }, key);
    expect([fixed.status, fixed.headers.get('idempotent-replayed')]).toEqual([201, null]);
    for (const bad of ['has space', 'x'.repeat(256), 'tab\tinside']) {
      const res = await erp.post(made.path, { customer: { name: 'Key' } }, { headers: { 'idempotency-key': bad } });
      expect([res.status, res.body.error.code]).toEqual([400, 'FAILED_VALIDATION']);
    }
  });

  it('answers calls that race with one key once', async () => {
    const made = await hook({ ...orders, name: 'racing keys' });
    const answers = await Promise.all(Array.from({ length: 6 }, () => erp.post(made.path, { customer: { name: 'Raced' } }, { headers: { 'idempotency-key': 'race-key' } })));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201, 201]);
    expect(new Set(answers.map((a) => a.body.recordId)).size).toBe(1);
    expect(answers.filter((a) => a.headers.get('idempotent-replayed') === 'true')).toHaveLength(5);
    expect(await customers({ field: 'name', op: 'eq', value: 'Raced' })).toHaveLength(1);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemCtx } from '../core/context.ts';
import { apiClient, loginAs, startTestPlatform, type ApiClient, type TestPlatform } from '../testing/index.ts';
import { field as f, label, objectDef as object, option } from '../testing/meta-builders.ts';

let t: TestPlatform;
let admin: ApiClient;
let member: ApiClient;
let memberId: string;


const model = {
  objects: [
    object('customer', 'name', [
      f('name', 'text', { required: true, unique: true }),
      f('deal_count', 'rollup', { source: 'deal', via: 'customer', fn: 'count' }),
      f('deal_total', 'rollup', { source: 'deal', via: 'customer', fn: 'sum', field: 'amount' }),
    ]),
    object('deal', 'title', [
      f('title', 'text', { required: true, tracked: true }),
      f('number', 'auto_number', { prefix: 'D-', digits: 4 }),
      f('amount', 'currency', { precision: 12, scale: 2, tracked: true }),
      f('probability', 'percent', { precision: 5, scale: 4 }),
      f('quantity', 'integer', { min: 0 }),
      f('stage', 'single_select', { options: [option('new'), option('won'), option('lost')], tracked: true }),
      f('tags', 'multi_select', { options: [option('vip'), option('renewal')] }),
      f('close_date', 'date'),
      f('closed_at', 'datetime'),
      f('won', 'boolean'),
      f('notes', 'rich_text'),
      f('website', 'url'),
      f('assignee', 'user'),
      f('customer', 'lookup', { target: 'customer', onDelete: 'restrict' }),
      f('weighted', 'formula', { expression: 'ROUND(amount * probability, 2)', resultType: 'decimal' }),
      f('badge', 'formula', { expression: "UPPER(stage) & ' x' & quantity", resultType: 'text' }),
      f('bulk_order', 'formula', { expression: 'quantity > 2', resultType: 'boolean' }),
      f('follow_up', 'formula', { expression: 'close_date + 7', resultType: 'date' }),
      f('per_unit', 'formula', { expression: 'amount / quantity', resultType: 'decimal' }),
    ]),
  ],
};

beforeAll(async () => {
  t = await startTestPlatform({ env: { TB_DEMO: '0' } });
  admin = await loginAs(t.app);
  memberId = (await admin.post('/api/v1/org/users', { login: 'seller', displayName: 'Seller', password: 'member-password-1' })).body.id;
  member = await loginAs(t.app, 'seller', 'member-password-1');
  await admin.request('PUT', '/api/v1/meta/draft', { body: model });
  expect((await admin.post('/api/v1/meta/publish')).status).toBe(200);
});
afterAll(() => t.close());

const deals = '/api/v1/objects/deal/records';
const customers = '/api/v1/objects/customer/records';

describe('creating and reading records', () => {
  let customerId: string;

  it('stores every field type and reads it back in its API form', async () => {
    customerId = (await member.post(customers, { name: 'Acme 股份' })).body.id;
    const res = await member.post(deals, {
      title: '年度框架协议',
      amount: { amount: '125000.50' },
      probability: 0.35,
      quantity: 3,
      stage: 'new',
      tags: ['vip'],
      close_date: '2026-12-31',
      closed_at: '2026-11-24T10:00:00+08:00',
      won: false,
      notes: '<p>hello<script>alert(1)</script></p>',
      website: 'https://example.com',
      assignee: memberId,
      customer: customerId,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      title: '年度框架协议',
      number: 'D-0001',
      amount: { amount: '125000.50', currency: 'CNY' },
      probability: '0.3500',
      quantity: 3,
      stage: 'new',
      tags: ['vip'],
      close_date: '2026-12-31',
      closed_at: '2026-11-24T02:00:00.000Z',
      won: false,
      notes: '<p>hello</p>',
      website: 'https://example.com',
      assignee: memberId,
      customer: customerId,
      owner: memberId,
      created_by: memberId,
      version: 1,
    });
    expect(res.body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    expect(res.body).toMatchObject({ weighted: '43750.18', badge: 'NEW x3', bulk_order: true, follow_up: '2027-01-07' });
    expect(res.body.per_unit).toMatch(/^41666\.8333/);
    const zero = await member.post(deals, { title: 'Zero', amount: { amount: '10' }, quantity: 0 });
    expect(zero.body).toMatchObject({ per_unit: null, bulk_order: false, weighted: null });
    await member.delete(`${deals}/${zero.body.id}`);
    expect((await member.get(`${deals}/${res.body.id}`)).body).toEqual(res.body);
  });

  it('refuses unknown, read-only, missing and invalid values together, and stores nothing', async () => {
    const unknown = await member.post(deals, { title: 'x', colour: 'red' });
    expect(unknown.body.error).toMatchObject({ code: 'UNKNOWN_FIELD', details: { fields: ['colour'] } });
    expect((await member.post(deals, { title: 'x', number: 'D-9' })).body.error.code).toBe('READ_ONLY_FIELD');
    const invalid = await member.post(deals, { quantity: -1, stage: 'maybe', amount: { amount: '1.234' }, close_date: '31/12/2026', tags: ['vip', 'vip'] });
    expect(invalid.body.error.code).toBe('INVALID_FIELD_VALUE');
    expect(invalid.body.error.details.fields.map((e: { field: string }) => e.field).sort()).toEqual(['amount', 'close_date', 'quantity', 'stage', 'tags', 'title']);
    expect((await member.get(`${deals}?count=true`)).body.total).toBe(1);
  });

  it('a lookup to a missing record is a 422 naming the field; a unique value taken is a 409', async () => {
    const dangling = await member.post(deals, { title: 'x', customer: '00000000-0000-4000-8000-000000000000' });
    expect(dangling.status).toBe(422);
    expect(dangling.body.error).toMatchObject({ code: 'REFERENCE_NOT_FOUND', details: { field: 'customer' } });
    expect((await member.post(customers, { name: 'Acme 股份' })).body.error.code).toBe('UNIQUE_VALUE_TAKEN');
  });

  it('rollups count and sum the related records when read', async () => {
    await member.post(deals, { title: 'Add-on', amount: { amount: '500' }, customer: customerId });
    expect((await member.get(`${customers}/${customerId}`)).body).toMatchObject({ deal_count: 2, deal_total: '125500.50' });
  });

  it('expands lookups, users and departments in the same request', async () => {
    const page = await member.get(`${deals}?expand=customer,assignee&sort=number&limit=5`);
    const [first, second] = page.body.items;
    expect(first._expanded.customer).toMatchObject({ id: customerId, name: 'Acme 股份', version: 1 });
    expect(first._expanded.assignee).toEqual({ id: memberId, login: 'seller', displayName: 'Seller', avatarUrl: null });
    expect(second._expanded).toEqual({ customer: expect.objectContaining({ name: 'Acme 股份' }), assignee: null });
    const one = await member.get(`${deals}/${first.id}?expand=customer`);
    expect(one.body._expanded.customer.name).toBe('Acme 股份');
    // `*`: every lookup, user and department field, for a page that asks before it has the metadata.
    const all = await member.get(`${deals}/${first.id}?expand=*`);
    expect(all.body._expanded).toEqual({ customer: expect.objectContaining({ name: 'Acme 股份' }), assignee: expect.objectContaining({ login: 'seller' }) });
    expect(Object.keys((await member.get(`${deals}?expand=*&limit=1`)).body.items[0]._expanded).sort()).toEqual(['assignee', 'customer']);
    expect((await member.get(`${deals}?expand=title`)).body.error.code).toBe('UNKNOWN_FIELD');
  });

  it('a restrict lookup keeps its target from being deleted', async () => {
    const res = await member.delete(`${customers}/${customerId}`);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('RECORD_IN_USE');
  });

  it('unknown objects and records are coded 404s', async () => {
    expect((await member.get('/api/v1/objects/nothing/records')).body.error.code).toBe('OBJECT_NOT_FOUND');
    expect((await member.get(`${deals}/00000000-0000-4000-8000-000000000000`)).body.error.code).toBe('RECORD_NOT_FOUND');
    expect((await member.get('/api/v1/objects/Bad-Name/records')).body.error.code).toBe('FAILED_VALIDATION');
  });
});

describe('updating with optimistic concurrency, history and events', () => {
  let id: string;

  it('a PATCH with the current version applies; a stale one is refused and changes nothing', async () => {
    id = (await member.post(deals, { title: 'Pilot', stage: 'new', amount: { amount: '100' } })).body.id;
    const first = await member.patch(`${deals}/${id}`, { version: 1, stage: 'won', amount: { amount: '120', currency: 'USD' } });
    expect(first.body).toMatchObject({ version: 2, stage: 'won', amount: { amount: '120.00', currency: 'USD' } });
    const stale = await admin.patch(`${deals}/${id}`, { version: 1, stage: 'lost' });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'VERSION_CONFLICT', details: { current: 2 } });
    expect((await member.get(`${deals}/${id}`)).body.stage).toBe('won');
  });

  it('tracked fields keep old → new values with who changed them', async () => {
    const history = (await member.get(`${deals}/${id}/history`)).body.items;
    expect(history.map((h: { field: string; old: unknown; new: unknown }) => [h.field, h.old, h.new])).toEqual(
      expect.arrayContaining([
        ['stage', 'new', 'won'],
        ['amount', { amount: '100.00', currency: 'CNY' }, { amount: '120.00', currency: 'USD' }],
        ['title', null, 'Pilot'],
      ]),
    );
    expect(history.every((h: { changedBy: string }) => h.changedBy === memberId)).toBe(true);
  });

  it('every create, update and delete is an outbox event carrying the changed fields', async () => {
    await member.delete(`${deals}/${id}`);
    const ctx = systemCtx(t.platform, t.platform.workspaces.list()[0]!);
    const events = await ctx.db.selectFrom('outbox_events').select(['type', 'payload']).where('aggregate_id', '=', `deal:${id}`).orderBy('id').execute();
    expect(events.map((e) => [e.type, (e.payload as { changed?: string[] }).changed ?? null])).toEqual([
      ['record.created', expect.arrayContaining(['title', 'stage', 'amount'])],
      ['record.updated', ['amount', 'stage']],
      ['record.deleted', null],
    ]);
    expect((await member.get(`${deals}/${id}`)).status).toBe(404);
  });
});

describe('bulk writes', () => {
  it('apply creates, updates and deletes together', async () => {
    const seed = (await member.post(deals, { title: 'To update' })).body;
    const gone = (await member.post(deals, { title: 'To delete' })).body;
    const res = await member.post(`${deals}/bulk`, { create: [{ title: 'B1' }, { title: 'B2' }], update: [{ id: seed.id, version: 1, won: true }], delete: [gone.id] });
    expect(res.status).toBe(200);
    expect(res.body.created.map((r: { title: string }) => r.title)).toEqual(['B1', 'B2']);
    expect(res.body).toMatchObject({ updated: [{ won: true, version: 2 }], deleted: 1 });
  });

  it('roll back entirely when one item fails, naming it', async () => {
    const before = (await member.get(`${deals}?count=true`)).body.total;
    const res = await member.post(`${deals}/bulk`, { create: [{ title: 'ok' }, { title: 'bad', quantity: -5 }] });
    expect(res.body.error).toMatchObject({ code: 'INVALID_FIELD_VALUE', details: { op: 'create', index: 1 } });
    expect((await member.get(`${deals}?count=true`)).body.total).toBe(before);
  });
});

describe('OpenAPI per object', () => {
  it('logged-in callers get typed paths for each published object; anonymous callers do not', async () => {
    const doc = (await member.get('/api/v1/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/objects/deal/records', '/api/v1/objects/deal/records/{id}', '/api/v1/objects/customer/records']));
    const deal = doc.components.schemas.Record_deal;
    expect(deal.properties.stage).toMatchObject({ anyOf: [{ type: 'string', enum: ['new', 'won', 'lost'] }, { type: 'null' }], title: 'stage' });
    expect(deal.properties.amount.anyOf[0]).toMatchObject({ type: 'object', required: ['amount', 'currency'] });
    expect(doc.paths['/api/v1/objects/deal/records'].post.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/RecordInput_deal');
    expect(doc.components.schemas.RecordInput_deal.properties).not.toHaveProperty('number');
    const anonymous = (await apiClient(t.app).get('/api/v1/openapi.json')).body;
    expect(Object.keys(anonymous.paths).filter((p) => p.includes('/deal/'))).toEqual([]);
  });
});

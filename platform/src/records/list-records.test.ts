import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, startTestPlatform, type ApiClient, type TestPlatform } from '../testing/index.ts';
import { field as f, label, option } from '../testing/meta-builders.ts';

let t: TestPlatform;
let admin: ApiClient;
let member: ApiClient;
let memberId: string;

const url = '/api/v1/objects/ticket/records';

/** 30 tickets; every third has no priority, so sorting meets nulls. */
const tickets = Array.from({ length: 30 }, (_, i) => ({
  subject: `Ticket ${String(i).padStart(2, '0')}${i % 5 === 0 ? ' 打印机故障' : ''}`,
  priority: i % 3 === 0 ? null : i % 7,
  amount: String((i * 12.5).toFixed(2)),
  status: ['open', 'pending', 'closed'][i % 3],
  labels: i % 4 === 0 ? ['urgent'] : [],
  due: `2026-12-${String((i % 28) + 1).padStart(2, '0')}`,
}));

beforeAll(async () => {
  t = await startTestPlatform({ env: { TB_DEMO: '0' } });
  admin = await loginAs(t.app);
  memberId = (await admin.post('/api/v1/org/users', { login: 'agent', displayName: 'Agent', password: 'member-password-1' })).body.id;
  member = await loginAs(t.app, 'agent', 'member-password-1');
  const ticket = {
    name: 'ticket',
    label: label('Ticket'),
    pluralLabel: label('Tickets'),
    recordName: 'subject',
    fields: [
      f('subject', 'text'),
      f('priority', 'integer'),
      f('amount', 'decimal', { precision: 10, scale: 2 }),
      f('status', 'single_select', { options: [option('open'), option('pending'), option('closed')] }),
      f('labels', 'multi_select', { options: [option('urgent'), option('vip')] }),
      f('due', 'date'),
      f('agent', 'user'),
    ],
  };
  await admin.request('PUT', '/api/v1/meta/draft', { body: { objects: [ticket] } });
  await admin.post('/api/v1/meta/publish');
  await admin.post(`${url}/bulk`, { create: tickets.map((x, i) => ({ ...x, agent: i < 4 ? memberId : null })) });
});
afterAll(() => t.close());

const list = async (query: Record<string, string | object>) => {
  const params = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
  return member.get(`${url}?${params}`);
};
const subjects = (res: { body: { items: { subject: string }[] } }) => res.body.items.map((r) => r.subject);

describe('filters', () => {
  it.each([
    [{ field: 'status', op: 'eq', value: 'closed' }, 10],
    [{ field: 'priority', op: 'gt', value: 4 }, 5],
    [{ field: 'priority', op: 'is_empty' }, 10],
    [{ field: 'amount', op: 'between', value: ['100', '200'] }, 9],
    [{ field: 'status', op: 'in', value: ['open', 'pending'] }, 20],
    [{ field: 'subject', op: 'contains', value: '打印机' }, 6],
    [{ field: 'subject', op: 'starts_with', value: 'ticket 1' }, 10],
    [{ field: 'labels', op: 'contains', value: 'urgent' }, 8],
    [{ field: 'due', op: 'lt', value: '2026-12-03' }, 4],
    [{ field: 'agent', op: 'eq', value: '$me' }, 4],
    [{ not: { field: 'status', op: 'eq', value: 'closed' } }, 20],
    [{ or: [{ field: 'priority', op: 'eq', value: 6 }, { and: [{ field: 'status', op: 'eq', value: 'open' }, { field: 'labels', op: 'is_not_empty' }] }] }, 5],
  ])('%j matches %i tickets', async (filter, expected) => {
    const res = await list({ filter, limit: '200', count: 'true' });
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(expected);
    expect(res.body.items).toHaveLength(expected);
  });

  it("selects rows by their own ids: in, not_in, eq, ne", async () => {
    const page = (await list({ sort: 'subject', limit: '3' })).body.items as { id: string; subject: string }[];
    const ids = page.map((r) => r.id);
    expect(subjects(await list({ filter: { field: 'id', op: 'in', value: ids }, sort: 'subject' }))).toEqual(page.map((r) => r.subject));
    expect((await list({ filter: { field: 'id', op: 'not_in', value: ids }, count: 'true' })).body.total).toBe(27);
    expect(subjects(await list({ filter: { field: 'id', op: 'eq', value: ids[1] } }))).toEqual([page[1]!.subject]);
    expect((await list({ filter: { field: 'id', op: 'ne', value: ids[1] }, count: 'true' })).body.total).toBe(29);
  });

  it('treats LIKE wildcards in a search as text', async () => {
    expect((await list({ filter: { field: 'subject', op: 'contains', value: '%' }, count: 'true' })).body.total).toBe(0);
  });

  it.each([
    ['not JSON', '{oops'],
    ['an unknown field', { field: 'colour', op: 'eq', value: 'x' }],
    ['an operator the type lacks', { field: 'labels', op: 'gt', value: 'urgent' }],
    ['a value of the wrong type', { field: 'priority', op: 'eq', value: 'high' }],
    ['an option that does not exist', { field: 'status', op: 'eq', value: 'deleted' }],
    ['an injected field name', { field: 'subject" or 1=1 --', op: 'eq', value: 'x' }],
    ['a malformed node', { and: 'everything' }],
    ['an id that is not a uuid', { field: 'id', op: 'in', value: ['1 or 1=1'] }],
    ['an order on ids', { field: 'id', op: 'gt', value: '019a0000-0000-7000-8000-000000000000' }],
  ])('refuses %s with INVALID_FILTER', async (_what, filter) => {
    const res = await list({ filter: typeof filter === 'string' ? filter : JSON.stringify(filter) });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_FILTER');
  });
});

describe('sorting and paging', () => {
  it('sorts by several fields, nulls last ascending and first descending', async () => {
    const asc = (await list({ sort: 'priority,-amount', limit: '200' })).body.items;
    expect(asc.at(-1).priority).toBeNull();
    expect(asc[0]).toMatchObject({ priority: 0 });
    const desc = (await list({ sort: '-priority', limit: '200' })).body.items;
    expect(desc[0].priority).toBeNull();
  });

  it('pages through every row exactly once with the cursor, across null sort values', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { items: { id: string }[]; nextCursor: string | null } } = await list({ sort: '-priority,due', limit: '7', ...(cursor && { cursor }) });
      seen.push(...res.body.items.map((r) => r.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    const all = (await list({ sort: '-priority,due', limit: '200' })).body.items.map((r: { id: string }) => r.id);
    expect(seen).toEqual(all);
    expect(new Set(seen).size).toBe(30);
  });

  it('pages with offset too, and returns only the chosen fields', async () => {
    const page = await list({ sort: 'subject', limit: '5', offset: '10', fields: 'subject' });
    expect(subjects(page)).toEqual(['Ticket 10 打印机故障', 'Ticket 11', 'Ticket 12', 'Ticket 13', 'Ticket 14']);
    expect(Object.keys(page.body.items[0]).sort()).toEqual(['created_at', 'created_by', 'id', 'owner', 'subject', 'updated_at', 'updated_by', 'version']);
  });

  it('refuses unsortable fields, unknown fields and forged cursors', async () => {
    expect((await list({ sort: 'labels' })).body.error.code).toBe('INVALID_SORT');
    expect((await list({ sort: 'nope' })).body.error.code).toBe('INVALID_SORT');
    expect((await list({ fields: 'subject,nope' })).body.error.code).toBe('UNKNOWN_FIELD');
    const forged = Buffer.from(JSON.stringify(['not-a-number', '00000000-0000-4000-8000-000000000000'])).toString('base64url');
    expect((await list({ sort: 'priority', cursor: forged })).body.error.code).toBe('INVALID_CURSOR');
    expect((await list({ cursor: 'garbage!' })).body.error.code).toBe('INVALID_CURSOR');
  });
});

describe('aggregations', () => {
  const aggregate = async (query: string) => member.get(`/api/v1/objects/ticket/aggregate?${query}`);

  it('counts and sums per group, in key order', async () => {
    const res = await aggregate('groupBy=status&metrics=sum:amount,max:priority');
    expect(res.status).toBe(200);
    expect(res.body.groups).toEqual([
      { keys: { status: 'closed' }, count: 10, values: { 'sum:amount': '1937.50', 'max:priority': '6' } },
      { keys: { status: 'open' }, count: 10, values: { 'sum:amount': '1687.50', 'max:priority': null } },
      { keys: { status: 'pending' }, count: 10, values: { 'sum:amount': '1812.50', 'max:priority': '6' } },
    ]);
  });

  it('buckets dates, groups by two fields and honours the filter', async () => {
    const byWeek = (await aggregate('groupBy=due&bucket=week')).body.groups;
    expect(byWeek.map((g: { keys: { due: string } }) => g.keys.due)).toEqual(['2026-11-30', '2026-12-07', '2026-12-14', '2026-12-21', '2026-12-28']);
    const ungroupable = await aggregate('groupBy=status,labels');
    expect(ungroupable.body.error.code).toBe('INVALID_FILTER');
    const twoKeys = await aggregate(`groupBy=status,priority&filter=${encodeURIComponent(JSON.stringify({ field: 'status', op: 'eq', value: 'closed' }))}`);
    expect(twoKeys.body.groups.reduce((n: number, g: { count: number }) => n + g.count, 0)).toBe(10);
    expect(twoKeys.body.groups.every((g: { keys: { status: string } }) => g.keys.status === 'closed')).toBe(true);
    expect((await aggregate('')).body.groups).toEqual([{ keys: {}, count: 30, values: {} }]);
  });

  it('refuses metrics over non-numeric fields and unknown functions', async () => {
    expect((await aggregate('metrics=sum:subject')).body.error.code).toBe('INVALID_FILTER');
    expect((await aggregate('metrics=median:amount')).body.error.code).toBe('INVALID_FILTER');
    expect((await aggregate('groupBy=nope')).body.error.code).toBe('UNKNOWN_FIELD');
  });
});

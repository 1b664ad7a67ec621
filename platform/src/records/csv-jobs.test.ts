import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, loginAs, startTestPlatform, type ApiClient, type TestPlatform } from '../testing/index.ts';
import { field as f, label, objectDef as object, option } from '../testing/meta-builders.ts';

let t: TestPlatform;
let admin: ApiClient;
let member: ApiClient;

const model = {
  objects: [
    object('account', 'name', [f('name', 'text', { required: true, unique: true }), f('code', 'text', { unique: true })]),
    object('deal', 'title', [
      f('title', 'text', { required: true, label: { 'zh-CN': '标题', en: 'Title' } }),
      f('number', 'auto_number', { prefix: 'D-', digits: 4 }),
      f('amount', 'currency', { precision: 12, scale: 2, label: { 'zh-CN': '金额', en: 'Amount' } }),
      f('quantity', 'integer', { min: 0 }),
      f('stage', 'single_select', { options: [{ key: 'new', label: { 'zh-CN': '新建', en: 'New' }, color: '#3370ff' }, option('won')] }),
      f('tags', 'multi_select', { options: [option('vip'), option('renewal')] }),
      f('close_date', 'date'),
      f('closed_at', 'datetime'),
      f('won', 'boolean'),
      f('assignee', 'user'),
      f('account', 'lookup', { target: 'account', onDelete: 'restrict' }),
    ]),
  ],
};

const deals = '/api/v1/objects/deal/records';

beforeAll(async () => {
  t = await startTestPlatform({ env: { TB_DEMO: '0', TB_TIME_ZONE: 'Asia/Shanghai' } });
  admin = await loginAs(t.app);
  await admin.post('/api/v1/org/users', { login: 'seller', displayName: 'Seller', password: 'member-password-1', locale: 'en' });
  member = await loginAs(t.app, 'seller', 'member-password-1');
  await admin.request('PUT', '/api/v1/meta/draft', { body: model });
  expect((await admin.post('/api/v1/meta/publish')).status).toBe(200);
  expect((await admin.post('/api/v1/objects/account/records/bulk', { create: [{ name: 'Acme', code: 'A1' }, { name: 'Globex', code: 'G1' }] })).status).toBe(200);
});
afterAll(() => t.close());

/** Polls a job the way a client does, until it has ended. */
async function finished(client: ApiClient, job: { id: string }) {
  for (let i = 0; i < 200; i++) {
    const res = await client.get(`/api/v1/jobs/${job.id}`);
    expect(res.status).toBe(200);
    if (res.body.status === 'succeeded' || res.body.status === 'failed') return res.body;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`job ${job.id} did not finish`);
}

async function importCsv(client: ApiClient, csv: string, extra: Record<string, unknown> = {}) {
  const res = await client.post(`${deals}/import`, { csv, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  expect(res.body.status).toBe('queued');
  return finished(client, res.body);
}

const dealCount = async () => (await admin.get(`${deals}?count=true&limit=1`)).body.total as number;

describe('importing records from CSV', () => {
  it('reads cells as people type them: labels, logins, record names, money, local dates', async () => {
    const csv = [
      '标题,金额,quantity,stage,tags,close_date,closed_at,won,assignee,account,notes',
      'Big deal,1200.50 CNY,3,新建,vip; renewal,2026/3/5,2026-03-05 09:30,是,seller,Acme,ignored',
      'Small deal,99,1,won,,2026-04-01,2026-04-01T08:00:00Z,no,admin,Globex,',
      '"Quoted, with comma",USD 10,,New,VIP,,,,,,',
    ].join('\n');
    const job = await importCsv(member, csv);
    expect(job).toMatchObject({ kind: 'records.import', object: 'deal', status: 'succeeded', progress: 100, rowsDone: 3, errors: [], error: null });
    expect(job.result).toMatchObject({ created: 3, ignored: ['notes'], columns: { 标题: 'title', 金额: 'amount' } });
    const items = (await admin.get(`${deals}?sort=number&expand=account,assignee`)).body.items;
    expect(items).toHaveLength(3);
    expect(items[0]).toMatchObject({
      title: 'Big deal',
      amount: { amount: '1200.50', currency: 'CNY' },
      quantity: 3,
      stage: 'new',
      tags: ['vip', 'renewal'],
      close_date: '2026-03-05',
      closed_at: '2026-03-05T01:30:00.000Z',
      won: true,
      _expanded: { account: { name: 'Acme' }, assignee: { login: 'seller' } },
    });
    expect(items[1]).toMatchObject({ amount: { amount: '99.00', currency: 'CNY' }, won: false, closed_at: '2026-04-01T08:00:00.000Z', _expanded: { account: { name: 'Globex' } } });
    expect(items[2]).toMatchObject({ title: 'Quoted, with comma', amount: { amount: '10.00', currency: 'USD' }, stage: 'new', tags: ['vip'], quantity: null });
    expect(items.map((r: { created_by: string }) => r.created_by)).toEqual(Array(3).fill(items[0].created_by));
  });

  it('checks every row first and imports nothing when any row is wrong, naming line and column', async () => {
    const before = await dealCount();
    const csv = [
      'title,quantity,stage,assignee,account,closed_at',
      'Fine,1,new,seller,Acme,',
      'Bad number,three,new,,,',
      'Bad option,1,maybe,,,',
      ',1,new,,,',
      'Nobody,1,new,ghost,Initech,',
      'Late,1,new,,,yesterday',
      'Negative,-1,new,,,',
    ].join('\n');
    const job = await importCsv(member, csv);
    expect(job.status).toBe('failed');
    expect(job.error).toEqual({ code: 'IMPORT_FAILED', message: 'Nothing was imported: 6 rows have errors.' });
    expect(job.errors.map((e: { row: number; column: string; code: string }) => [e.row, e.column, e.code])).toEqual([
      [3, 'quantity', 'INVALID_VALUE'],
      [4, 'stage', 'INVALID_VALUE'],
      [5, 'title', 'INVALID_VALUE'],
      [6, 'assignee', 'REFERENCE_NOT_FOUND'],
      [6, 'account', 'REFERENCE_NOT_FOUND'],
      [7, 'closed_at', 'INVALID_VALUE'],
      [8, 'quantity', 'INVALID_VALUE'],
    ]);
    expect(job.errors[0].message).toBe('"quantity" is not a whole number.');
    expect(job.errors[3].message).toBe('"assignee": nothing called "ghost" was found.');
    expect(await dealCount()).toBe(before);
  });

  it('writes errors in the language of the person who imports', async () => {
    const job = await importCsv(admin, 'title,quantity\nX,abc\n');
    expect(job.error.message).toBe('未导入任何数据：有 1 行存在错误。');
    expect(job.errors[0].message).toBe('“quantity”不是整数。');
  });

  it('refuses a value a unique field already has, in the table or earlier in the file', async () => {
    const res = await admin.post('/api/v1/objects/account/records/import', { csv: 'name,code\nNew Co,N1\nAcme,N2\nOther,N1\n' });
    const done = await finished(admin, res.body);
    expect(done.errors.map((e: { row: number; code: string }) => [e.row, e.code])).toEqual([
      [3, 'VALUE_TAKEN'],
      [4, 'VALUE_REPEATED'],
    ]);
    expect((await admin.get('/api/v1/objects/account/records?count=true')).body.total).toBe(2);
  });

  it('a dry run validates and reports, and creates nothing', async () => {
    const before = await dealCount();
    const job = await importCsv(member, 'Title;Amount\nOne;5\nTwo;6\n', { dryRun: true });
    expect(job).toMatchObject({ status: 'succeeded', result: { dryRun: true, valid: 2, created: 0 } });
    expect(await dealCount()).toBe(before);
  });

  it('follows an explicit mapping, and a column mapped to null is skipped', async () => {
    const job = await importCsv(member, 'Deal name,Qty,title\nMapped,7,not this\n', { mapping: { 'Deal name': 'title', Qty: 'quantity', title: null } });
    expect(job.status).toBe('succeeded');
    const found = (await member.get(`${deals}?filter=${encodeURIComponent(JSON.stringify({ field: 'title', op: 'eq', value: 'Mapped' }))}`)).body.items;
    expect(found).toMatchObject([{ title: 'Mapped', quantity: 7 }]);
  });

  it('fails the whole file when a required column is missing or the CSV is broken', async () => {
    expect((await importCsv(member, 'quantity\n1\n')).errors).toMatchObject([{ row: 1, code: 'MISSING_COLUMN', column: 'Title' }]);
    expect((await importCsv(member, 'title,quantity\n"unclosed,1\n')).errors).toMatchObject([{ code: 'CSV_SYNTAX' }]);
  });

  it('refuses at once what needs no job: unknown object, unusable mapping, no matching column', async () => {
    const before = (await member.get('/api/v1/jobs')).body.items.length;
    expect((await member.post('/api/v1/objects/nothing/records/import', { csv: 'a\n1' })).body.error.code).toBe('OBJECT_NOT_FOUND');
    const computed = await member.post(`${deals}/import`, { csv: 'title,n\nx,1', mapping: { n: 'number' } });
    expect([computed.status, computed.body.error.code]).toEqual([400, 'IMPORT_MAPPING_INVALID']);
    const absent = await member.post(`${deals}/import`, { csv: 'title\nx', mapping: { nope: 'title' } });
    expect(absent.body.error.code).toBe('IMPORT_MAPPING_INVALID');
    const nothing = await member.post(`${deals}/import`, { csv: 'foo,bar\n1,2' });
    expect([nothing.status, nothing.body.error.code]).toEqual([400, 'IMPORT_NO_COLUMNS']);
    expect((await member.post(`${deals}/import`, { csv: 'title\nx', mapping: { title: 'bad name!' } })).body.error.code).toBe('FAILED_VALIDATION');
    expect((await member.get('/api/v1/jobs')).body.items.length).toBe(before);
  });
});

describe('exporting records to CSV', () => {
  it('exports what the list filter selects, with labels as header, and the file imports back', async () => {
    const filter = JSON.stringify({ field: 'stage', op: 'eq', value: 'new' });
    const res = await member.post(`${deals}/export`, { filter, sort: 'title' });
    expect(res.status).toBe(202);
    const job = await finished(member, res.body);
    const expected = (await member.get(`${deals}?count=true&filter=${encodeURIComponent(filter)}`)).body.total;
    expect(job).toMatchObject({ status: 'succeeded', progress: 100, rowsDone: expected, rowsTotal: expected, result: { rows: expected }, file: `/api/v1/jobs/${job.id}/file` });
    const file = await member.get(job.file);
    expect(file.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(file.headers.get('content-disposition')).toMatch(/^attachment; filename="deal-\d{8}-\d{6}\.csv"$/);
    const lines = (file.body as string).trimEnd().split(/\r?\n/);
    expect(lines[0]).toBe('id,Title,number,Amount,quantity,stage,tags,close_date,closed_at,won,assignee,account');
    expect(lines).toHaveLength(expected + 1);
    expect(lines.find((l) => l.includes('Big deal'))).toMatch(/,Big deal,D-\d{4},1200\.50 CNY,3,New,vip; renewal,2026-03-05,2026-03-05 09:30:00,true,seller,Acme$/);
    const { token } = (await apiClient(t.app).post('/api/v1/auth/login', { login: 'seller', password: 'member-password-1' })).body;
    const bytes = new Uint8Array(await (await t.app.request(job.file, { headers: { authorization: `Bearer ${token}` } })).arrayBuffer());
    expect([...bytes.slice(0, 5)]).toEqual([0xef, 0xbb, 0xbf, 0x69, 0x64]);
    const back = await importCsv(member, file.body as string, { dryRun: true });
    expect(back.result).toMatchObject({ valid: expected, ignored: ['id', 'number'] });
  });

  it('exports chosen rows by id, with the columns in the order asked for', async () => {
    const picked = (await member.get(`${deals}?sort=title&limit=2`)).body.items as { id: string; title: string }[];
    const filter = JSON.stringify({ field: 'id', op: 'in', value: picked.map((r) => r.id) });
    const res = await member.post(`${deals}/export`, { filter, sort: 'title', fields: 'stage,title,stage' });
    const job = await finished(member, res.body);
    const lines = ((await member.get(job.file)).body as string).trimEnd().split(/\r?\n/);
    expect(lines[0]).toBe('id,stage,Title');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(picked.map((r) => r.id));
    expect(lines[1]!.split(',')[2]).toBe(picked[0]!.title);
  });

  it('refuses a bad filter before queueing anything', async () => {
    const res = await member.post(`${deals}/export`, { filter: JSON.stringify({ field: 'secret', op: 'eq', value: 1 }) });
    expect(res.status).toBe(400);
  });
});

describe('who sees a job', () => {
  it('the person who started it and admins; for anyone else it does not exist', async () => {
    const res = await admin.post(`${deals}/export`, {});
    await finished(admin, res.body);
    expect((await member.get(`/api/v1/jobs/${res.body.id}`)).body.error.code).toBe('JOB_NOT_FOUND');
    expect((await member.get(`/api/v1/jobs/${res.body.id}/file`)).status).toBe(404);
    const mine = await member.post(`${deals}/export`, {});
    expect((await admin.get(`/api/v1/jobs/${mine.body.id}`)).status).toBe(200);
    expect((await member.get('/api/v1/jobs')).body.items.every((j: { createdBy: string }) => j.createdBy === mine.body.createdBy)).toBe(true);
  });

  it('an import has no file to download', async () => {
    const job = await importCsv(member, 'title\nfileless\n', { dryRun: true });
    expect((await member.get(`/api/v1/jobs/${job.id}/file`)).body.error.code).toBe('JOB_FILE_NOT_READY');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, startTestPlatform, type ApiClient, type TestPlatform } from '../testing/index.ts';
import { field as f, label } from '../testing/meta-builders.ts';

const TIME_ZONE = 'Asia/Shanghai';
let t: TestPlatform;
let member: ApiClient;

const url = '/api/v1/objects/visit/records';
const localDate = (d: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
const shiftDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  t = await startTestPlatform({ env: { TB_DEMO: '0', TB_TIME_ZONE: TIME_ZONE } });
  const admin = await loginAs(t.app);
  const sales = (await admin.post('/api/v1/org/departments', { name: '销售部' })).body.id;
  const support = (await admin.post('/api/v1/org/departments', { name: '客服部' })).body.id;
  await admin.post('/api/v1/org/users', { login: 'rep', displayName: 'Rep', password: 'member-password-1', mainDepartmentId: sales });
  member = await loginAs(t.app, 'rep', 'member-password-1');
  const visit = { name: 'visit', label: label('Visit'), pluralLabel: label('Visits'), recordName: 'title', fields: [
      f('title', 'text'), f('day', 'date'), f('moment', 'datetime'), f('team', 'department'),
      { ...f('days_away', 'formula'), expression: 'DAYS(day, TODAY())', resultType: 'decimal' },
      { ...f('moment_days_away', 'formula'), expression: 'DAYS(moment, TODAY())', resultType: 'decimal' },
    ] };
  await admin.request('PUT', '/api/v1/meta/draft', { body: { objects: [visit] } });
  expect((await admin.post('/api/v1/meta/publish')).status).toBe(200);
  const today = localDate(new Date());
  const now = Date.now();
  // Mid-year of last year: inside "last_year" whatever today's date is.
  const lastYear = `${Number(today.slice(0, 4)) - 1}-07-01`;
  await member.post(`${url}/bulk`, {
    create: [
      { title: 'today', day: today, moment: new Date(now).toISOString(), team: sales },
      { title: 'yesterday', day: shiftDays(today, -1), moment: new Date(now - 86_400_000).toISOString(), team: support },
      { title: 'in 40 days', day: shiftDays(today, 40), moment: new Date(now + 40 * 86_400_000).toISOString(), team: sales },
      { title: 'a year ago', day: lastYear, moment: `${lastYear}T12:00:00+08:00` },
    ],
  });
});
afterAll(() => t.close());

const titles = async (filter: object) => {
  const res = await member.get(`${url}?sort=title&filter=${encodeURIComponent(JSON.stringify(filter))}`);
  expect(res.status).toBe(200);
  return res.body.items.map((r: { title: string }) => r.title);
};

describe('relative periods in the workspace time zone', () => {
  it.each([
    ['today', ['today']],
    ['yesterday', ['yesterday']],
    ['last_7_days', ['today', 'yesterday']],
    ['next_30_days', ['today']],
    ['last_year', ['a year ago']],
  ])('"during %s" on a date and on a datetime field', async (period, expected) => {
    expect(await titles({ field: 'day', op: 'during', value: period })).toEqual([...expected].sort());
    expect(await titles({ field: 'moment', op: 'during', value: period })).toEqual([...expected].sort());
  });

  it('refuses an unknown period', async () => {
    const res = await member.get(`${url}?filter=${encodeURIComponent(JSON.stringify({ field: 'day', op: 'during', value: 'someday' }))}`);
    expect(res.body.error.code).toBe('INVALID_FILTER');
  });
});

describe('formulas count days in the same time zone', () => {
  it('today is 0 days away, by date and by datetime', async () => {
    const res = await member.get(`${url}?sort=title`);
    const byTitle = Object.fromEntries(res.body.items.map((r: { title: string }) => [r.title, r]));
    expect(byTitle.today).toMatchObject({ days_away: '0', moment_days_away: '0' });
    expect(byTitle.yesterday).toMatchObject({ days_away: '-1', moment_days_away: '-1' });
  });
});

describe('"my department"', () => {
  it('matches the main department of whoever asks', async () => {
    expect(await titles({ field: 'team', op: 'eq', value: '$my_department' })).toEqual(['in 40 days', 'today']);
  });
});

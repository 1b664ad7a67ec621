import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Department, User } from '../contracts/index.ts';
import { loginAs, startTestPlatform, type ApiClient, type TestPlatform } from '../testing/index.ts';

let t: TestPlatform;
let admin: ApiClient;
let member: ApiClient;
let departments: Department[];

const byName = (name: string) => departments.find((d) => d.name === name)!;

beforeAll(async () => {
  t = await startTestPlatform();
  admin = await loginAs(t.app);
  await admin.post('/api/v1/org/users', { login: 'plain', displayName: '普通员工', password: 'member-password-1' });
  member = await loginAs(t.app, 'plain', 'member-password-1');
  departments = (await admin.get('/api/v1/org/departments')).body.items;
});
afterAll(() => t.close());

describe('the demo directory of a first start', () => {
  it('has a company tree with managers and members', async () => {
    const root = departments.find((d) => d.parentId === null)!;
    expect(root.name).toBe('示例科技有限公司');
    expect(byName('华东大区').parentId).toBe(byName('销售部').id);
    expect(byName('华东大区').memberCount).toBe(3);
    expect(byName('销售部')).toMatchObject({ memberCount: 1, totalMemberCount: 6 });
    expect(root.totalMemberCount).toBe(15);
    const zhangwei = (await member.get('/api/v1/org/users?q=zhangwei')).body.items[0] as User;
    expect(byName('华东大区').managerId).toBe(zhangwei.id);
  });
});

describe('directory search', () => {
  const names = async (q: string) => ((await member.get(`/api/v1/org/users?q=${encodeURIComponent(q)}`)).body.items as User[]).map((u) => u.displayName);

  it('finds people by Chinese name, full pinyin, pinyin initials, login and job title', async () => {
    expect(await names('张伟')).toEqual(['张伟']);
    expect(await names('zhangwei')).toEqual(['张伟']);
    expect(await names('zw')).toContain('张伟');
    expect(await names('emily')).toEqual(['Emily Carter']);
    expect(await names('财务经理')).toEqual(['郭霞']);
  });

  it('treats LIKE wildcards and SQL-ish input as plain text', async () => {
    expect(await names('%')).toEqual([]);
    expect(await names("' or 1=1 --")).toEqual([]);
  });

  it('filters by department membership and status, sorted by pinyin', async () => {
    const east = (await member.get(`/api/v1/org/users?departmentId=${byName('华东大区').id}`)).body.items as User[];
    expect(east.map((u) => u.displayName)).toEqual(['陈静', '刘洋', '张伟']);
    const disabled = (await member.get('/api/v1/org/users?status=disabled')).body.items;
    expect(disabled).toEqual([]);
  });

  it('pages with an opaque cursor, without gaps or repeats', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `limit=4&cursor=${cursor}` : 'limit=4';
      const res = await member.get(`/api/v1/org/users?${query}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((u: User) => u.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    const all = (await member.get('/api/v1/org/users?limit=200')).body.items.map((u: User) => u.id);
    expect(seen).toEqual(all);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('rejects a forged cursor and an out-of-range limit with a code, not a database error', async () => {
    const forged = Buffer.from(JSON.stringify(['a', 'not-a-uuid'])).toString('base64url');
    expect((await member.get(`/api/v1/org/users?cursor=${forged}`)).body.error.code).toBe('INVALID_CURSOR');
    expect((await member.get('/api/v1/org/users?cursor=@@@')).body.error.code).toBe('INVALID_CURSOR');
    expect((await member.get('/api/v1/org/users?limit=0')).body.error.code).toBe('FAILED_VALIDATION');
    expect((await member.get('/api/v1/org/users?limit=100000')).body.error.code).toBe('FAILED_VALIDATION');
  });

  it('several people by id in one call, unknown ids left out, and refuses ids that are not ids', async () => {
    const everyone = (await member.get('/api/v1/org/users?limit=3')).body.items as User[];
    const wanted = [everyone[2]!.id, everyone[0]!.id, '00000000-0000-7000-8000-000000000000', everyone[0]!.id];
    const found = (await member.get(`/api/v1/org/users?ids=${wanted.join(',')}`)).body.items as User[];
    expect(found.map((u) => u.id).sort()).toEqual([everyone[0]!.id, everyone[2]!.id].sort());
    for (const ids of ['not-an-id', '', Array.from({ length: 201 }, (_, i) => `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`).join(',')]) {
      const res = await member.get(`/api/v1/org/users?ids=${ids}`);
      expect(res.status, ids.slice(0, 40)).toBe(400);
      expect(res.body.error.code).toBe('FAILED_VALIDATION');
    }
  });

  it('a user by id, and a clear 404 for an unknown one', async () => {
    const some = (await member.get('/api/v1/org/users?q=lina')).body.items[0] as User;
    expect((await member.get(`/api/v1/org/users/${some.id}`)).body.login).toBe('lina');
    const missing = await member.get('/api/v1/org/users/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('USER_NOT_FOUND');
    expect((await member.get('/api/v1/org/users/123')).body.error.code).toBe('FAILED_VALIDATION');
  });
});

describe('departments', () => {
  it('admins create, rename and move; members may only read', async () => {
    expect((await member.post('/api/v1/org/departments', { name: '偷偷' })).status).toBe(403);
    const created = await admin.post('/api/v1/org/departments', { name: '市场部', parentId: byName('示例科技有限公司').id });
    expect(created.status).toBe(201);
    const moved = await admin.patch(`/api/v1/org/departments/${created.body.id}`, { name: '市场与品牌部', parentId: byName('销售部').id });
    expect(moved.body).toMatchObject({ name: '市场与品牌部', parentId: byName('销售部').id });
  });

  it('refuses a move under itself or one of its descendants, and changes nothing', async () => {
    const sales = byName('销售部');
    for (const target of [sales.id, byName('华东大区').id]) {
      const res = await admin.patch(`/api/v1/org/departments/${sales.id}`, { parentId: target });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('DEPARTMENT_CYCLE');
    }
    const after = (await admin.get('/api/v1/org/departments')).body.items.find((d: Department) => d.id === sales.id);
    expect(after.parentId).toBe(sales.parentId);
  });

  it('refuses to delete a department with members or children; deletes an empty one', async () => {
    expect((await admin.delete(`/api/v1/org/departments/${byName('华东大区').id}`)).body.error.code).toBe('DEPARTMENT_NOT_EMPTY');
    expect((await admin.delete(`/api/v1/org/departments/${byName('研发中心').id}`)).body.error.code).toBe('DEPARTMENT_NOT_EMPTY');
    const empty = (await admin.post('/api/v1/org/departments', { name: '临时项目组' })).body;
    expect((await admin.delete(`/api/v1/org/departments/${empty.id}`)).status).toBe(204);
    expect((await admin.delete(`/api/v1/org/departments/${empty.id}`)).body.error.code).toBe('DEPARTMENT_NOT_FOUND');
  });

  it('rejects unknown parents and managers', async () => {
    const ghost = '00000000-0000-4000-8000-000000000000';
    expect((await admin.post('/api/v1/org/departments', { name: 'x', parentId: ghost })).body.error.code).toBe('DEPARTMENT_NOT_FOUND');
    expect((await admin.post('/api/v1/org/departments', { name: 'x', managerId: ghost })).body.error.code).toBe('MANAGER_NOT_FOUND');
  });
});

describe('people', () => {
  it('admins create people in a main department plus others, with a manager', async () => {
    const lina = (await admin.get('/api/v1/org/users?q=lina')).body.items[0] as User;
    const res = await admin.post('/api/v1/org/users', {
      login: 'xiaoming',
      displayName: '小明',
      mainDepartmentId: byName('华南大区').id,
      departmentIds: [byName('客户成功部').id],
      managerId: lina.id,
      jobTitle: '销售代表',
    });
    expect(res.status).toBe(201);
    expect(res.body.departmentIds).toEqual([byName('华南大区').id, byName('客户成功部').id]);
    expect(res.body.managerId).toBe(lina.id);
  });

  it('login names are unique regardless of case', async () => {
    const res = await admin.post('/api/v1/org/users', { login: 'XiaoMing', displayName: '另一个小明' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('LOGIN_TAKEN');
  });

  it('stores SQL-ish and script-ish text verbatim', async () => {
    const nasty = "Robert'); DROP TABLE users;-- <script>alert(1)</script>";
    const res = await admin.post('/api/v1/org/users', { login: 'bobby', displayName: nasty, jobTitle: '1; select pg_sleep(10)' });
    expect(res.status).toBe(201);
    expect((await member.get(`/api/v1/org/users/${res.body.id}`)).body).toMatchObject({ displayName: nasty, jobTitle: '1; select pg_sleep(10)' });
  });

  it('rejects NUL characters and lone surrogates instead of failing in the database', async () => {
    for (const displayName of ['a\u0000b', 'bad \ud800 text']) {
      const res = await admin.post('/api/v1/org/users', { login: 'weird', displayName });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('FAILED_VALIDATION');
    }
  });

  it('an admin cannot disable themself or drop their own admin rights', async () => {
    const me = (await admin.get('/api/v1/me')).body.user as User;
    expect((await admin.patch(`/api/v1/org/users/${me.id}`, { status: 'disabled' })).body.error.code).toBe('CANNOT_DISABLE_SELF');
    expect((await admin.patch(`/api/v1/org/users/${me.id}`, { isAdmin: false })).body.error.code).toBe('CANNOT_DISABLE_SELF');
  });

  it('a person cannot be their own manager', async () => {
    const bobby = (await admin.get('/api/v1/org/users?q=bobby')).body.items[0] as User;
    expect((await admin.patch(`/api/v1/org/users/${bobby.id}`, { managerId: bobby.id })).body.error.code).toBe('MANAGER_NOT_FOUND');
  });

  it('members cannot create or edit people', async () => {
    expect((await member.post('/api/v1/org/users', { login: 'sneaky', displayName: 'S' })).status).toBe(403);
    const me = (await member.get('/api/v1/me')).body.user as User;
    expect((await member.patch(`/api/v1/org/users/${me.id}`, { isAdmin: true })).status).toBe(403);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Department } from '../contracts/index.ts';
import { loginAs, startTestPlatform, type ApiClient, type TestPlatform } from '../testing/index.ts';

let t: TestPlatform;
let admin: ApiClient;

beforeAll(async () => {
  t = await startTestPlatform({ env: { TB_DEMO: '0' } });
  admin = await loginAs(t.app);
});
afterAll(() => t.close());

const userCount = async () => (await admin.get('/api/v1/org/users?limit=200')).body.items.length as number;
const departmentCount = async () => (await admin.get('/api/v1/org/departments')).body.items.length as number;

describe('CSV import of people', () => {
  it('reports every bad row with its line and column and imports nothing', async () => {
    const csv = [
      'login,displayName,email,department,manager',
      'ok1,好的一,ok1@example.com,总部/销售部,',
      ',缺登录名,,总部,',
      'bad email,坏邮箱,not-an-email,总部,',
      'ok1,重复,,总部,',
      'ok2,找不到上级,,总部,nobody',
    ].join('\n');
    const before = { users: await userCount(), departments: await departmentCount() };
    const res = await admin.post('/api/v1/org/users/import', { csv });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('IMPORT_FAILED');
    const rows = res.body.error.details.rows as { row: number; column: string; code: string; message: string }[];
    expect(rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ row: 3, column: 'login', code: 'INVALID_VALUE' }),
        expect.objectContaining({ row: 4, column: 'login', code: 'INVALID_VALUE' }),
        expect.objectContaining({ row: 4, column: 'email', code: 'INVALID_VALUE' }),
        expect.objectContaining({ row: 5, column: 'login', code: 'DUPLICATE_IN_FILE' }),
        expect.objectContaining({ row: 6, column: 'manager', code: 'MANAGER_NOT_FOUND' }),
      ]),
    );
    expect(await userCount()).toBe(before.users);
    expect(await departmentCount()).toBe(before.departments);
    const messages = rows.map((r) => r.message);
    expect(messages).toEqual(expect.arrayContaining(['“email”格式不正确。', '登录名“ok1”在第 2 行也出现了。', '“login”不能为空。']));
  });

  it('names columns as the file\'s header does', async () => {
    const res = await admin.post('/api/v1/org/users/import', { csv: '登录名,姓名,鞋码\nbad login!,坏,42' });
    expect(res.body.error.details.rows).toEqual([expect.objectContaining({ column: '鞋码', message: '未知的列“鞋码”。' })]);
    const bad = await admin.post('/api/v1/org/users/import', { csv: '登录名,姓名\nbad login!,坏' });
    expect(bad.body.error.details.rows).toEqual([expect.objectContaining({ row: 2, column: '登录名', message: '“登录名”格式不正确。' })]);
  });

  it('writes the row messages in the reader\'s language', async () => {
    const res = await admin.post('/api/v1/org/users/import', { csv: 'login,displayName,email\nbad login!,X,nope' });
    expect(res.body.error.details.rows.map((r: { message: string }) => r.message)).toEqual(['“login”格式不正确。', '“email”格式不正确。']);
    await admin.patch('/api/v1/me', { locale: 'en' });
    const en = await admin.post('/api/v1/org/users/import', { csv: 'login,displayName\nxy,X\nxy,Y' });
    expect(en.body.error.details.rows[0].message).toBe('Login "xy" also appears on line 2.');
    await admin.patch('/api/v1/me', { locale: 'zh-CN' });
  });

  it('rejects unknown and missing columns, and broken CSV', async () => {
    const unknown = await admin.post('/api/v1/org/users/import', { csv: 'login,displayName,shoe size\na,b,42' });
    expect(unknown.body.error.details.rows[0]).toMatchObject({ code: 'UNKNOWN_COLUMN', column: 'shoe size' });
    const missing = await admin.post('/api/v1/org/users/import', { csv: 'login,email\na,a@example.com' });
    expect(missing.body.error.details.rows[0]).toMatchObject({ code: 'MISSING_COLUMN', column: 'displayName' });
    const broken = await admin.post('/api/v1/org/users/import', { csv: 'login,displayName\n"a,b' });
    expect(broken.body.error.details.rows[0].code).toBe('CSV_SYNTAX');
  });

  it('a dry run reports what would be created and writes nothing', async () => {
    const csv = '姓名,登录名,部门,上级\n王小二,wangxiaoer,总部/研发部,\n李小三,lixiaosan,总部/研发部/前端组,wangxiaoer';
    const before = await userCount();
    const res = await admin.post('/api/v1/org/users/import', { csv, dryRun: true });
    expect(res.body).toEqual({ dryRun: true, created: 2, departmentsCreated: 3 });
    expect(await userCount()).toBe(before);
  });

  it('imports people, creates department paths, resolves managers within the file, and sets passwords', async () => {
    const csv = [
      '\ufeff姓名,登录名,部门,上级,职位,密码,语言',
      '王小二,wangxiaoer,总部/研发部,,研发经理,imported-pass-1,zh-CN',
      'Li Three,lixiaosan,总部/研发部/前端组,wangxiaoer,Engineer,,en',
    ].join('\r\n');
    const res = await admin.post('/api/v1/org/users/import', { csv });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ dryRun: false, created: 2, departmentsCreated: 3 });
    const departments = (await admin.get('/api/v1/org/departments')).body.items as Department[];
    const frontEnd = departments.find((d) => d.name === '前端组')!;
    expect(departments.find((d) => d.id === frontEnd.parentId)!.name).toBe('研发部');
    const li = (await admin.get('/api/v1/org/users?q=lixiaosan')).body.items[0];
    const wang = (await admin.get('/api/v1/org/users?q=wangxiaoer')).body.items[0];
    expect(li).toMatchObject({ managerId: wang.id, mainDepartmentId: frontEnd.id, locale: 'en', jobTitle: 'Engineer' });
    await loginAs(t.app, 'wangxiaoer', 'imported-pass-1');
  });

  it('re-importing the same people is refused because the logins exist', async () => {
    const res = await admin.post('/api/v1/org/users/import', { csv: 'login,displayName\nwangxiaoer,王小二' });
    expect(res.body.error.details.rows[0]).toMatchObject({ row: 2, code: 'LOGIN_TAKEN' });
  });
});

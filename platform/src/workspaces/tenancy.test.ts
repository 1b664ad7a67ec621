import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setPassword } from '../auth/index.ts';
import { inTransaction, systemCtx } from '../core/context.ts';
import { createUser } from '../org/index.ts';
import { apiClient, loginAs, startTestPlatform, type TestPlatform } from '../testing/index.ts';
import { createWorkspace } from './create-workspace.ts';

let t: TestPlatform;

beforeAll(async () => {
  t = await startTestPlatform();
  const acme = await createWorkspace(t.platform, { slug: 'acme', name: 'Acme', hosts: ['acme.example.test'] });
  await inTransaction(systemCtx(t.platform, acme), async (tx) => {
    const user = await createUser(tx, {
      login: 'admin', displayName: 'Acme admin', email: null, phone: null, locale: 'en', jobTitle: null,
      mainDepartmentId: null, departmentIds: [], managerId: null, isAdmin: true,
    });
    await setPassword(tx, user.id, 'acme-password-1');
  });
});
afterAll(() => t.close());

describe('workspaces', () => {
  it('each workspace keeps its metadata and data in schemas of its own', () => {
    const [main, acme] = t.platform.workspaces.list();
    expect(main!.schemas.system).not.toBe(acme!.schemas.system);
    expect(acme!.schemas).toEqual({ system: `${t.config.schema}_ws_acme`, data: `${t.config.schema}_wd_acme` });
  });

  it('a request resolves its workspace by header, then host name, else the default one', async () => {
    const byHeader = await loginAs(t.app, 'admin', 'acme-password-1', { 'x-workspace': 'acme' });
    expect((await byHeader.get('/api/v1/me')).body.user.displayName).toBe('Acme admin');
    const byHost = await loginAs(t.app, 'admin', 'acme-password-1', { host: 'acme.example.test' });
    expect((await byHost.get('/api/v1/me')).body.user.displayName).toBe('Acme admin');
    const unknown = await apiClient(t.app, undefined, { 'x-workspace': 'nope' }).get('/api/v1/me');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('WORKSPACE_NOT_FOUND');
  });

  it('users and rows of one workspace are invisible from the other', async () => {
    const main = await loginAs(t.app);
    const acme = await loginAs(t.app, 'admin', 'acme-password-1', { 'x-workspace': 'acme' });
    const mainPeople = (await main.get('/api/v1/org/users?limit=200')).body.items.map((u: { login: string }) => u.login);
    const acmePeople = (await acme.get('/api/v1/org/users?limit=200')).body.items.map((u: { login: string }) => u.login);
    expect(mainPeople).toContain('zhangwei');
    expect(acmePeople).toEqual(['admin']);
    expect((await acme.get('/api/v1/org/departments')).body.items).toEqual([]);
    const mainUserId = (await main.get('/api/v1/org/users?q=zhangwei')).body.items[0].id;
    expect((await acme.get(`/api/v1/org/users/${mainUserId}`)).status).toBe(404);
  });

  it('a session or token of one workspace does not open the other', async () => {
    const main = await loginAs(t.app);
    const token = (await main.post('/api/v1/me/tokens', { name: 'main only' })).body.secret;
    const intoAcme = apiClient(t.app, token, { 'x-workspace': 'acme' });
    expect((await intoAcme.get('/api/v1/me')).status).toBe(401);
  });

  it('the password of the same login differs per workspace', async () => {
    const res = await apiClient(t.app, undefined, { 'x-workspace': 'acme', 'x-forwarded-for': '10.8.0.1' }).post('/api/v1/auth/login', {
      login: 'admin',
      password: 'admin-password-1',
    });
    expect(res.status).toBe(401);
  });

  it('no table of a workspace schema references another workspace schema', async () => {
    const foreign = await sql<{ n: number }>`
      select count(*)::int as n from information_schema.referential_constraints rc
      join information_schema.table_constraints a on a.constraint_name = rc.constraint_name and a.constraint_schema = rc.constraint_schema
      join information_schema.table_constraints b on b.constraint_name = rc.unique_constraint_name and b.constraint_schema = rc.unique_constraint_schema
      where a.table_schema like ${`${t.config.schema}_%`} and a.table_schema <> b.table_schema`.execute(t.platform.db.kysely);
    expect(foreign.rows[0]!.n).toBe(0);
  });

  it('refuses an invalid workspace slug', async () => {
    await expect(createWorkspace(t.platform, { slug: 'Bad-Slug', name: 'x' })).rejects.toThrow(/slug/);
  });
});

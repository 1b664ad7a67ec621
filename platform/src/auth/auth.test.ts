import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ADMIN_PASSWORD, apiClient, loginAs, startTestPlatform, type ApiClient, type TestPlatform } from '../testing/index.ts';

let t: TestPlatform;
let admin: ApiClient;
let anon: ApiClient;

beforeAll(async () => {
  t = await startTestPlatform();
  admin = await loginAs(t.app);
  anon = apiClient(t.app);
});
afterAll(() => t.close());

async function createMember(login: string, password = 'member-password-1') {
  const res = await admin.post('/api/v1/org/users', { login, displayName: `Member ${login}`, password });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });

describe('login', () => {
  it('returns the user, a session token and a CSRF token, and sets httpOnly SameSite cookies', async () => {
    const res = await anon.post('/api/v1/auth/login', { login: 'admin', password: TEST_ADMIN_PASSWORD }, from('10.1.0.1'));
    expect(res.status).toBe(200);
    expect(res.body.user.login).toBe('admin');
    expect(res.body.token).toMatch(/^tbs_/);
    const cookies = res.headers.getSetCookie();
    expect(cookies.find((c) => c.startsWith('tb_session='))).toMatch(/HttpOnly/i);
    expect(cookies.find((c) => c.startsWith('tb_session='))).toMatch(/SameSite=Lax/i);
    expect(cookies.find((c) => c.startsWith('tb_csrf='))).not.toMatch(/HttpOnly/i);
  });

  it('accepts the e-mail address and any letter case as the login', async () => {
    await createMember('Case.User');
    await admin.patch(`/api/v1/org/users/${(await admin.get('/api/v1/org/users?q=case.user')).body.items[0].id}`, { email: 'case@example.com' });
    expect((await anon.post('/api/v1/auth/login', { login: 'case.user', password: 'member-password-1' }, from('10.1.0.2'))).status).toBe(200);
    expect((await anon.post('/api/v1/auth/login', { login: 'CASE@example.com', password: 'member-password-1' }, from('10.1.0.2'))).status).toBe(200);
  });

  it('refuses a wrong password and an unknown login alike, in the caller\'s language', async () => {
    const wrong = await anon.post('/api/v1/auth/login', { login: 'admin', password: 'nope-nope' }, { headers: { 'x-forwarded-for': '10.1.0.3', 'accept-language': 'zh-CN,zh;q=0.9' } });
    const unknown = await anon.post('/api/v1/auth/login', { login: 'ghost', password: 'nope-nope' }, from('10.1.0.3'));
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toMatchObject({ code: 'INVALID_CREDENTIALS', message: '登录名或密码错误。' });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error).toMatchObject({ code: 'INVALID_CREDENTIALS', message: 'Wrong login name or password.' });
  });

  it('locks an account after five wrong passwords in a row, even against the right one', async () => {
    await createMember('lockme');
    for (let i = 0; i < 4; i++) {
      expect((await anon.post('/api/v1/auth/login', { login: 'lockme', password: 'wrong-password' }, from(`10.2.0.${i}`))).status).toBe(401);
    }
    const fifth = await anon.post('/api/v1/auth/login', { login: 'lockme', password: 'wrong-password' }, from('10.2.0.9'));
    expect(fifth.status).toBe(429);
    expect(fifth.body.error.code).toBe('ACCOUNT_LOCKED');
    expect(fifth.headers.get('retry-after')).toBe('900');
    const right = await anon.post('/api/v1/auth/login', { login: 'lockme', password: 'member-password-1' }, from('10.2.0.10'));
    expect(right.status).toBe(429);
    expect(right.body.error.code).toBe('ACCOUNT_LOCKED');
  });

  it('an admin password reset clears the lock-out', async () => {
    const id = (await admin.get('/api/v1/org/users?q=lockme')).body.items[0].id;
    expect((await admin.patch(`/api/v1/org/users/${id}`, { password: 'fresh-password-2' })).status).toBe(200);
    expect((await anon.post('/api/v1/auth/login', { login: 'lockme', password: 'fresh-password-2' }, from('10.2.0.11'))).status).toBe(200);
  });

  // 31 logins each hash a password (a dummy one for an unknown login, so that timing tells nothing):
  // on a busy 2-core machine that alone can take the default 30 s.
  it('throttles an address after 30 failures in 15 minutes, whichever accounts it tries', { timeout: 120_000 }, async () => {
    for (let i = 0; i < 30; i++) await anon.post('/api/v1/auth/login', { login: `nobody${i}`, password: 'x-wrong-x' }, from('10.3.3.3'));
    const res = await anon.post('/api/v1/auth/login', { login: 'admin', password: TEST_ADMIN_PASSWORD }, from('10.3.3.3'));
    expect(res.status).toBe(429);
    expect(res.body.error.code).toBe('TOO_MANY_REQUESTS');
    expect((await anon.post('/api/v1/auth/login', { login: 'admin', password: TEST_ADMIN_PASSWORD }, from('10.3.3.4'))).status).toBe(200);
  });

  it('refuses disabled and departed users, and their existing sessions and tokens stop working at once', async () => {
    const id = await createMember('leaver');
    const member = await loginAs(t.app, 'leaver', 'member-password-1');
    const token = (await member.post('/api/v1/me/tokens', { name: 'ci' })).body.secret as string;
    expect((await admin.patch(`/api/v1/org/users/${id}`, { status: 'departed' })).status).toBe(200);
    expect((await member.get('/api/v1/me')).status).toBe(401);
    const viaToken = await anon.as(token).get('/api/v1/me');
    expect(viaToken.status).toBe(403);
    expect(viaToken.body.error.code).toBe('ACCOUNT_DISABLED');
    const login = await anon.post('/api/v1/auth/login', { login: 'leaver', password: 'member-password-1' }, from('10.4.0.1'));
    expect(login.status).toBe(403);
    expect(login.body.error.code).toBe('ACCOUNT_DISABLED');
  });

  it('validates the body: missing fields, wrong types and unknown content types are 4xx with a code', async () => {
    expect((await anon.post('/api/v1/auth/login', { login: 'admin' })).body.error.code).toBe('FAILED_VALIDATION');
    expect((await anon.post('/api/v1/auth/login', { login: 1, password: [] })).body.error.code).toBe('FAILED_VALIDATION');
    const form = await anon.request('POST', '/api/v1/auth/login', { raw: 'login=admin', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(415);
    expect(form.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('sessions and CSRF', () => {
  async function cookieLogin() {
    const res = await anon.post('/api/v1/auth/login', { login: 'admin', password: TEST_ADMIN_PASSWORD }, from('10.5.0.1'));
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    return { cookie, csrf: res.body.csrfToken as string };
  }

  it('the cookie authenticates reads; writes need the X-CSRF-Token of that session', async () => {
    const { cookie, csrf } = await cookieLogin();
    expect((await anon.get('/api/v1/me', { headers: { cookie } })).status).toBe(200);
    const without = await anon.patch('/api/v1/me', { displayName: 'X' }, { headers: { cookie } });
    expect(without.status).toBe(403);
    expect(without.body.error.code).toBe('CSRF_FAILED');
    const forged = await anon.patch('/api/v1/me', { displayName: 'X' }, { headers: { cookie, 'x-csrf-token': 'guess' } });
    expect(forged.body.error.code).toBe('CSRF_FAILED');
    const ok = await anon.patch('/api/v1/me', { displayName: '管理员' }, { headers: { cookie, 'x-csrf-token': csrf } });
    expect(ok.status).toBe(200);
  });

  it('logout ends this session only; logout everywhere ends them all', async () => {
    const a = await cookieLogin();
    await createMember('roamer');
    const b = await loginAs(t.app, 'roamer', 'member-password-1');
    expect((await anon.post('/api/v1/auth/logout', undefined, { headers: { cookie: a.cookie, 'x-csrf-token': a.csrf } })).status).toBe(204);
    expect((await anon.get('/api/v1/me', { headers: { cookie: a.cookie } })).status).toBe(401);
    expect((await admin.get('/api/v1/me')).status).toBe(200);
    const c = await loginAs(t.app, 'roamer', 'member-password-1');
    expect((await c.post('/api/v1/auth/logout', { everywhere: true })).status).toBe(204);
    expect((await b.get('/api/v1/me')).status).toBe(401);
    expect((await c.get('/api/v1/me')).status).toBe(401);
  });

  it('a garbage or malformed bearer token is 401, never anonymous access', async () => {
    expect((await anon.as('tbs_garbage').get('/api/v1/me')).body.error.code).toBe('UNAUTHENTICATED');
    expect((await anon.as('tbp_garbage').get('/api/v1/org/users')).status).toBe(401);
    expect((await anon.get('/api/v1/me', { headers: { authorization: 'Basic abc' } })).status).toBe(401);
    expect((await anon.get('/api/v1/me')).status).toBe(401);
  });

  it('changing the password needs the current one and ends the other sessions', async () => {
    await createMember('changer', 'first-password-1');
    const one = await loginAs(t.app, 'changer', 'first-password-1');
    const two = await loginAs(t.app, 'changer', 'first-password-1');
    const wrong = await one.post('/api/v1/me/password', { currentPassword: 'nope', newPassword: 'second-password-2' });
    expect(wrong.body.error.code).toBe('WRONG_PASSWORD');
    expect((await one.post('/api/v1/me/password', { currentPassword: 'first-password-1', newPassword: 'second-password-2' })).status).toBe(204);
    expect((await one.get('/api/v1/me')).status).toBe(200);
    expect((await two.get('/api/v1/me')).status).toBe(401);
    await loginAs(t.app, 'changer', 'second-password-2');
  });
});

describe('personal API tokens', () => {
  it('are shown once, stored hashed, listed with last use, and revocable', async () => {
    const created = await admin.post('/api/v1/me/tokens', { name: 'integration', expiresInDays: 30 });
    expect(created.status).toBe(201);
    const { secret, token } = created.body;
    expect(secret).toMatch(/^tbp_/);
    expect(token.hint).toBe(secret.slice(-4));
    const stored = await t.platform.db.kysely
      .withSchema(t.platform.workspaces.list()[0]!.schemas.system)
      .selectFrom('api_tokens')
      .select('token_hash')
      .where('id', '=', token.id)
      .executeTakeFirstOrThrow();
    expect(stored.token_hash).not.toContain(secret.slice(4));
    const viaToken = anon.as(secret);
    expect((await viaToken.get('/api/v1/me')).body.user.login).toBe('admin');
    const listed = (await admin.get('/api/v1/me/tokens')).body.items.find((i: { id: string }) => i.id === token.id);
    expect(listed.lastUsedAt).not.toBeNull();
    expect(JSON.stringify(await admin.get('/api/v1/me/tokens'))).not.toContain(secret);
    expect((await admin.delete(`/api/v1/me/tokens/${token.id}`)).status).toBe(204);
    expect((await viaToken.get('/api/v1/me')).status).toBe(401);
    expect((await admin.delete(`/api/v1/me/tokens/${token.id}`)).body.error.code).toBe('TOKEN_NOT_FOUND');
  });

  it('an expired token no longer authenticates', async () => {
    const { secret, token } = (await admin.post('/api/v1/me/tokens', { name: 'short', expiresInDays: 1 })).body;
    await t.platform.db.kysely
      .withSchema(t.platform.workspaces.list()[0]!.schemas.system)
      .updateTable('api_tokens')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', token.id)
      .execute();
    expect((await anon.as(secret).get('/api/v1/me')).status).toBe(401);
  });

  it('cannot revoke someone else\'s token', async () => {
    const { token } = (await admin.post('/api/v1/me/tokens', { name: 'mine' })).body;
    await createMember('other-user');
    const other = await loginAs(t.app, 'other-user', 'member-password-1');
    expect((await other.delete(`/api/v1/me/tokens/${token.id}`)).status).toBe(404);
  });
});

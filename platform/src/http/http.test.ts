import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, loginAs, startTestPlatform, type ApiClient, type TestPlatform } from '../testing/index.ts';
import { negotiateLocale } from '../i18n/translate.ts';
import { importMessages } from '../i18n/import-messages.ts';
import { messages } from '../i18n/messages.ts';

let t: TestPlatform;
let anon: ApiClient;

beforeAll(async () => {
  t = await startTestPlatform({ env: { TB_DEMO: '0' } });
  anon = apiClient(t.app);
});
afterAll(() => t.close());

describe('operations endpoints', () => {
  it('healthz says the process is up; readyz that the database answers and migrations are done', async () => {
    expect((await anon.get('/healthz')).body).toEqual({ status: 'ok' });
    expect((await anon.get('/readyz')).body).toEqual({ status: 'ready', database: t.dialect, pendingMigrations: 0 });
  });

  it('serves the OpenAPI 3.1 document and an interactive reference that needs nothing from the internet', async () => {
    const doc = await anon.get('/api/v1/openapi.json');
    expect(doc.body.openapi).toBe('3.1.0');
    expect(doc.body.components.schemas.Error).toBeDefined();
    const page = await anon.get('/api/docs');
    expect(page.body).toContain('/api/docs/assets/swagger-ui-bundle.js');
    expect(page.body).not.toMatch(/https?:\/\/(?!example)/);
    const bundle = await t.app.request('/api/docs/assets/swagger-ui-bundle.js');
    expect(bundle.status).toBe(200);
  });
});

describe('errors', () => {
  it('an unknown route is a coded 404 naming it', async () => {
    const res = await anon.get('/api/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'ROUTE_NOT_FOUND', message: 'There is no API at GET /api/v1/nothing-here.', details: {} } });
  });

  it('malformed JSON is INVALID_JSON, not a stack trace', async () => {
    const res = await anon.request('POST', '/api/v1/auth/login', { raw: '{"login": "admin",', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_JSON');
  });

  it('validation errors name the offending fields', async () => {
    const admin = await loginAs(t.app);
    const res = await admin.post('/api/v1/org/users', { login: 'ok-login', displayName: 7, surprise: true });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('FAILED_VALIDATION');
    const paths = res.body.error.details.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['body.displayName', 'body']));
    expect(res.body.error.message).toContain('body.displayName');
  });

  it('messages follow Accept-Language before login and the user\'s locale after', async () => {
    const zh = await anon.get('/api/v1/me', { headers: { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.8' } });
    expect(zh.body.error.message).toBe('请先登录。');
    const en = await anon.get('/api/v1/me', { headers: { 'accept-language': 'en-GB' } });
    expect(en.body.error.message).toBe('Please log in first.');
    const admin = await loginAs(t.app);
    await admin.patch('/api/v1/me', { locale: 'zh-CN' });
    const mine = await admin.get('/api/v1/org/users/00000000-0000-4000-8000-000000000000', { headers: { 'accept-language': 'en' } });
    expect(mine.body.error.message).toBe('该用户不存在。');
  });
});

describe('locales', () => {
  it('both catalogues translate every error code', () => {
    expect(Object.keys(messages['zh-CN']).sort()).toEqual(Object.keys(messages.en).sort());
    expect(Object.keys(importMessages['zh-CN']).sort()).toEqual(Object.keys(importMessages.en).sort());
    for (const locale of ['en', 'zh-CN'] as const) {
      for (const text of [...Object.values(messages[locale]), ...Object.values(importMessages[locale])]) expect(text.trim()).not.toBe('');
    }
  });

  it.each([
    [undefined, 'en'],
    ['zh', 'zh-CN'],
    ['zh-TW,zh;q=0.8', 'zh-CN'],
    ['en-US,en;q=0.9,zh-CN;q=0.8', 'en'],
    ['fr-FR,zh-CN;q=0.5', 'zh-CN'],
    ['de', 'en'],
    ['zh;q=0', 'en'],
  ])('Accept-Language %s → %s', (header, locale) => {
    expect(negotiateLocale(header)).toBe(locale);
  });
});

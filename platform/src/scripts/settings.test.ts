import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SCRIPT_LIMITS, HOST_PATTERN } from '../contracts/index.ts';
import { systemCtx } from '../core/context.ts';
import { apiClient, loginAs, startTestPlatform, type ApiClient, type TestPlatform } from '../testing/index.ts';
import { allSecretValues, secretValue } from './secrets.ts';
import { httpAllowList, resolvedScriptLimits } from './settings.ts';

let t: TestPlatform;
let admin: ApiClient;
let member: ApiClient;
let anonymous: ApiClient;

const SETTINGS = '/api/v1/scripts/settings';
const SECRETS = '/api/v1/scripts/secrets';
const put = (client: ApiClient, path: string, body: unknown) => client.request('PUT', path, { body });
const ctx = () => systemCtx(t.platform, t.platform.workspaces.list()[0]!);
const auditRows = () => ctx().db.selectFrom('audit_log').select(['action', 'target_type', 'target_id', 'details']).where('action', 'like', 'scripts.%').orderBy('seq').execute();

beforeAll(async () => {
  t = await startTestPlatform({ env: { TB_DEMO: '0' } });
  admin = await loginAs(t.app);
  await admin.post('/api/v1/org/users', { login: 'governed', displayName: 'Member', password: 'member-password-1' });
  member = await loginAs(t.app, 'governed', 'member-password-1');
  anonymous = apiClient(t.app);
});
afterAll(() => t.close());

describe('script settings', () => {
  it('start with no overrides: the default limits, an empty allow-list and 30 days of run log', async () => {
    const res = await admin.get(SETTINGS);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ limits: {}, effectiveLimits: DEFAULT_SCRIPT_LIMITS, httpAllowList: [], runLogDays: 30 });
    expect(await resolvedScriptLimits(ctx())).toEqual(DEFAULT_SCRIPT_LIMITS);
    expect(await httpAllowList(ctx())).toEqual([]);
  });

  it('keep the overrides an admin sets, overlaid on the defaults, seen at once by the runner, and audited', async () => {
    const body = { limits: { cpuMs: 5000, recordsWritten: 2000 }, httpAllowList: ['API.Example.com', '*.erp.example.cn:8443', '10.0.0.5', '[::1]:8080', 'api.example.com'], runLogDays: 7 };
    const res = await put(admin, SETTINGS, body);
    expect(res.status).toBe(200);
    const expected = {
      limits: { cpuMs: 5000, recordsWritten: 2000 },
      effectiveLimits: { ...DEFAULT_SCRIPT_LIMITS, cpuMs: 5000, recordsWritten: 2000 },
      httpAllowList: ['api.example.com', '*.erp.example.cn:8443', '10.0.0.5', '[::1]:8080'],
      runLogDays: 7,
    };
    expect(res.body).toEqual(expected);
    expect((await admin.get(SETTINGS)).body).toEqual(expected);
    expect(await resolvedScriptLimits(ctx())).toEqual(expected.effectiveLimits);
    expect(await httpAllowList(ctx())).toEqual(expected.httpAllowList);
    const audit = (await auditRows()).filter((r) => r.action === 'scripts.settings.update').at(-1)!;
    expect(audit.details).toEqual({ from: { limits: {}, httpAllowList: [], runLogDays: 30 }, to: { limits: expected.limits, httpAllowList: expected.httpAllowList, runLogDays: 7 } });
    // Leaving a limit out returns it to its default.
    const back = await put(admin, SETTINGS, { limits: { cpuMs: 5000 }, httpAllowList: [], runLogDays: 7 });
    expect(back.body.effectiveLimits.recordsWritten).toBe(DEFAULT_SCRIPT_LIMITS.recordsWritten);
    expect(await resolvedScriptLimits(ctx())).toEqual({ ...DEFAULT_SCRIPT_LIMITS, cpuMs: 5000 });
  });

  it('refuse a limit past its cap, a limit of 0, unknown limits and a retention out of 1..365 with 400, changing nothing', async () => {
    const before = (await admin.get(SETTINGS)).body;
    const bad = [
      { limits: { cpuMs: 10_001 } },
      { limits: { wallMs: 120_001 } },
      { limits: { memoryMb: 97 } },
      { limits: { hostCalls: 10_001 } },
      { limits: { recordsRead: 50_001 } },
      { limits: { recordsWritten: 5001 } },
      { limits: { httpCalls: 101 } },
      { limits: { logBytes: 1_048_577 } },
      { limits: { cpuMs: 0 } },
      { limits: { cpuMs: 1.5 } },
      { limits: { stackKb: 64 } },
      { runLogDays: 0 },
      { runLogDays: 366 },
      { extra: true },
    ];
    for (const change of bad) {
      const res = await put(admin, SETTINGS, { limits: {}, httpAllowList: [], runLogDays: 30, ...change });
      expect([res.status, res.body.error.code], JSON.stringify(change)).toEqual([400, 'FAILED_VALIDATION']);
    }
    const atCaps = { cpuMs: 10_000, wallMs: 120_000, memoryMb: 96, hostCalls: 10_000, recordsRead: 50_000, recordsWritten: 5000, httpCalls: 100, logBytes: 1_048_576 };
    expect((await admin.get(SETTINGS)).body).toEqual(before);
    const res = await put(admin, SETTINGS, { limits: atCaps, httpAllowList: [], runLogDays: 365 });
    expect(res.body.effectiveLimits).toEqual(atCaps);
    await put(admin, SETTINGS, { limits: before.limits, httpAllowList: before.httpAllowList, runLogDays: before.runLogDays });
  });

  it('accept host names, subdomain wildcards, IPv4 and bracketed IPv6 with an optional port, and refuse anything else', async () => {
    for (const good of ['localhost', 'a.b-c.example', 'xn--fiqs8s.cn', '*.example.com', '192.168.1.10:8080', '[2001:db8::1]', '[::]:443', 'erp.local:65535']) {
      expect(HOST_PATTERN.test(good), good).toBe(true);
    }
    const bad = [
      'https://api.example.com', 'api.example.com/path', 'user@api.example.com', '*.*.example.com', '*example.com', 'example.*', '*',
      '-api.example.com', 'api..example.com', 'api.example.com:0', 'api.example.com:65536', '999.1.1.1', '1.2.3', '*.10.0.0.1',
      '::1', '[::1', '[gggg::1]', 'bücher.de', 'api.example.com.', '', ' ', 'a'.repeat(64) + '.com', 'a b.com',
    ];
    for (const entry of bad) {
      const res = await put(admin, SETTINGS, { limits: {}, httpAllowList: [entry], runLogDays: 30 });
      expect([res.status, res.body.error?.code], entry).toEqual([400, 'FAILED_VALIDATION']);
      expect(res.body.error.details.issues[0].path).toBe('body.httpAllowList.0');
    }
    const tooMany = Array.from({ length: 101 }, (_, i) => `h${i}.example.com`);
    expect((await put(admin, SETTINGS, { limits: {}, httpAllowList: tooMany, runLogDays: 30 })).status).toBe(400);
    expect((await put(admin, SETTINGS, { limits: {}, httpAllowList: tooMany.slice(0, 100), runLogDays: 30 })).body.httpAllowList).toHaveLength(100);
  });
});

describe('script secrets', () => {
  const VALUE = 's3cr3t-Value-that-must-not-leak';
  const OTHER = 'another-hidden-value-42';

  it('are set, listed by name without their values, overwritten and deleted, each audited without the value', async () => {
    const set = await put(admin, `${SECRETS}/ERP_API_KEY`, { value: VALUE });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ name: 'ERP_API_KEY', updatedAt: expect.any(String), updatedBy: expect.any(String) });
    expect((await put(admin, `${SECRETS}/A`, { value: 'x' })).status).toBe(200);
    const list = await admin.get(SECRETS);
    expect(list.body.items.map((s: { name: string }) => s.name)).toEqual(['A', 'ERP_API_KEY']);
    expect(JSON.stringify(list.body)).not.toContain(VALUE);
    expect(await secretValue(ctx(), 'ERP_API_KEY')).toBe(VALUE);
    expect(await secretValue(ctx(), 'NOPE')).toBeNull();
    expect(await secretValue(ctx(), 'not a name')).toBeNull();

    expect((await put(admin, `${SECRETS}/ERP_API_KEY`, { value: OTHER })).status).toBe(200);
    expect(await secretValue(ctx(), 'ERP_API_KEY')).toBe(OTHER);
    expect(await allSecretValues(ctx())).toEqual([OTHER, 'x']);
    expect((await admin.get(SECRETS)).body.items).toHaveLength(2);

    const del = await admin.delete(`${SECRETS}/ERP_API_KEY`);
    expect(del.status).toBe(204);
    expect(await secretValue(ctx(), 'ERP_API_KEY')).toBeNull();
    expect((await admin.get(SECRETS)).body.items.map((s: { name: string }) => s.name)).toEqual(['A']);

    const audit = (await auditRows()).filter((r) => r.target_type === 'script_secret');
    expect(audit.map((r) => [r.action, r.target_id])).toEqual([
      ['scripts.secret.create', 'ERP_API_KEY'],
      ['scripts.secret.create', 'A'],
      ['scripts.secret.update', 'ERP_API_KEY'],
      ['scripts.secret.delete', 'ERP_API_KEY'],
    ]);
    const everything = JSON.stringify(await ctx().db.selectFrom('audit_log').selectAll().execute());
    expect(everything).not.toContain(VALUE);
    expect(everything).not.toContain(OTHER);
  });

  it('deleting a missing one is 404 SCRIPT_SECRET_NOT_FOUND, in the caller\'s language', async () => {
    const res = await admin.delete(`${SECRETS}/MISSING`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('SCRIPT_SECRET_NOT_FOUND');
    const zh = await admin.delete(`${SECRETS}/MISSING`, { headers: { 'accept-language': 'zh-CN' } });
    expect(zh.body.error.message).toBe('没有名为 MISSING 的脚本密钥。');
  });

  it('refuse a bad name or value with 400', async () => {
    for (const name of ['lower', '1ABC', '_A', 'A-B', 'A'.repeat(65), encodeURIComponent('A B')]) {
      const res = await put(admin, `${SECRETS}/${name}`, { value: 'x' });
      expect([res.status, res.body.error.code], name).toEqual([400, 'FAILED_VALIDATION']);
      expect((await admin.delete(`${SECRETS}/${name}`)).status).toBe(400);
    }
    for (const body of [{}, { value: '' }, { value: 'x'.repeat(8193) }, { value: 'a\u0000b' }, { value: 1 }, { value: 'x', extra: 1 }]) {
      expect((await put(admin, `${SECRETS}/OK_NAME`, body)).status).toBe(400);
    }
    expect((await put(admin, `${SECRETS}/${'A'.repeat(64)}`, { value: 'x'.repeat(8192) })).status).toBe(200);
  });
});

describe('access', () => {
  const ID = '00000000-0000-4000-8000-000000000000';
  const calls: [string, string, unknown?][] = [
    ['GET', SETTINGS],
    ['PUT', SETTINGS, { limits: {}, httpAllowList: [], runLogDays: 30 }],
    ['GET', SECRETS],
    ['PUT', `${SECRETS}/SOME_KEY`, { value: 'x' }],
    ['DELETE', `${SECRETS}/SOME_KEY`],
    ['GET', '/api/v1/scripts/runs'],
    ['GET', '/api/v1/scripts/runs?script=a&status=ok&limit=5'],
    ['GET', `/api/v1/scripts/runs/${ID}`],
  ];

  it('every route is for administrators: members get 403, anonymous callers 401', async () => {
    for (const [method, path, body] of calls) {
      const forbidden = await member.request(method, path, body === undefined ? {} : { body });
      expect([forbidden.status, forbidden.body.error.code], `${method} ${path} as a member`).toEqual([403, 'FORBIDDEN']);
      const anon = await anonymous.request(method, path, body === undefined ? {} : { body });
      expect([anon.status, anon.body.error.code], `${method} ${path} anonymously`).toEqual([401, 'UNAUTHENTICATED']);
    }
    expect((await admin.get(SECRETS)).body.items.map((s: { name: string }) => s.name)).not.toContain('SOME_KEY');
  });

  it('every route is in the OpenAPI document', async () => {
    const doc = (await admin.get('/api/v1/openapi.json')).body;
    expect(Object.keys(doc.paths[SETTINGS])).toEqual(['get', 'put']);
    expect(Object.keys(doc.paths[`${SECRETS}/{name}`])).toEqual(['put', 'delete']);
    expect(doc.paths['/api/v1/scripts/runs/{id}'].get.responses['200'].content['application/json'].schema.$ref).toBe('#/components/schemas/ScriptRun');
    expect(doc.components.schemas.ScriptSettings.properties.limits.$ref).toBe('#/components/schemas/ScriptLimits');
  });
});

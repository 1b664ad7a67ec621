import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCRIPT_SOURCE_MAX_BYTES } from '../contracts/index.ts';
import { apiClient, loginAs, startTestPlatform, type ApiClient, type TestPlatform } from '../testing/index.ts';
import { field } from '../testing/meta-builders.ts';
import { correctScript, everyType } from './scripts-fixture.ts';

let t: TestPlatform;
let admin: ApiClient;
let member: ApiClient;
let anonymous: ApiClient;

const TYPES = '/api/v1/scripts/types.d.ts';
const COMPILE = '/api/v1/scripts/compile';

beforeAll(async () => {
  t = await startTestPlatform({ env: { TB_DEMO: '0' } });
  admin = await loginAs(t.app);
  await admin.post('/api/v1/org/users', { login: 'scripter', displayName: 'Member', password: 'member-password-1' });
  member = await loginAs(t.app, 'scripter', 'member-password-1');
  anonymous = apiClient(t.app);
  await admin.request('PUT', '/api/v1/meta/draft', { body: everyType });
  expect((await admin.post('/api/v1/meta/publish')).status).toBe(200);
});
afterAll(() => t.close());

describe('GET /api/v1/scripts/types.d.ts', () => {
  it('gives administrators the declarations of the published objects as text, with an ETag', async () => {
    const res = await admin.get(TYPES);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.headers.get('etag')).toMatch(/^"[\w-]{32}"$/);
    expect(res.headers.get('cache-control')).toBe('private, no-cache');
    expect(res.body).toContain('published metadata version 1');
    expect(res.body).toContain('interface Deal {');
    expect(res.body).toContain('declare const records: Threadbase.Records;');
  });

  it('answers 304 with no body while the ETag still matches (weak or strong, among others)', async () => {
    const etag = (await admin.get(TYPES)).headers.get('etag')!;
    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const res = await admin.get(TYPES, { headers: { 'if-none-match': ifNoneMatch } });
      expect(res.status).toBe(304);
      expect(res.body).toBeNull();
      expect(res.headers.get('etag')).toBe(etag);
    }
    expect((await admin.get(TYPES, { headers: { 'if-none-match': '"stale"' } })).status).toBe(200);
  });

  it('is for administrators only: members get 403, anonymous callers 401, with the usual error body', async () => {
    const forbidden = await member.get(TYPES);
    expect(forbidden.status).toBe(403);
    // Users see messages in their own language (zh-CN unless they chose otherwise).
    expect(forbidden.body).toEqual({ error: { code: 'FORBIDDEN', message: '你没有执行此操作的权限。', details: {} } });
    const anon = await anonymous.get(TYPES);
    expect(anon.status).toBe(401);
    expect(anon.body.error.code).toBe('UNAUTHENTICATED');
  });

  it('is listed in the OpenAPI document with the compile operation', async () => {
    const doc = (await admin.get('/api/v1/openapi.json')).body;
    expect(Object.keys(doc.paths[TYPES])).toEqual(['get']);
    expect(doc.paths[TYPES].get.responses['304']).toBeDefined();
    expect(doc.paths[COMPILE].post.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/CompileScriptRequest');
    expect(doc.components.schemas.CompileScriptResult.properties.diagnostics.items.$ref).toBe('#/components/schemas/ScriptDiagnostic');
  });
});

describe('POST /api/v1/scripts/compile', () => {
  it('compiles a correct script: ok, its JavaScript, no diagnostics, and the metadata version it was checked against', async () => {
    const res = await admin.post(COMPILE, { source: correctScript });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true, javascript: expect.stringContaining('export default async function () {'), diagnostics: [], typesVersion: 1 });
    expect(res.body.javascript).not.toContain(': string');
  });

  it('reports syntax errors without JavaScript, and type errors marked as such with JavaScript (it would still run)', async () => {
    const syntax = (await admin.post(COMPILE, { source: 'export default function () {\n  return (;\n}' })).body;
    expect(syntax).toEqual({ ok: false, diagnostics: [expect.objectContaining({ kind: 'syntax', code: 'TS1109', line: 2, column: 11 })], typesVersion: 1 });
    const typed = (await admin.post(COMPILE, { source: "export default async () => (await records.get('deal', 'x'))?.titel;" })).body;
    expect(typed.ok).toBe(false);
    expect(typed.javascript).toContain('?.titel');
    expect(typed.diagnostics).toEqual([
      expect.objectContaining({ kind: 'type', code: 'TS2551', line: 1, column: 62, message: "Property 'titel' does not exist on type 'Deal'. Did you mean 'title'?" }),
    ]);
  });

  it('reports what the sandbox refuses, once, in the caller\'s language', async () => {
    const res = await admin.post(COMPILE, { source: 'import x from "y";\nexport default 42;' });
    expect(res.body.diagnostics.map((d: { code: string; kind: string }) => [d.code, d.kind])).toEqual([
      ['SCRIPT_IMPORT', 'sandbox'],
      ['SCRIPT_DEFAULT_NOT_FUNCTION', 'sandbox'],
    ]);
    expect(res.body.diagnostics[1].message).toBe('默认导出必须是函数：export default async function () { … }');
  });

  it('is for administrators only', async () => {
    expect((await member.post(COMPILE, { source: correctScript })).body.error.code).toBe('FORBIDDEN');
    expect((await anonymous.post(COMPILE, { source: correctScript })).status).toBe(401);
  });

  it('takes at most 100 KB of UTF-8: more is 413 SCRIPT_TOO_LARGE, counted in bytes, not characters', async () => {
    const fits = `export default () => 1;\n//${'a'.repeat(SCRIPT_SOURCE_MAX_BYTES - 27)}`;
    expect(Buffer.byteLength(fits)).toBe(SCRIPT_SOURCE_MAX_BYTES - 1);
    expect((await admin.post(COMPILE, { source: fits })).body.ok).toBe(true);
    const emoji = `export default () => 1;\n//${'😀'.repeat(25_600)}`;
    expect(emoji.length).toBeLessThan(SCRIPT_SOURCE_MAX_BYTES);
    const res = await admin.post(COMPILE, { source: emoji });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ error: { code: 'SCRIPT_TOO_LARGE', message: '脚本超过 100 KB，请拆分脚本或把数据移出脚本。', details: { limitBytes: SCRIPT_SOURCE_MAX_BYTES } } });
  });

  it('refuses a body that is not { source } with FAILED_VALIDATION naming the field', async () => {
    for (const body of [{}, { source: 42 }, { source: 'export default () => 1;', extra: true }, { source: 'x\u0000y' }]) {
      const res = await admin.post(COMPILE, body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('FAILED_VALIDATION');
      expect(res.body.error.details.issues[0].path).toMatch(/^body(\.source)?$/);
    }
  });
});

describe('after a publish', () => {
  const script = `export default async function () {
  const deal = await records.get('deal', 'x');
  return [deal?.contact_phone, deal?.notes];
}`;

  it('flags a script that used a field since archived or renamed, and serves the new declarations under a new ETag', async () => {
    const before = await admin.get(TYPES);
    expect((await admin.post(COMPILE, { source: script })).body).toMatchObject({ ok: true, typesVersion: 1 });

    // `contact_phone` is left out (archived); `notes` becomes `remarks` (a rename is an archive and an add).
    const deal = everyType.objects[1]!;
    const fields = deal.fields.filter((f) => f.name !== 'contact_phone' && f.name !== 'notes').concat([field('remarks', 'long_text')]);
    await admin.request('PUT', '/api/v1/meta/draft', { body: { objects: [everyType.objects[0], { ...deal, fields }] } });
    expect((await admin.post('/api/v1/meta/publish')).body.version).toBe(2);

    const after = (await admin.post(COMPILE, { source: script })).body;
    expect(after.ok).toBe(false);
    expect(after.typesVersion).toBe(2);
    expect(after.diagnostics.map((d: { line: number; message: string }) => `${d.line}: ${d.message}`)).toEqual([
      "3: Property 'contact_phone' does not exist on type 'Deal'.",
      "3: Property 'notes' does not exist on type 'Deal'.",
    ]);

    const types = await admin.get(TYPES, { headers: { 'if-none-match': before.headers.get('etag')! } });
    expect(types.status).toBe(200);
    expect(types.headers.get('etag')).not.toBe(before.headers.get('etag'));
    expect(types.body).toContain('published metadata version 2');
    expect(types.body).toContain('  remarks: string | null;');
    expect(types.body).not.toMatch(/contact_phone|\bnotes\b/);
  });
});

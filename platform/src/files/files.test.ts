import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import type { FileSettings } from '../contracts/files.ts';
import { systemCtx } from '../core/context.ts';
import { serveHttp } from '../server.ts';
import { startTestPlatform, type TestPlatform } from '../testing/index.ts';
import type { DiskStore } from './disk-store.ts';
import { chunked, download, filesUnder, tokenFor, upload } from './files-fixture.ts';
import { purgeExpiredFiles } from './purge.ts';
import { storeSuite } from './store-suite.ts';

let t: TestPlatform;
let admin: string;
beforeAll(async () => {
  t = await startTestPlatform();
  admin = await tokenFor(t.app);
}, 60_000);
afterAll(() => t.close());

const root = () => (t.platform.files as DiskStore).root;
storeSuite('the local disk', () => ({ t, keys: () => filesUnder(root()) }));

const ctx = () => systemCtx(t.platform, t.platform.workspaces.list()[0]!);
const settings = (token: string, method: string, body?: unknown) =>
  t.app.request('/api/v1/files/settings', { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
const currentSettings = async () => (await (await settings(admin, 'GET')).json()) as FileSettings;

describe('content types', () => {
  it('stores the declared type without parameters, and guesses from the extension when the client sent none', async () => {
    const text = await upload(t.app, admin, Buffer.from('hello'), 'notes.txt', 'Text/Plain; charset=UTF-8');
    expect(text.json.contentType).toBe('text/plain');
    const docx = await upload(t.app, admin, Buffer.from('PK\u0003\u0004'), '合同.docx', 'application/octet-stream');
    expect(docx.json.contentType).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    const got = await download(t.app, admin, `/api/v1/files/${docx.json.id}`);
    expect(got.headers.get('content-type')).toBe(docx.json.contentType);
    expect(got.headers.get('content-disposition')).toMatch(/^attachment; filename="__\.docx"; filename\*=UTF-8''%E5%90%88%E5%90%8C\.docx$/);
  });

  it('never lets a stored file run scripts: SVG and HTML download, sandboxed', async () => {
    for (const [name, type] of [['x.svg', 'image/svg+xml'], ['x.html', 'text/html']]) {
      const res = await upload(t.app, admin, Buffer.from('<svg onload="alert(1)"/>'), name!, type);
      const got = await download(t.app, admin, `/api/v1/files/${res.json.id}`);
      expect(got.headers.get('content-disposition')).toMatch(/^attachment;/);
      expect(got.headers.get('content-security-policy')).toContain('sandbox');
      expect(res.json.thumbnail).toBe(false);
    }
  });

  it('refuses a type outside the allow-list with 415 until an administrator allows it', async () => {
    const before = await filesUnder(root());
    const exe = await upload(t.app, admin, Buffer.from('MZ'), 'setup.exe', 'application/x-msdownload');
    expect(exe.status).toBe(415);
    expect(exe.json.error).toMatchObject({ code: 'FILE_TYPE_NOT_ALLOWED', details: { contentType: 'application/x-msdownload' } });
    expect(await filesUnder(root())).toEqual(before);
    const current = await currentSettings();
    expect((await settings(admin, 'PUT', { ...current, allowedTypes: [...current.allowedTypes, 'application/x-msdownload'] })).status).toBe(200);
    expect((await upload(t.app, admin, Buffer.from('MZ'), 'setup.exe', 'application/x-msdownload')).status).toBe(201);
    expect((await settings(admin, 'PUT', current)).status).toBe(200);
  });

  it('refuses a missing, badly encoded or path-like file name', async () => {
    for (const name of [undefined, '%E0%A4%A', encodeURIComponent('../x.txt'), encodeURIComponent('a\u0000b.txt'), '']) {
      const res = await t.app.request('/api/v1/files', { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'text/plain', ...(name !== undefined && { 'x-file-name': name }) }, body: 'x' });
      expect(res.status, String(name)).toBe(400);
      expect(((await res.json()) as any).error.code).toBe('FAILED_VALIDATION');
    }
  });
});

describe('settings', () => {
  it('are for administrators only, validated, and every change is audited', async () => {
    const created = await t.app.request('/api/v1/org/users', { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ login: 'li', displayName: '李', password: 'member-password-1' }) });
    expect(created.status).toBe(201);
    const member = await tokenFor(t.app, 'li', 'member-password-1');
    const defaults = await currentSettings();
    expect(defaults).toMatchObject({ maxBytes: 100 * 1024 * 1024, retentionDays: null });
    expect(defaults.allowedTypes).toEqual(expect.arrayContaining(['image/*', 'application/pdf', 'application/zip', 'text/*']));
    expect((await settings(member, 'GET')).status).toBe(403);
    expect((await settings(member, 'PUT', defaults)).status).toBe(403);
    expect((await settings(admin, 'PUT', { ...defaults, allowedTypes: ['image/*', 'not a type'] })).status).toBe(400);
    expect((await settings(admin, 'PUT', { ...defaults, maxBytes: 0 })).status).toBe(400);
    const changed = { maxBytes: 5_000_000, allowedTypes: ['image/*', 'image/*', 'application/pdf'], retentionDays: 30 };
    expect(await (await settings(admin, 'PUT', changed)).json()).toEqual({ ...changed, allowedTypes: ['image/*', 'application/pdf'] });
    const audit = await ctx().db.selectFrom('audit_log').select(['actor_login', 'details']).where('action', '=', 'files.settings.update').orderBy('seq', 'desc').executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ actor_login: 'admin', details: { from: defaults, to: { retentionDays: 30, maxBytes: 5_000_000 } } });
    expect((await settings(admin, 'PUT', defaults)).status).toBe(200);
  });
});

describe('retention', () => {
  it('keeps files forever without a policy, and purges rows and bytes older than the retention with one', async () => {
    const old = await upload(t.app, admin, Buffer.from('old'), 'old.txt', 'text/plain');
    const fresh = await upload(t.app, admin, Buffer.from('fresh'), 'fresh.txt', 'text/plain');
    await ctx().db.updateTable('files').set({ created_at: new Date(Date.now() - 40 * 86_400_000) }).where('id', '=', old.json.id).execute();
    expect(await purgeExpiredFiles(ctx())).toBe(0);
    const current = await currentSettings();
    expect((await settings(admin, 'PUT', { ...current, retentionDays: 30 })).status).toBe(200);
    const key = (await ctx().db.selectFrom('files').select('storage_key').where('id', '=', old.json.id).executeTakeFirstOrThrow()).storage_key;
    expect(await t.platform.files.head(key)).toEqual({ size: 3 });
    expect(await purgeExpiredFiles(ctx())).toBe(1);
    expect(await t.platform.files.head(key)).toBeNull();
    expect((await download(t.app, admin, `/api/v1/files/${old.json.id}`)).status).toBe(404);
    expect((await download(t.app, admin, `/api/v1/files/${fresh.json.id}`)).status).toBe(200);
    expect((await settings(admin, 'PUT', current)).status).toBe(200);
  });
});

describe('over a real socket', () => {
  it('streams an upload and a ranged download through the Node server, and stops a streamed upload at the limit', async () => {
    const server = await serveHttp(t.platform, { port: 0, host: '127.0.0.1', spas: false });
    try {
      const body = Buffer.alloc(3 * 1024 * 1024, 7);
      const res = await fetch(`${server.url}/api/v1/files`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/zip', 'x-file-name': encodeURIComponent('归档.zip') }, body });
      expect(res.status).toBe(201);
      const { id } = (await res.json()) as { id: string };
      const part = await fetch(`${server.url}/api/v1/files/${id}`, { headers: { authorization: `Bearer ${admin}`, range: 'bytes=-3' } });
      expect(part.status).toBe(206);
      expect([...new Uint8Array(await part.arrayBuffer())]).toEqual([7, 7, 7]);
      const current = await currentSettings();
      expect((await settings(admin, 'PUT', { ...current, maxBytes: 1024 * 1024 })).status).toBe(200);
      const tooBig = await fetch(`${server.url}/api/v1/files`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/zip', 'x-file-name': 'big.zip' }, body: chunked(100, 64 * 1024), duplex: 'half' } as RequestInit);
      expect(tooBig.status).toBe(413);
      expect((await settings(admin, 'PUT', current)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe('configuration', () => {
  it('refuses the S3 backend without its endpoint, bucket and keys, naming what is missing', () => {
    expect(() => loadConfig({ TB_FILES_BACKEND: 's3', TB_S3_BUCKET: 'files' })).toThrow(/TB_S3_ENDPOINT, TB_S3_ACCESS_KEY_ID, TB_S3_SECRET_ACCESS_KEY/);
    const s3 = loadConfig({ TB_FILES_BACKEND: 's3', TB_S3_ENDPOINT: 'http://minio:9000', TB_S3_BUCKET: 'files', TB_S3_ACCESS_KEY_ID: 'k', TB_S3_SECRET_ACCESS_KEY: 's' }).files;
    expect(s3).toEqual({ backend: 's3', s3: { endpoint: 'http://minio:9000', region: 'us-east-1', bucket: 'files', accessKeyId: 'k', secretAccessKey: 's', forcePathStyle: true } });
    expect(loadConfig({}).files).toEqual({ backend: 'disk' });
  });
});

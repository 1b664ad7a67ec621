import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform } from '../boot/start-platform.ts';
import { systemCtx } from '../core/context.ts';
import { loginAs, startTestPlatform, testTarget, type ApiClient, type TestPlatform } from '../testing/index.ts';
import { publishedObjects } from './index.ts';
import { field, label } from '../testing/meta-builders.ts';

let t: TestPlatform;
let admin: ApiClient;
let member: ApiClient;
let dataSchema: string;

beforeAll(async () => {
  t = await startTestPlatform({ env: { TB_DEMO: '0' } });
  admin = await loginAs(t.app);
  await admin.post('/api/v1/org/users', { login: 'analyst', displayName: 'Analyst', password: 'member-password-1' });
  member = await loginAs(t.app, 'analyst', 'member-password-1');
  dataSchema = t.platform.workspaces.list()[0]!.schemas.data;
});
afterAll(() => t.close());

const customer = (fields: Record<string, unknown>[] = []) => ({
  name: 'customer',
  label: { 'zh-CN': '客户', en: 'Customer' },
  pluralLabel: { 'zh-CN': '客户', en: 'Customers' },
  recordName: 'name',
  fields: [field('name', 'text'), ...fields],
});
const columnsOf = async (table: string) =>
  (
    await sql<{ c: string }>`select column_name as c from information_schema.columns where table_schema = ${dataSchema} and table_name = ${table}`.execute(
      t.platform.db.kysely,
    )
  ).rows.map((r) => r.c);

describe('draft and publish', () => {
  it('a new workspace has no published version and nothing to publish', async () => {
    expect((await admin.get('/api/v1/meta/draft')).body).toEqual({ document: { objects: [], scripts: [] }, baseVersion: 0, hasDraft: false });
    expect((await admin.post('/api/v1/meta/publish')).body.error.code).toBe('NOTHING_TO_PUBLISH');
    expect((await admin.get('/api/v1/meta/versions')).body.items).toEqual([]);
  });

  it('edits go to a draft, shown as a diff, and publishing creates the table and version 1', async () => {
    const saved = await admin.request('PUT', '/api/v1/meta/draft', { body: { objects: [customer([field('tier', 'text')])] } });
    expect(saved.status).toBe(200);
    expect(saved.body.changes).toEqual([{ op: 'add_object', object: 'customer', field: null, changed: [] }]);
    expect((await admin.get('/api/v1/meta/changes')).body).toEqual(saved.body);
    expect(await columnsOf('customer')).toEqual([]);
    const published = await admin.post('/api/v1/meta/publish', { note: 'first objects' });
    expect(published.body).toMatchObject({ version: 1, note: 'first objects', changes: saved.body.changes });
    expect(await columnsOf('customer')).toEqual(expect.arrayContaining(['id', 'owner', 'version', 'name', 'tier']));
    expect((await admin.get('/api/v1/meta/draft')).body.hasDraft).toBe(false);
    expect((await member.get('/api/v1/meta/published')).body).toMatchObject({ version: 1, document: { objects: [{ name: 'customer' }] } });
  });

  it('a field left out of the draft is archived at publish, its column and data kept', async () => {
    await t.platform.db.kysely.withSchema(dataSchema).insertInto('customer').values({ id: randomUUID(), name: 'Acme', tier: 'gold' }).execute();
    const saved = await admin.request('PUT', '/api/v1/meta/draft', { body: { objects: [customer([field('city', 'text')])] } });
    expect(saved.body.changes).toEqual([
      { op: 'add_field', object: 'customer', field: 'city', changed: [] },
      { op: 'archive_field', object: 'customer', field: 'tier', changed: [] },
    ]);
    const v2 = await admin.post('/api/v1/meta/publish');
    expect(v2.body.version).toBe(2);
    expect(await columnsOf('customer')).toEqual(expect.arrayContaining(['tier', 'city']));
    const tier = (await member.get('/api/v1/meta/published')).body.document.objects[0].fields.find((f: { name: string }) => f.name === 'tier');
    expect(tier.archived).toBe(true);
  });

  it('restoring version 1 publishes its metadata again as a new version', async () => {
    const restored = await admin.post('/api/v1/meta/versions/1/restore');
    expect(restored.body.version).toBe(3);
    expect(restored.body.changes).toEqual(
      expect.arrayContaining([
        { op: 'restore_field', object: 'customer', field: 'tier', changed: [] },
        { op: 'archive_field', object: 'customer', field: 'city', changed: [] },
      ]),
    );
    expect((await admin.get('/api/v1/meta/versions')).body.items.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);
    expect((await admin.post('/api/v1/meta/versions/99/restore')).body.error.code).toBe('VERSION_NOT_FOUND');
  });

  it('a publish that fails half-way leaves metadata, tables and the draft as they were', async () => {
    await t.platform.db.kysely.withSchema(dataSchema).insertInto('customer').values({ id: randomUUID(), name: 'Acme' }).execute();
    const draft = { objects: [customer([field('tier', 'text'), field('city', 'text'), field('vat_no', 'text')])] };
    draft.objects[0]!.fields[0] = field('name', 'text', { unique: true });
    await admin.request('PUT', '/api/v1/meta/draft', { body: draft });
    const failed = await admin.post('/api/v1/meta/publish');
    expect(failed.status).toBe(409);
    expect(failed.body.error).toMatchObject({ code: 'UNIQUE_VIOLATED_BY_DATA', details: { values: ['Acme'] } });
    expect(await columnsOf('customer')).not.toContain('vat_no');
    expect((await admin.get('/api/v1/meta/versions')).body.items).toHaveLength(3);
    expect((await admin.get('/api/v1/meta/draft')).body.hasDraft).toBe(true);
    await admin.delete('/api/v1/meta/draft');
  });

  it('a draft started before another publish is refused rather than silently overwriting it', async () => {
    await admin.request('PUT', '/api/v1/meta/draft', { body: { objects: [customer([field('tier', 'text'), field('note', 'long_text')])] } });
    const exported = (await admin.get('/api/v1/meta/export')).body;
    exported.document.objects[0].description = 'changed elsewhere';
    expect((await admin.post('/api/v1/meta/import', { document: exported.document, dryRun: false })).body.version).toBe(4);
    expect((await admin.post('/api/v1/meta/publish')).body.error).toMatchObject({ code: 'DRAFT_OUTDATED' });
    await admin.delete('/api/v1/meta/draft');
  });

  it('concurrent publishes queue: one wins, the other finds nothing left to publish', async () => {
    await admin.request('PUT', '/api/v1/meta/draft', { body: { objects: [customer([field('tier', 'text'), field('score', 'integer')])] } });
    const results = await Promise.all([admin.post('/api/v1/meta/publish'), admin.post('/api/v1/meta/publish')]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(results.find((r) => r.status === 409)!.body.error.code).toBe('NOTHING_TO_PUBLISH');
  });

  it('a new object may look up another new object listed after it', async () => {
    const { document } = (await admin.get('/api/v1/meta/export')).body;
    const term = { name: 'term', label: label('Term'), pluralLabel: label('Terms'), recordName: 'name', fields: [field('name', 'text')] };
    const invoice = { name: 'invoice', label: label('Invoice'), pluralLabel: label('Invoices'), recordName: 'name', fields: [field('name', 'text'), field('term', 'lookup', { target: 'term' })] };
    await admin.request('PUT', '/api/v1/meta/draft', { body: { objects: [...document.objects, invoice, term] } });
    const published = await admin.post('/api/v1/meta/publish');
    expect(published.status, JSON.stringify(published.body)).toBe(200);
    const termId = (await admin.post('/api/v1/objects/term/records', { name: 'Net 30' })).body.id;
    expect((await admin.post('/api/v1/objects/invoice/records', { name: 'INV-1', term: termId })).status).toBe(201);
  });
});

describe('another process', () => {
  it.runIf(Boolean(process.env.DATABASE_URL))('sees a publish at once: NOTIFY drops its cached metadata', async () => {
    const other = await startPlatform({ config: t.config, target: testTarget(), seed: false });
    try {
      const otherCtx = systemCtx(other, other.workspaces.list()[0]!);
      const before = await publishedObjects(otherCtx);
      const draft = (await admin.get('/api/v1/meta/draft')).body.document;
      draft.objects.push({ ...customer(), name: 'supplier' });
      await admin.request('PUT', '/api/v1/meta/draft', { body: draft });
      await admin.post('/api/v1/meta/publish');
      const deadline = Date.now() + 2000;
      while (!(await publishedObjects(otherCtx)).objects.has('supplier')) {
        if (Date.now() > deadline) throw new Error('the other process still serves the old metadata');
        await new Promise((r) => setTimeout(r, 20));
      }
      expect((await publishedObjects(otherCtx)).version).toBe(before.version + 1);
    } finally {
      await other.stop();
    }
  });
});

describe('export and import', () => {
  it('export is the published document; an import dry run shows the diff and publishes nothing', async () => {
    const exported = (await admin.get('/api/v1/meta/export')).body;
    expect(exported.format).toBe('threadbase-meta/1');
    const version = exported.version as number;
    exported.document.objects.push({ ...customer(), name: 'contact', recordName: 'name' });
    const dry = await admin.post('/api/v1/meta/import', { document: exported.document });
    expect(dry.body).toEqual({ dryRun: true, version: null, changes: [{ op: 'add_object', object: 'contact', field: null, changed: [] }] });
    expect(await columnsOf('contact')).toEqual([]);
    const real = await admin.post('/api/v1/meta/import', { document: exported.document, dryRun: false });
    expect(real.body.version).toBe(version + 1);
    expect(await columnsOf('contact')).toContain('name');
  });
});

describe('bad metadata is refused when saved, and nothing runs', () => {
  it('names that are SQL, reserved words or system columns', async () => {
    const injected = await admin.request('PUT', '/api/v1/meta/draft', { body: { objects: [{ ...customer(), name: 'x"; drop table users; --' }] } });
    expect(injected.body.error.code).toBe('FAILED_VALIDATION');
    const reserved = await admin.request('PUT', '/api/v1/meta/draft', { body: { objects: [customer([field('select', 'text'), field('version', 'integer')])] } });
    expect(reserved.body.error.code).toBe('INVALID_METADATA');
    expect(reserved.body.error.details.problems).toEqual([
      { path: 'objects.0.fields.1.name', code: 'RESERVED_WORD' },
      { path: 'objects.0.fields.2.name', code: 'SYSTEM_COLUMN' },
    ]);
  });

  it('a type change that can never convert', async () => {
    const res = await admin.request('PUT', '/api/v1/meta/draft', { body: { objects: [customer([field('tier', 'boolean')])] } });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('TYPE_CHANGE_NOT_SUPPORTED');
    expect((await admin.get('/api/v1/meta/draft')).body.hasDraft).toBe(false);
  });

  it('layouts and list views must name fields that exist and sorts that can be sorted', async () => {
    const bad = customer([field('tier', 'text'), field('tags', 'multi_select', { options: [{ key: 'a', label: label('a'), color: '#3370ff' }] })]);
    const res = await admin.request('PUT', '/api/v1/meta/draft', {
      body: {
        objects: [
          {
            ...bad,
            layouts: [{ name: 'main', label: label('Main'), sections: [{ label: label('Basics'), fields: ['name', 'ghost'] }] }],
            listViews: [{ name: 'all', label: label('All'), columns: ['name', 'nope'], sort: '-tags,name' }],
          },
        ],
      },
    });
    expect(res.body.error.details.problems).toEqual([
      { path: 'objects.0.layouts.0.sections.0.fields.1', code: 'UNKNOWN_FIELD' },
      { path: 'objects.0.listViews.0.columns.1', code: 'UNKNOWN_FIELD' },
      { path: 'objects.0.listViews.0.sort', code: 'NOT_SORTABLE', message: 'tags' },
    ]);
  });

  it('a published list view gets an index matching its sort', async () => {
    const draft = (await admin.get('/api/v1/meta/draft')).body.document;
    draft.objects[0].listViews = [{ name: 'by_tier', label: label('By tier'), columns: ['name', 'tier'], sort: '-tier,name' }];
    draft.objects[0].layouts = [{ name: 'main', label: label('Main'), sections: [{ label: label('Basics'), columns: 1, fields: ['name', 'tier'] }] }];
    await admin.request('PUT', '/api/v1/meta/draft', { body: draft });
    expect((await admin.get('/api/v1/meta/changes')).body.changes).toEqual([{ op: 'change_object', object: 'customer', field: null, changed: ['layouts', 'listViews'] }]);
    expect((await admin.post('/api/v1/meta/publish')).status).toBe(200);
    const indexes = await sql<{ def: string }>`select indexdef as def from pg_indexes where schemaname = ${dataSchema} and tablename = 'customer' and indexname like 'sx_%'`.execute(t.platform.db.kysely);
    expect(indexes.rows.map((r) => r.def)).toEqual([expect.stringMatching(/\(tier DESC, name, id\)$/)]);
  });

  it('members may read the published metadata but not edit or publish it', async () => {
    expect((await member.request('PUT', '/api/v1/meta/draft', { body: { objects: [] } })).status).toBe(403);
    expect((await member.post('/api/v1/meta/publish')).status).toBe(403);
    expect((await member.get('/api/v1/meta/export')).status).toBe(403);
  });

  it('every publish is audited with who and when', async () => {
    const log = await t.platform.db.kysely
      .withSchema(t.platform.workspaces.list()[0]!.schemas.system)
      .selectFrom('audit_log')
      .select(['action', 'target_id', 'actor_login'])
      .where('action', 'like', 'meta.%')
      .orderBy('seq')
      .execute();
    const entries = log.map((e) => `${e.action} ${e.target_id} ${e.actor_login}`);
    expect(entries.slice(0, 5)).toEqual(['meta.publish 1 admin', 'meta.publish 2 admin', 'meta.restore 3 admin', 'meta.import 4 admin', 'meta.publish 5 admin']);
    expect(entries).toContainEqual(expect.stringMatching(/^meta\.import \d+ admin$/));
    expect(log.map((e) => Number(e.target_id))).toEqual(log.map((_, i) => i + 1));
  });
});

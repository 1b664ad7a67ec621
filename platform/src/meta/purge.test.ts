import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../audit/index.ts';
import { systemCtx, type Ctx } from '../core/context.ts';
import { loginAs, startTestPlatform, type ApiClient, type TestPlatform } from '../testing/index.ts';
import { field, label, objectDef } from '../testing/meta-builders.ts';
import { PurgeRefusedError, purgeArchived, type PurgeSelection } from './index.ts';

let t: TestPlatform;
let admin: ApiClient;
let ctx: Ctx;
let dataSchema: string;
const ids = { acme: randomUUID(), globex: randomUUID(), supplier: randomUUID(), deal: randomUUID() };

const customer = (...extra: Record<string, unknown>[]) => objectDef('customer', 'name', [field('name', 'text'), field('notes', 'text'), ...extra]);
const customerWithoutNotes = (extra: Record<string, unknown> = {}) => objectDef('customer', 'name', [field('name', 'text')], extra);
const supplier = objectDef('supplier', 'name', [field('name', 'text')]);
const deal = (...extra: Record<string, unknown>[]) => objectDef('deal', 'title', [field('title', 'text'), field('customer', 'lookup', { target: 'customer' }), ...extra]);
const tier = field('tier', 'text');
const budget = field('budget', 'currency', { precision: 14, scale: 2 });
const supplierLookup = field('supplier', 'lookup', { target: 'supplier' });

async function publish(objects: unknown[]): Promise<number> {
  expect((await admin.request('PUT', '/api/v1/meta/draft', { body: { objects } })).status).toBe(200);
  const published = await admin.post('/api/v1/meta/publish');
  expect(published.status, JSON.stringify(published.body)).toBe(200);
  return published.body.version;
}

const everything: PurgeSelection = { objects: [], fields: [] };
const purge = (selection: Partial<PurgeSelection> = {}) => purgeArchived(ctx, { ...everything, ...selection }, { dryRun: false });
const dryRun = (selection: Partial<PurgeSelection> = {}) => purgeArchived(ctx, { ...everything, ...selection }, { dryRun: true });

async function refusal(run: Promise<unknown>): Promise<string[]> {
  const error = await run.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(PurgeRefusedError);
  return (error as PurgeRefusedError).reasons;
}

const db = () => t.platform.db.kysely;
const columns = async (table: string) =>
  (await sql<{ c: string }>`select column_name as c from information_schema.columns where table_schema = ${dataSchema} and table_name = ${table}`.execute(db())).rows.map((r) => r.c);
const tableExists = async (table: string) => (await columns(table)).length > 0;
const versions = async () => (await admin.get('/api/v1/meta/versions')).body.items as { version: number; note: string | null; changes: unknown[]; publishedBy: string | null }[];
const publishedDocument = async () => (await admin.get('/api/v1/meta/published')).body.document as { objects: { name: string; fields: { name: string }[] }[] };

/** Everything a refused or dry-run purge must leave alone: versions, columns and tables. */
async function snapshot() {
  return { versions: (await versions()).length, customer: await columns('customer'), deal: await columns('deal'), supplier: await columns('supplier') };
}

beforeAll(async () => {
  t = await startTestPlatform({ env: { TB_DEMO: '0' } });
  admin = await loginAs(t.app);
  ctx = systemCtx(t.platform, t.platform.workspaces.list()[0]!);
  dataSchema = ctx.workspace.schemas.data;
  // Version 1 has everything live and some data; version 2 archives tier, budget and the supplier object.
  await publish([customer(tier, budget), supplier, deal(supplierLookup)]);
  const data = db().withSchema(dataSchema);
  await data.insertInto('customer').values([
    { id: ids.acme, name: 'Acme', notes: 'pays late', tier: 'gold', budget: '125000.50', budget__currency: 'CNY' },
    { id: ids.globex, name: 'Globex', notes: null },
  ]).execute();
  await data.insertInto('supplier').values({ id: ids.supplier, name: 'Initech' }).execute();
  await data.insertInto('deal').values({ id: ids.deal, title: 'Big one', customer: ids.acme, supplier: ids.supplier }).execute();
  await publish([customer(), deal(supplierLookup)]);
});
afterAll(() => t.close());

describe('what may be purged', () => {
  it('nothing while a live lookup still points at an archived object, and nothing changes', async () => {
    const before = await snapshot();
    for (const run of [() => purge(), () => dryRun(), () => purge({ objects: ['supplier'] })]) {
      expect(await refusal(run())).toEqual(['deal.supplier is a lookup to supplier.']);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('only what exists and is archived: every wrong name is listed, and nothing changes', async () => {
    const before = await snapshot();
    const reasons = await refusal(purge({ objects: ['deal', 'nowhere'], fields: ['customer.name', 'customer.ghost', 'ghost.tier', 'tier'] }));
    expect(reasons).toEqual([
      'Object deal is not archived.',
      'There is no object "nowhere".',
      'Field customer.name is not archived.',
      'Object customer has no field "ghost".',
      'There is no object "ghost".',
      '"tier" is not written as object.field.',
    ]);
    expect(await snapshot()).toEqual(before);
  });

  it('a live formula never references an archived field: validation refuses that draft when saved', async () => {
    const saved = await admin.request('PUT', '/api/v1/meta/draft', { body: { objects: [customer(field('shout', 'formula', { expression: 'UPPER(tier)', resultType: 'text' })), deal(supplierLookup)] } });
    expect(saved.body.error).toMatchObject({ code: 'INVALID_METADATA', details: { problems: [expect.objectContaining({ code: 'INVALID_FORMULA' })] } });
  });
});

describe('purging archived fields', () => {
  it('a dry run lists each field with the values it holds, and changes nothing', async () => {
    const before = await snapshot();
    const result = await dryRun({ fields: ['customer.tier', 'customer.budget'] });
    expect(result).toEqual({
      version: null,
      items: [
        { kind: 'field', object: 'customer', field: 'tier', rows: 2, values: 1 },
        { kind: 'field', object: 'customer', field: 'budget', rows: 2, values: 1 },
      ],
    });
    expect(await snapshot()).toEqual(before);
  });

  it('drops their columns (a currency\'s code too) and keeps every other value', async () => {
    const { version } = await purge({ fields: ['customer.tier', 'customer.budget'] });
    expect(version).toBe(3);
    expect(await columns('customer')).toEqual(expect.arrayContaining(['name', 'notes']));
    for (const gone of ['tier', 'budget', 'budget__currency']) expect(await columns('customer')).not.toContain(gone);
    const rows = await db().withSchema(dataSchema).selectFrom('customer').select(['id', 'name', 'notes']).orderBy('name').execute();
    expect(rows).toEqual([{ id: ids.acme, name: 'Acme', notes: 'pays late' }, { id: ids.globex, name: 'Globex', notes: null }]);
    const records = await admin.get('/api/v1/objects/customer/records?sort=name');
    expect(records.body.items.map((r: { name: string }) => r.name)).toEqual(['Acme', 'Globex']);
  });

  it('publishes the metadata without them as a new version, by the system, with an audit entry', async () => {
    expect((await versions())[0]).toMatchObject({ version: 3, note: 'purge of customer.tier, customer.budget', changes: [], publishedBy: null });
    const fields = (await publishedDocument()).objects.find((o) => o.name === 'customer')!.fields.map((f) => f.name);
    expect(fields).toEqual(['name', 'notes']);
    const entry = await ctx.db.selectFrom('audit_log').select(['action', 'target_type', 'target_id', 'actor_login', 'details']).where('action', '=', 'meta.purge').executeTakeFirstOrThrow();
    expect(entry).toMatchObject({ target_type: 'meta_version', target_id: '3', actor_login: 'system' });
    expect(entry.details).toEqual({ purged: [expect.objectContaining({ field: 'tier', values: 1 }), expect.objectContaining({ field: 'budget', values: 1 })] });
    expect((await verifyAudit(ctx)).ok).toBe(true);
  });

  it('a layout that still shows an archived field holds its purge back', async () => {
    const layout = { name: 'main', label: label('Main'), sections: [{ label: label('All'), fields: ['name', 'notes'] }] };
    await publish([customerWithoutNotes({ layouts: [layout] }), deal(supplierLookup)]);
    expect(await refusal(purge({ fields: ['customer.notes'] }))).toEqual(['Layout main of customer shows notes.']);
    expect(await columns('customer')).toContain('notes');
    await publish([customerWithoutNotes(), deal(supplierLookup)]);
  });
});

describe('purging an archived object', () => {
  it('needs an archived lookup into it to go along', async () => {
    await publish([customerWithoutNotes(), deal()]);
    expect(await refusal(purge({ objects: ['supplier'] }))).toEqual(['deal.supplier (archived: purge it too) is a lookup to supplier.']);
    expect((await dryRun()).items).toEqual([
      { kind: 'object', object: 'supplier', rows: 1 },
      { kind: 'field', object: 'customer', field: 'notes', rows: 2, values: 1 },
      { kind: 'field', object: 'deal', field: 'supplier', rows: 1, values: 1 },
    ]);
  });

  it('drops its table with the lookup column, leaving the other tables\' data', async () => {
    const { version } = await purge({ objects: ['supplier'], fields: ['deal.supplier'] });
    expect(await tableExists('supplier')).toBe(false);
    expect(await columns('deal')).not.toContain('supplier');
    expect(await db().withSchema(dataSchema).selectFrom('deal').select(['title', 'customer']).execute()).toEqual([{ title: 'Big one', customer: ids.acme }]);
    expect((await publishedDocument()).objects.map((o) => o.name)).toEqual(['customer', 'deal']);
    expect((await versions())[0]).toMatchObject({ version, note: 'purge of supplier, deal.supplier' });
    expect((await purge()).items.map((i) => i.kind === 'field' && i.field)).toEqual(['notes']);
    expect((await purge()).items).toEqual([]);
  });
});

describe('after a purge', () => {
  it('restoring a version that still had what was purged re-creates it empty', async () => {
    const restored = await admin.post('/api/v1/meta/versions/1/restore');
    expect(restored.status, JSON.stringify(restored.body)).toBe(200);
    expect(await columns('customer')).toEqual(expect.arrayContaining(['tier', 'budget', 'budget__currency', 'notes']));
    expect(await columns('supplier')).toEqual(expect.arrayContaining(['name']));
    const acme = await db().withSchema(dataSchema).selectFrom('customer').selectAll().where('id', '=', ids.acme).executeTakeFirstOrThrow();
    expect(acme).toMatchObject({ name: 'Acme', tier: null, budget: null, budget__currency: null, notes: null });
    expect(await db().withSchema(dataSchema).selectFrom('supplier').selectAll().execute()).toEqual([]);
  });

  it('a purge and a publish at the same moment queue behind one lock', async () => {
    await publish([customer(tier), supplier, deal(supplierLookup)]);
    const exported = (await admin.get('/api/v1/meta/export')).body;
    const before = exported.version as number;
    const document = { objects: [customer(tier, field('vat_no', 'text')), supplier, deal(supplierLookup)] };
    const [purged, imported] = await Promise.all([purge({ fields: ['customer.budget'] }), admin.post('/api/v1/meta/import', { document, dryRun: false })]);
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    expect([purged.version, imported.body.version].sort((a, b) => a! - b!)).toEqual([before + 1, before + 2]);
    expect(await columns('customer')).toContain('vat_no');
    expect(await columns('customer')).not.toContain('budget');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemCtx } from '../core/context.ts';
import { loginAs, startTestPlatform, type ApiClient, type TestPlatform } from '../testing/index.ts';
import { field, label, objectDef } from '../testing/meta-builders.ts';
import { purgeArchived } from './index.ts';

let t: TestPlatform;
let admin: ApiClient;
let member: ApiClient;

const objects = [
  objectDef('customer', 'name', [field('name', 'text')]),
  objectDef('deal', 'title', [field('title', 'text')]),
  objectDef('contract', 'title', [field('title', 'text')]),
];
const sales = { name: 'sales', label: { 'zh-CN': '销售', en: 'Sales' }, description: label('Deals and customers'), icon: 'briefcase', color: '#3370ff', objects: ['deal', 'customer'] };
const legal = { name: 'legal', label: label('Legal'), objects: ['contract', 'customer'] };

type Problem = { path: string; code: string };
const saveDraft = (document: unknown) => admin.request('PUT', '/api/v1/meta/draft', { body: document });
const problemsOf = (res: { body: { error: { details: { problems: Problem[] } } } }) => res.body.error.details.problems.map(({ path, code }) => ({ path, code }));
const publishedApps = async (client: ApiClient) => (await client.get('/api/v1/meta/published')).body.document.apps as { name: string; objects: string[] }[];
const appsByName = (apps: { name: string; objects: string[] }[]) => Object.fromEntries(apps.map((a) => [a.name, a.objects]));

beforeAll(async () => {
  t = await startTestPlatform({ env: { TB_DEMO: '0' } });
  admin = await loginAs(t.app);
  await admin.post('/api/v1/org/users', { login: 'clerk', displayName: 'Clerk', password: 'member-password-1' });
  member = await loginAs(t.app, 'clerk', 'member-password-1');
  await saveDraft({ objects });
  await admin.post('/api/v1/meta/publish');
  const roles = (await admin.get('/api/v1/access/roles')).body.items as { id: string; key: string }[];
  // Members read customers and deals only: contracts are not theirs to see.
  const permissions = ['customer', 'deal'].map((object) => ({ object, create: true, read: 'all', edit: 'own', delete: 'own' }));
  await admin.patch(`/api/v1/access/roles/${roles.find((r) => r.key === 'member')!.id}`, { permissions });
});
afterAll(() => t.close());

describe('apps in the metadata', () => {
  it('are added in the draft, shown as add_app, published and exported with their objects in order', async () => {
    const saved = await saveDraft({ objects, apps: [sales, legal] });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body.changes).toEqual([
      { op: 'add_app', object: null, field: null, app: 'sales', changed: [] },
      { op: 'add_app', object: null, field: null, app: 'legal', changed: [] },
    ]);
    expect((await admin.post('/api/v1/meta/publish')).status).toBe(200);
    const exported = (await admin.get('/api/v1/meta/export')).body;
    expect(exported.format).toBe('threadbase-meta/1');
    expect(exported.document.apps).toEqual([
      { ...sales, archived: false },
      { ...legal, icon: 'grid', archived: false },
    ]);
  });

  it('are published to each person with only the objects she may read; an app left with none is left out', async () => {
    expect(await publishedApps(admin)).toMatchObject([
      { name: 'sales', label: sales.label, icon: 'briefcase', color: '#3370ff', objects: ['deal', 'customer'] },
      { name: 'legal', objects: ['contract', 'customer'] },
    ]);
    expect(appsByName(await publishedApps(member))).toEqual({ sales: ['deal', 'customer'], legal: ['customer'] });
    await admin.patch(`/api/v1/access/roles/${(await admin.get('/api/v1/access/roles')).body.items.find((r: { key: string }) => r.key === 'member').id}`, {
      permissions: [{ object: 'deal', create: true, read: 'all', edit: 'own', delete: 'own' }],
    });
    expect(appsByName(await publishedApps(member))).toEqual({ sales: ['deal'] });
  });

  it('a changed app lists the settings that differ; one left out is archived, hidden, and comes back with a restore', async () => {
    const reordered = { ...sales, label: label('Sales team'), objects: ['customer', 'deal'] };
    const saved = await saveDraft({ objects, apps: [reordered] });
    expect(saved.body.changes).toEqual([
      { op: 'change_app', object: null, field: null, app: 'sales', changed: ['label', 'objects'] },
      { op: 'archive_app', object: null, field: null, app: 'legal', changed: [] },
    ]);
    const v2 = await admin.post('/api/v1/meta/publish');
    expect((await publishedApps(admin)).map((a) => a.name)).toEqual(['sales']);
    expect((await admin.get('/api/v1/meta/export')).body.document.apps[1]).toMatchObject({ name: 'legal', archived: true });
    const restored = await admin.post(`/api/v1/meta/versions/${v2.body.version - 1}/restore`);
    expect(restored.body.changes).toEqual(
      expect.arrayContaining([
        { op: 'restore_app', object: null, field: null, app: 'legal', changed: [] },
        { op: 'change_app', object: null, field: null, app: 'sales', changed: ['label', 'objects'] },
      ]),
    );
    expect((await publishedApps(admin)).map((a) => a.name)).toEqual(['sales', 'legal']);
  });

  it('an object archived later stays in its apps, hidden until it is restored', async () => {
    const saved = await saveDraft({ objects: objects.filter((o) => o.name !== 'contract'), apps: [sales, legal] });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body.changes).toEqual([{ op: 'archive_object', object: 'contract', field: null, changed: [] }]);
    await admin.post('/api/v1/meta/publish');
    expect(appsByName(await publishedApps(admin))).toEqual({ sales: ['deal', 'customer'], legal: ['customer'] });
    expect((await admin.get('/api/v1/meta/export')).body.document.apps[1].objects).toEqual(['contract', 'customer']);
    await saveDraft({ objects, apps: [sales, legal] });
    await admin.post('/api/v1/meta/publish');
    expect(appsByName(await publishedApps(admin))).toEqual({ sales: ['deal', 'customer'], legal: ['contract', 'customer'] });
  });

  it('an import dry run shows what it changes in apps and publishes nothing; an older document without apps is still valid', async () => {
    const before = (await admin.get('/api/v1/meta/versions')).body.items.length;
    const support = { name: 'support', label: label('Support'), objects: ['customer'] };
    const dry = await admin.post('/api/v1/meta/import', { document: { objects, apps: [sales, { ...legal, color: '#00b42a' }, support] } });
    expect(dry.body).toEqual({
      dryRun: true,
      version: null,
      changes: [
        { op: 'change_app', object: null, field: null, app: 'legal', changed: ['color'] },
        { op: 'add_app', object: null, field: null, app: 'support', changed: [] },
      ],
    });
    const older = await admin.post('/api/v1/meta/import', { document: { objects } });
    expect(older.status).toBe(200);
    expect(older.body.changes).toEqual([
      { op: 'archive_app', object: null, field: null, app: 'sales', changed: [] },
      { op: 'archive_app', object: null, field: null, app: 'legal', changed: [] },
    ]);
    expect((await admin.get('/api/v1/meta/versions')).body.items).toHaveLength(before);
  });
});

describe('apps that are refused', () => {
  it('unknown objects, an object listed twice and duplicate app names, each with its path, and nothing saved', async () => {
    await admin.delete('/api/v1/meta/draft');
    const res = await saveDraft({ objects, apps: [{ ...sales, objects: ['deal', 'nowhere', 'deal'] }, legal, { ...legal, label: label('Legal 2') }] });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_METADATA');
    expect(problemsOf(res)).toEqual([
      { path: 'apps.0.objects.1', code: 'UNKNOWN_OBJECT' },
      { path: 'apps.0.objects.2', code: 'DUPLICATE_NAME' },
      { path: 'apps.2.name', code: 'DUPLICATE_NAME' },
    ]);
    expect((await admin.get('/api/v1/meta/draft')).body.hasDraft).toBe(false);
  });

  it('an archived object cannot be put into an app, in a draft or by an import', async () => {
    await saveDraft({ objects: objects.filter((o) => o.name !== 'contract'), apps: [sales, legal] });
    await admin.post('/api/v1/meta/publish');
    const res = await saveDraft({ objects: objects.filter((o) => o.name !== 'contract'), apps: [{ ...sales, objects: ['deal', 'contract'] }, legal] });
    expect(res.status).toBe(400);
    expect(problemsOf(res)).toEqual([{ path: 'apps.0.objects.1', code: 'ARCHIVED_OBJECT' }]);
    const imported = await admin.post('/api/v1/meta/import', { document: { objects: objects.filter((o) => o.name !== 'contract'), apps: [{ name: 'archive', label: label('Archive'), objects: ['contract'] }] } });
    expect(problemsOf(imported)).toEqual([{ path: 'apps.0.objects.0', code: 'ARCHIVED_OBJECT' }]);
  });

  it('bad labels, names, colours and too many objects fail the contract with their paths', async () => {
    for (const [app, path] of [
      [{ ...sales, label: { 'zh-CN': '销售' } }, 'apps.0.label.en'],
      [{ ...sales, label: { 'zh-CN': '', en: 'Sales' } }, 'apps.0.label.zh-CN'],
      [{ ...sales, name: 'Sales App' }, 'apps.0.name'],
      [{ ...sales, color: 'blue' }, 'apps.0.color'],
      [{ ...sales, objects: Array.from({ length: 51 }, (_, i) => `o${i}`) }, 'apps.0.objects'],
    ] as const) {
      const res = await saveDraft({ objects, apps: [app] });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('FAILED_VALIDATION');
      expect(JSON.stringify(res.body.error.details)).toContain(path);
    }
  });
});

describe('purging an object an app lists', () => {
  it('takes it out of the app, which keeps its other objects', async () => {
    await saveDraft({ objects: objects.filter((o) => o.name !== 'contract'), apps: [sales, legal] });
    await admin.post('/api/v1/meta/publish');
    const ctx = systemCtx(t.platform, t.platform.workspaces.list()[0]!);
    const result = await purgeArchived(ctx, { objects: ['contract'], fields: [] }, { dryRun: false });
    expect(result.items).toEqual([{ kind: 'object', object: 'contract', rows: 0 }]);
    expect((await admin.get('/api/v1/meta/export')).body.document.apps.map((a: { objects: string[] }) => a.objects)).toEqual([
      ['deal', 'customer'],
      ['customer'],
    ]);
  });
});

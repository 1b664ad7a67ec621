import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, loginAs, startTestPlatform, type ApiClient, type TestPlatform } from '../testing/index.ts';
import { field, label, objectDef, option } from '../testing/meta-builders.ts';

let t: TestPlatform;
let admin: ApiClient;

const deal = objectDef('deal', 'title', [
  field('title', 'text', { required: true }),
  field('amount', 'integer'),
  field('stage', 'single_select', { options: [option('new'), option('won')] }),
  field('note', 'text'),
]);

export const script = (name: string, kind: string, source: string, extra: Record<string, unknown> = {}) => ({ name, label: label(name), kind, source, ...extra });

async function publish(scripts: unknown[]) {
  const saved = await admin.request('PUT', '/api/v1/meta/draft', { body: { objects: [deal], scripts } });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  const published = await admin.post('/api/v1/meta/publish');
  expect(published.status, JSON.stringify(published.body)).toBe(200);
}

beforeAll(async () => {
  t = await startTestPlatform({ env: { TB_DEMO: '0' } });
  admin = await loginAs(t.app);
});
afterAll(() => t.close());

describe('before_save scripts', () => {
  it('change fields before they are written, and refuse a save with their message', async () => {
    await publish([
      script(
        'check_deal',
        'before_save',
        `export default function () {
          if (ctx.object !== 'deal') return;
          if ((ctx.record.amount ?? 0) < 0) return { reject: 'Amount cannot be negative' };
          return { set: { note: 'checked ' + ctx.trigger.kind } };
        }`,
        { object: 'deal' },
      ),
    ]);
    const created = await admin.post('/api/v1/objects/deal/records', { title: 'A', amount: 5 });
    expect(created.status).toBe(201);
    expect(created.body.note).toBe('checked record.created');
    const refused = await admin.post('/api/v1/objects/deal/records', { title: 'B', amount: -1 });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'SCRIPT_REJECTED', message: 'Amount cannot be negative' });
    const list = await admin.get('/api/v1/objects/deal/records');
    expect(list.body.items.map((r: { title: string }) => r.title)).toEqual(['A']);
  });

  it('end a save with SCRIPT_BAD_RESULT when `reject` is anything but a message, and take `reject: null` for no refusal', async () => {
    await publish([
      script(
        'odd_reject',
        'before_save',
        `export default function () {
          const answers = { blank: '  ', no: false, object: { message: 'too big' }, code: 42 };
          return { reject: ctx.record.note in answers ? answers[ctx.record.note] : null };
        }`,
        { object: 'deal' },
      ),
    ]);
    for (const note of ['blank', 'no', 'object', 'code']) {
      const res = await admin.post('/api/v1/objects/deal/records', { title: `odd ${note}`, note });
      expect(res.status, note).toBe(422);
      expect(res.body.error, note).toMatchObject({ code: 'SCRIPT_FAILED', details: { script: 'odd_reject', code: 'SCRIPT_BAD_RESULT' } });
    }
    expect((await admin.post('/api/v1/objects/deal/records', { title: 'odd none', note: 'fine' })).status).toBe(201);
    const titles = (await admin.get('/api/v1/objects/deal/records')).body.items.map((r: { title: string }) => r.title);
    expect(titles.filter((title: string) => title.startsWith('odd'))).toEqual(['odd none']);
  });
});

describe('after_save scripts', () => {
  it('run in the save\'s transaction: they post in the record\'s thread, and their failure undoes the save', async () => {
    await publish([
      script(
        'announce',
        'after_save',
        `export default async function () {
          if (ctx.object !== 'deal') return;
          if (ctx.record.title === 'boom') throw new Error('no booms');
          await thread.post('Saved ' + ctx.record.title + ' by ' + ctx.user.login);
        }`,
        { object: 'deal', events: ['create'] },
      ),
    ]);
    const created = await admin.post('/api/v1/objects/deal/records', { title: 'Posted' });
    expect(created.status).toBe(201);
    const thread = await admin.get(`/api/v1/objects/deal/records/${created.body.id}/thread`);
    const messages = await admin.get(`/api/v1/threads/${thread.body.id}/messages`);
    expect(messages.body.items.map((m: { body: string }) => m.body)).toContain('Saved Posted by admin');
    const failed = await admin.post('/api/v1/objects/deal/records', { title: 'boom' });
    expect(failed.status).toBe(422);
    expect(failed.body.error).toMatchObject({ code: 'SCRIPT_FAILED', details: { script: 'announce', code: 'SCRIPT_ERROR' } });
    expect(failed.body.error.message).toContain('no booms');
    const titles = (await admin.get('/api/v1/objects/deal/records')).body.items.map((r: { title: string }) => r.title);
    expect(titles).not.toContain('boom');
    const runs = await admin.get('/api/v1/scripts/runs?script=announce&status=failed');
    expect(runs.body.items[0]).toMatchObject({ status: 'failed', error: { code: 'SCRIPT_ERROR' }, trigger: 'record.created', object: 'deal' });
  });

  it('stop a script whose writes run it again and again, and save nothing', async () => {
    await publish([
      script('bump', 'after_save', `export default async function () { if (ctx.object === 'deal') await records.update('deal', ctx.record.id, { amount: (ctx.record.amount ?? 0) + 1 }); }`, { object: 'deal', runAs: 'system' }),
    ]);
    const res = await admin.post('/api/v1/objects/deal/records', { title: 'Loop' });
    expect(res.status).toBe(422);
    expect(res.body.error.details.code).toBe('SCRIPT_LIMIT_DEPTH');
    expect((await admin.get('/api/v1/objects/deal/records')).body.items.map((r: { title: string }) => r.title)).not.toContain('Loop');
  });
});

describe('publishing scripts', () => {
  it('refuses a script that does not compile, with its line and column, and keeps the draft as it was', async () => {
    const res = await admin.request('PUT', '/api/v1/meta/draft', { body: { objects: [deal], scripts: [script('broken', 'after_save', 'export default function () {\n  return (;\n}', { object: 'deal' })] } });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('SCRIPT_INVALID');
    expect(res.body.error.details.diagnostics[0]).toMatchObject({ line: 2 });
  });
});

describe('scripts as metadata', () => {
  it('show their source changes as a diff, come back with a restored version, and stay out of sight of non-admins', async () => {
    const first = script('greet', 'button', `export default function () { return 'hello'; }`, { object: 'deal', button: { label: label('Greet') } });
    await publish([first]);
    const before = (await admin.get('/api/v1/meta/versions')).body.items[0].version;
    await admin.request('PUT', '/api/v1/meta/draft', { body: { objects: [deal], scripts: [{ ...first, source: `export default function () { return 'bye'; }` }] } });
    const changes = (await admin.get('/api/v1/meta/changes')).body.changes;
    expect(changes).toEqual([expect.objectContaining({ op: 'change_script', script: 'greet', object: 'deal', changed: ['source'] })]);
    expect(changes[0].sourceDiff).toContain("-export default function () { return 'hello'; }");
    expect(changes[0].sourceDiff).toContain("+export default function () { return 'bye'; }");
    await admin.post('/api/v1/meta/publish');
    await admin.request('PUT', '/api/v1/meta/draft', { body: { objects: [deal], scripts: [] } });
    const dropped = (await admin.get('/api/v1/meta/changes')).body.changes;
    expect(dropped).toEqual([expect.objectContaining({ op: 'archive_script', script: 'greet' })]);
    await admin.post('/api/v1/meta/publish');
    expect((await admin.get('/api/v1/objects/deal/actions')).body.items).toEqual([]);
    expect((await admin.post(`/api/v1/meta/versions/${before}/restore`, {})).status).toBe(200);
    expect((await admin.get('/api/v1/objects/deal/actions')).body.items).toEqual([{ name: 'greet', label: label('Greet'), confirm: null }]);
    const exported = (await admin.get('/api/v1/meta/export')).body.document.scripts;
    expect(exported.find((s: { name: string }) => s.name === 'greet').source).toContain('hello');
    await admin.post('/api/v1/org/users', { login: 'viewer', displayName: 'Viewer', password: 'member-password-1' });
    const viewer = await loginAs(t.app, 'viewer', 'member-password-1');
    expect((await viewer.get('/api/v1/meta/published')).body.document.scripts).toEqual([]);
    expect((await viewer.get('/api/v1/scripts')).status).toBe(403);
    expect((await apiClient(t.app).get('/api/v1/scripts')).status).toBe(401);
  });

  it('are flagged when a publish takes away what they use', async () => {
    const uses = script('use_note', 'after_save', `export default function () { if (ctx.object === 'deal') log(ctx.record.note?.length); }`, { object: 'deal' });
    await publish([uses]);
    expect((await admin.get('/api/v1/scripts')).body.items).toEqual([expect.objectContaining({ name: 'use_note', flagged: false })]);
    const withoutNote = { ...deal, fields: deal.fields.filter((f) => f.name !== 'note') };
    await admin.request('PUT', '/api/v1/meta/draft', { body: { objects: [withoutNote], scripts: [uses] } });
    expect((await admin.post('/api/v1/meta/publish')).status).toBe(200);
    const [flagged] = (await admin.get('/api/v1/scripts')).body.items;
    expect(flagged).toMatchObject({ name: 'use_note', flagged: true, typeCheck: { ok: false } });
    expect(flagged.typeCheck.diagnostics[0].message).toContain("'note'");
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemCtx } from '../core/context.ts';
import { accessWorld, DEALS, memberPermissions, ok, type AccessWorld } from './access-fixture.ts';
import { recordEventFor } from './events.ts';

/** Members may not see `margin`, nor `margin_pct`, the formula that reads it; managers may read both. */
let w: AccessWorld;
beforeAll(async () => {
  w = await accessWorld();
}, 120_000);
afterAll(() => w.t.close());

const q = (value: unknown) => encodeURIComponent(JSON.stringify(value));

describe('a hidden field', () => {
  it('is left out of reads, lists and expansions, with the formula that reads it', async () => {
    const record = ok(await w.as.ann.get(`${DEALS}/${w.deals.bob}`));
    expect(record).toMatchObject({ title: "bob's deal", amount: '1000.00' });
    expect(record).not.toHaveProperty('margin');
    expect(record).not.toHaveProperty('margin_pct');
    const page = ok(await w.as.ann.get(`${DEALS}?limit=200`));
    expect(page.items.every((r: object) => !('margin' in r) && !('margin_pct' in r))).toBe(true);
    expect(ok(await w.as.mia.get(`${DEALS}/${w.deals.bob}`))).toMatchObject({ margin: '250.00', margin_pct: '0.25' });
  });

  it('cannot be filtered, sorted, selected, expanded or aggregated by: 403 FIELD_HIDDEN, never a silent leak', async () => {
    for (const path of [
      `${DEALS}?filter=${q({ or: [{ field: 'title', op: 'eq', value: 'x' }, { not: { field: 'margin', op: 'gt', value: '100' } }] })}`,
      `${DEALS}?filter=${q({ field: 'margin_pct', op: 'gt', value: '0.1' })}`,
      `${DEALS}?sort=-margin`,
      `${DEALS}?fields=title,margin`,
      `/api/v1/objects/deal/aggregate?metrics=sum:margin`,
      `/api/v1/objects/deal/aggregate?groupBy=margin`,
      `/api/v1/objects/deal/aggregate?metrics=sum:amount&filter=${q({ field: 'margin', op: 'is_empty' })}`,
    ]) {
      const res = await w.as.ann.get(path);
      expect(res.status, path).toBe(403);
      expect(res.body.error.code).toBe('FIELD_HIDDEN');
    }
    const job = await w.as.ann.post(`${DEALS}/export`, { filter: JSON.stringify({ field: 'margin', op: 'gt', value: '1' }) });
    expect(job.status).toBe(403);
  });

  it('cannot be written, on create or on update (403 FIELD_NOT_WRITABLE), and nothing changes', async () => {
    const created = await w.as.ann.post(DEALS, { title: 'sneaky', margin: '999' });
    expect(created.status).toBe(403);
    expect(created.body.error).toMatchObject({ code: 'FIELD_NOT_WRITABLE', details: { fields: ['margin'] } });
    const res = await w.as.ann.patch(`${DEALS}/${w.deals.ann}`, { margin: '1', title: 'changed' });
    expect(res.status).toBe(403);
    expect(ok(await w.admin.get(`${DEALS}/${w.deals.ann}`))).toMatchObject({ margin: '250.00', title: "ann's deal" });
  });

  it('a read-only field can be read but not written', async () => {
    const patched = await w.as.mia.patch(`${DEALS}/${w.deals.ann}`, { margin: '1' });
    expect(patched.status).toBe(403);
    expect(patched.body.error.code).toBe('FIELD_NOT_WRITABLE');
  });

  it('is left out of the history the user reads', async () => {
    const history = ok(await w.as.ann.get(`${DEALS}/${w.deals.ann}/history`)).items as { field: string }[];
    expect(history.map((h) => h.field)).toContain('title');
    expect(history.map((h) => h.field)).not.toContain('margin');
    expect((ok(await w.as.mia.get(`${DEALS}/${w.deals.ann}/history`)).items as { field: string }[]).map((h) => h.field)).toContain('margin');
  });

  it('is left out of the record events delivered to the user, and events of records she cannot read are not delivered', async () => {
    const ctx = systemCtx(w.t.platform, w.t.platform.workspaces.list()[0]!);
    const event = { object: 'deal', id: w.deals.bob, version: 2, changed: ['margin', 'title', 'margin_pct'] };
    expect(await recordEventFor(ctx, { id: w.users.ann, isAdmin: false }, 'record.updated', event)).toEqual({ ...event, changed: ['title'] });
    expect(await recordEventFor(ctx, { id: w.users.mia, isAdmin: false }, 'record.updated', event)).toEqual(event);
    expect(await recordEventFor(ctx, { id: w.users.ann, isAdmin: false }, 'record.updated', { ...event, id: w.deals.carl })).toBeNull();
    expect(await recordEventFor(ctx, { id: w.users.carl, isAdmin: false }, 'record.updated', event)).toBeNull();
  });

  it('tells screens which fields the user may see and change', async () => {
    expect(ok(await w.as.ann.get('/api/v1/objects/deal/access'))).toMatchObject({
      create: true,
      read: 'department',
      edit: 'own',
      fields: { title: 'edit', margin: 'hidden', margin_pct: 'hidden', amount: 'edit' },
    });
    expect(ok(await w.as.mia.get('/api/v1/objects/deal/access'))).toMatchObject({ read: 'department_tree', fields: { margin: 'read', margin_pct: 'read' } });
  });
});

describe('changes take effect at once for open sessions', () => {
  it('a permission revoked while the session is open', async () => {
    expect((await w.as.ann.get(`${DEALS}/${w.deals.bob}`)).status).toBe(200);
    ok(await w.admin.patch(`/api/v1/access/roles/${w.roles.member}`, { permissions: memberPermissions('own') }));
    expect((await w.as.ann.get(`${DEALS}/${w.deals.bob}`)).status).toBe(404);
    const page = ok(await w.as.ann.get(`${DEALS}?limit=200&count=true`));
    expect(page.items.every((r: { owner: string }) => r.owner === w.users.ann)).toBe(true);
    expect(page.total).toBe(page.items.length);
    ok(await w.admin.patch(`/api/v1/access/roles/${w.roles.member}`, { permissions: memberPermissions() }));
    expect((await w.as.ann.get(`${DEALS}/${w.deals.bob}`)).status).toBe(200);
  });

  it('a role taken away while the session is open', async () => {
    expect((await w.as.mia.get(`${DEALS}/${w.deals.dan}`)).status).toBe(200);
    ok(await w.admin.request('PUT', `/api/v1/access/roles/${w.roles.manager}/members`, { body: { userIds: [] } }));
    expect((await w.as.mia.get(`${DEALS}/${w.deals.dan}`)).status).toBe(404);
    ok(await w.admin.request('PUT', `/api/v1/access/roles/${w.roles.manager}/members`, { body: { userIds: [w.users.mia] } }));
    expect((await w.as.mia.get(`${DEALS}/${w.deals.dan}`)).status).toBe(200);
  });

  it('a department moved: the scope follows', async () => {
    expect((await w.as.mia.get(`${DEALS}/${w.deals.carl}`)).status).toBe(404);
    ok(await w.admin.patch(`/api/v1/org/departments/${w.departments.west}`, { parentId: w.departments.east }));
    expect((await w.as.mia.get(`${DEALS}/${w.deals.carl}`)).status).toBe(200);
    expect((await w.as.ann.get(`${DEALS}/${w.deals.carl}`)).status).toBe(404);
    ok(await w.admin.patch(`/api/v1/org/departments/${w.departments.west}`, { parentId: null }));
    expect((await w.as.mia.get(`${DEALS}/${w.deals.carl}`)).status).toBe(404);
  });

  it('a person moved to another department: her records go with her', async () => {
    expect((await w.as.ann.get(`${DEALS}/${w.deals.dan}`)).status).toBe(404);
    ok(await w.admin.patch(`/api/v1/org/users/${w.users.dan}`, { mainDepartmentId: w.departments.east }));
    expect((await w.as.ann.get(`${DEALS}/${w.deals.dan}`)).status).toBe(200);
    ok(await w.admin.patch(`/api/v1/org/users/${w.users.dan}`, { mainDepartmentId: w.departments.eastNorth }));
    expect((await w.as.ann.get(`${DEALS}/${w.deals.dan}`)).status).toBe(404);
  });
});

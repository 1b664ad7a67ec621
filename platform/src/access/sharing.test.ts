import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemCtx } from '../core/context.ts';
import { accessWorld, DEALS, ok, type AccessWorld } from './access-fixture.ts';
import { asSystem, asUser } from './elevate.ts';
import { getRecord } from '../records/service.ts';

let w: AccessWorld;
beforeAll(async () => {
  w = await accessWorld();
}, 120_000);
afterAll(() => w.t.close());

const shares = (id: string) => `${DEALS}/${id}/shares`;
const explain = (id: string, user: string) => `${DEALS}/${id}/access?user=${user}`;

describe('sharing one record', () => {
  let shareId: string;

  it('the owner shares it with a person in another department for reading', async () => {
    expect((await w.as.carl.get(`${DEALS}/${w.deals.ann}`)).status).toBe(404);
    shareId = ok(await w.as.ann.post(shares(w.deals.ann), { grantee: { kind: 'user', id: w.users.carl } }), 201).id;
    expect(ok(await w.as.carl.get(`${DEALS}/${w.deals.ann}`))).not.toHaveProperty('margin');
    const patched = await w.as.carl.patch(`${DEALS}/${w.deals.ann}`, { region: 'west' });
    expect(patched.status).toBe(403);
    expect(patched.body.error.code).toBe('RECORD_ACCESS_DENIED');
  });

  it('sharing again for editing changes the access of the same share', async () => {
    const again = ok(await w.as.ann.post(shares(w.deals.ann), { grantee: { kind: 'user', id: w.users.carl }, access: 'edit' }), 201);
    expect(again.id).toBe(shareId);
    expect(ok(await w.as.carl.patch(`${DEALS}/${w.deals.ann}`, { region: 'west' })).region).toBe('west');
    expect((await w.as.carl.delete(`${DEALS}/${w.deals.ann}`)).status).toBe(403);
    expect(ok(await w.as.ann.get(shares(w.deals.ann))).items).toEqual([expect.objectContaining({ id: shareId, access: 'edit', grantee: { kind: 'user', id: w.users.carl } })]);
  });

  it('only the owner (or "modify all") may share: a reader gets 403, someone who cannot see it 404', async () => {
    expect((await w.as.bob.post(shares(w.deals.ann), { grantee: { kind: 'user', id: w.users.bob } })).status).toBe(403);
    expect((await w.as.carl.post(shares(w.deals.bob), { grantee: { kind: 'user', id: w.users.carl } })).status).toBe(404);
    const bad = await w.as.ann.post(shares(w.deals.ann), { grantee: { kind: 'department', id: '0190aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee' } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('GRANTEE_NOT_FOUND');
  });

  it('a share with a department reaches the departments below it', async () => {
    expect((await w.as.dan.get(`${DEALS}/${w.deals.carl}`)).status).toBe(404);
    const share = ok(await w.as.carl.post(shares(w.deals.carl), { grantee: { kind: 'department', id: w.departments.east } }), 201);
    expect((await w.as.dan.get(`${DEALS}/${w.deals.carl}`)).status).toBe(200);
    expect((await w.as.ann.get(`${DEALS}/${w.deals.carl}`)).status).toBe(200);
    expect((await w.as.carl.delete(`${shares(w.deals.carl)}/${share.id}`)).status).toBe(204);
    expect((await w.as.dan.get(`${DEALS}/${w.deals.carl}`)).status).toBe(404);
  });

  it('unsharing ends the access at once', async () => {
    expect((await w.as.ann.delete(`${shares(w.deals.ann)}/${shareId}`)).status).toBe(204);
    expect((await w.as.carl.get(`${DEALS}/${w.deals.ann}`)).status).toBe(404);
    expect((await w.as.ann.delete(`${shares(w.deals.ann)}/${shareId}`)).status).toBe(404);
  });
});

describe('sharing rules', () => {
  it('"deals in region east are shared with the West department" applies to matching records only, as they change', async () => {
    const rule = ok(
      await w.admin.post('/api/v1/access/sharing-rules', { object: 'deal', name: 'East deals for West', filter: { field: 'region', op: 'eq', value: 'east' }, grantee: { kind: 'department', id: w.departments.west } }),
      201,
    );
    expect((await w.as.carl.get(`${DEALS}/${w.deals.bob}`)).status).toBe(404);
    ok(await w.as.bob.patch(`${DEALS}/${w.deals.bob}`, { region: 'east' }));
    expect((await w.as.carl.get(`${DEALS}/${w.deals.bob}`)).status).toBe(200);
    expect((await w.as.carl.patch(`${DEALS}/${w.deals.bob}`, { region: 'x' })).status).toBe(403);
    const listed = ok(await w.as.carl.get(`${DEALS}?limit=200&count=true`));
    expect(listed.items.map((r: { id: string }) => r.id).sort()).toEqual([w.deals.bob, w.deals.carl].sort());
    expect(listed.total).toBe(2);
    expect((await w.admin.delete(`/api/v1/access/sharing-rules/${rule.id}`)).status).toBe(204);
    expect((await w.as.carl.get(`${DEALS}/${w.deals.bob}`)).status).toBe(404);
  });
});

describe('the manager chain', () => {
  it('a manager reads what her reports own, as configured per object', async () => {
    expect((await w.as.ann.get(`${DEALS}/${w.deals.carl}`)).status).toBe(404);
    ok(await w.admin.patch(`/api/v1/org/users/${w.users.carl}`, { managerId: w.users.ann }));
    expect((await w.as.ann.get(`${DEALS}/${w.deals.carl}`)).status).toBe(200);
    expect((await w.as.ann.patch(`${DEALS}/${w.deals.carl}`, { region: 'x' })).status).toBe(403);
    ok(await w.admin.request('PUT', '/api/v1/access/objects/deal', { body: { managerAccess: 'none' } }));
    expect((await w.as.ann.get(`${DEALS}/${w.deals.carl}`)).status).toBe(404);
    ok(await w.admin.request('PUT', '/api/v1/access/objects/deal', { body: { managerAccess: 'read' } }));
    ok(await w.admin.patch(`/api/v1/org/users/${w.users.carl}`, { managerId: null }));
    expect((await w.as.ann.get(`${DEALS}/${w.deals.carl}`)).status).toBe(404);
  });

  it('the manager of a department reads what people in it and below it own', async () => {
    expect((await w.as.carl.get(`${DEALS}/${w.deals.dan}`)).status).toBe(404);
    ok(await w.admin.patch(`/api/v1/org/departments/${w.departments.east}`, { managerId: w.users.carl }));
    expect((await w.as.carl.get(`${DEALS}/${w.deals.dan}`)).status).toBe(200);
    ok(await w.admin.patch(`/api/v1/org/departments/${w.departments.east}`, { managerId: null }));
    expect((await w.as.carl.get(`${DEALS}/${w.deals.dan}`)).status).toBe(404);
  });
});

describe('ownership transfer', () => {
  it('the owner gives her record to a colleague; then it is no longer hers to change', async () => {
    const id = ok(await w.as.ann.post(DEALS, { title: 'handover', amount: '3' }), 201).id;
    expect(ok(await w.as.ann.patch(`${DEALS}/${id}`, { owner: w.users.bob })).owner).toBe(w.users.bob);
    expect((await w.as.ann.patch(`${DEALS}/${id}`, { region: 'x' })).status).toBe(403);
    expect(ok(await w.as.bob.patch(`${DEALS}/${id}`, { region: 'mine now' })).region).toBe('mine now');
  });

  it('someone allowed to edit but not owning it may not give it away', async () => {
    const res = await w.as.mia.patch(`${DEALS}/${w.deals.ann}`, { owner: w.users.mia });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('OWNER_CHANGE_FORBIDDEN');
  });
});

describe('explaining access', () => {
  it('names the role and scope that let a user read a record', async () => {
    const why = ok(await w.admin.get(explain(w.deals.dan, w.users.mia)));
    expect(why).toMatchObject({ read: true, edit: true, delete: false, recordExists: true });
    expect(why.roles.map((r: { key: string }) => r.key)).toEqual(['member', 'sales_manager']);
    expect(why.reasons).toContainEqual(expect.objectContaining({ kind: 'role_scope', role: { id: w.roles.manager, key: 'sales_manager' }, scope: 'department_tree', grants: ['read', 'edit'] }));
    expect(why.fields).toMatchObject({ margin: 'read', title: 'edit' });
  });

  it('names the share that does, and says so when nothing does', async () => {
    expect(ok(await w.admin.get(explain(w.deals.carl, w.users.ann)))).toMatchObject({ read: false, edit: false, delete: false, reasons: [] });
    const share = ok(await w.as.carl.post(shares(w.deals.carl), { grantee: { kind: 'role', id: w.roles.manager } }), 201);
    const why = ok(await w.admin.get(explain(w.deals.carl, w.users.mia)));
    expect(why).toMatchObject({ read: true, edit: false });
    expect(why.reasons).toEqual([expect.objectContaining({ kind: 'share', shareId: share.id, grants: ['read'] })]);
    expect((await w.as.mia.get(`${DEALS}/${w.deals.carl}`)).status).toBe(200);
  });

  it('is for administrators only; an unknown user is 404', async () => {
    expect((await w.as.mia.get(explain(w.deals.ann, w.users.ann))).status).toBe(403);
    expect((await w.admin.get(explain(w.deals.ann, '0190aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee'))).body.error.code).toBe('USER_NOT_FOUND');
    expect(ok(await w.admin.get(explain(w.deals.ann, w.users.admin)))).toMatchObject({ read: true, reasons: [expect.objectContaining({ kind: 'admin' })] });
  });
});

describe('acting for someone', () => {
  it('a flow acting as a user gets her access, no more', async () => {
    const ctx = await asUser(systemCtx(w.t.platform, w.t.platform.workspaces.list()[0]!), w.users.ann);
    await expect(getRecord(ctx, 'deal', w.deals.carl)).rejects.toMatchObject({ code: 'RECORD_NOT_FOUND' });
    expect(await getRecord(ctx, 'deal', w.deals.bob)).not.toHaveProperty('margin');
  });

  it('elevating to the system is explicit and audited', async () => {
    const annCtx = await asUser(systemCtx(w.t.platform, w.t.platform.workspaces.list()[0]!), w.users.ann);
    const system = await asSystem(annCtx, 'approval flow step writes the margin');
    expect(await getRecord(system, 'deal', w.deals.carl)).toHaveProperty('margin', '250.00');
    const audit = await system.db.selectFrom('audit_log').selectAll().where('action', '=', 'access.elevate').orderBy('seq').execute();
    expect(audit.at(-1)).toMatchObject({ actor_id: w.users.ann });
    expect(audit.at(-1)!.details).toMatchObject({ reason: 'approval flow step writes the margin', from: 'ann' });
  });
});

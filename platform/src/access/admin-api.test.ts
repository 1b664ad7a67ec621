import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../contracts/index.ts';
import { systemCtx, type Ctx } from '../core/context.ts';
import { apiClient, loginAs, startTestPlatform, type ApiClient, type ApiResponse, type TestPlatform } from '../testing/index.ts';
import { field as f, objectDef as object, option } from '../testing/meta-builders.ts';
import { accessModel } from './model.ts';

let t: TestPlatform;
let ctx: Ctx;
let admin: ApiClient;
let member: ApiClient;
let adminId: string;
let sellerId: string;
let helperId: string;
let departmentId: string;

const roles = '/api/v1/access/roles';
const rules = '/api/v1/access/sharing-rules';
const dealSettings = '/api/v1/access/objects/deal';
const missingId = '00000000-0000-4000-8000-000000000000';

const deal = (fields: Record<string, unknown>[]) =>
  object('deal', 'title', [
    f('title', 'text'),
    f('amount', 'integer'),
    f('stage', 'single_select', { options: [option('new'), option('won')] }),
    f('assignee', 'user'),
    f('team', 'department'),
    ...fields,
  ]);

async function publish(fields: Record<string, unknown>[]) {
  expect((await admin.request('PUT', '/api/v1/meta/draft', { body: { objects: [deal(fields)] } })).status).toBe(200);
  expect((await admin.post('/api/v1/meta/publish')).status).toBe(200);
}

beforeAll(async () => {
  t = await startTestPlatform({ env: { TB_DEMO: '0' } });
  ctx = systemCtx(t.platform, t.platform.workspaces.list()[0]!);
  admin = await loginAs(t.app);
  adminId = (await admin.get('/api/v1/org/users?q=admin')).body.items[0].id;
  sellerId = (await admin.post('/api/v1/org/users', { login: 'seller', displayName: 'Seller', password: 'member-password-1' })).body.id;
  helperId = (await admin.post('/api/v1/org/users', { login: 'helper', displayName: 'Helper' })).body.id;
  departmentId = (await admin.post('/api/v1/org/departments', { name: 'Sales' })).body.id;
  member = await loginAs(t.app, 'seller', 'member-password-1');
  // Published, then left out: "legacy" lives on as an archived field.
  await publish([f('legacy', 'text')]);
  await publish([]);
});
afterAll(() => t.close());

/** Every access table and the audit log's length: a refused request must leave all of them as they were. */
async function accessState() {
  const all = async (table: 'roles' | 'role_permissions' | 'user_roles' | 'object_access' | 'sharing_rules', ...order: string[]) =>
    (await ctx.db.selectFrom(table).selectAll().orderBy(sql.join(order.map((c) => sql.ref(c)))).execute()) as unknown[];
  const audit = await ctx.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return {
    roles: await all('roles', 'id'),
    permissions: await all('role_permissions', 'role_id', 'object'),
    members: await all('user_roles', 'role_id', 'user_id'),
    settings: await all('object_access', 'object'),
    rules: await all('sharing_rules', 'id'),
    audit: Number(audit.n),
  };
}

async function refused(request: () => Promise<ApiResponse>, status: number, code: string) {
  const before = await accessState();
  const res = await request();
  expect(res.status).toBe(status);
  expect(res.body.error.code).toBe(code);
  expect(await accessState()).toEqual(before);
  return res.body.error as { code: string; message: string; details: Record<string, any> };
}

const lastAudit = async (action: string) =>
  ctx.db.selectFrom('audit_log').select(['action', 'actor_login', 'target_type', 'target_id', 'details']).where('action', '=', action).orderBy('seq', 'desc').executeTakeFirstOrThrow();

/** The cached model, read before a change so that seeing the change afterwards proves the cache was dropped. */
const model = () => accessModel(ctx);
const builtin = async (key: string) => ((await admin.get(roles)).body.items as Role[]).find((r) => r.key === key)!;

const wonDeals = { field: 'stage', op: 'eq', value: 'won' };

describe('who may administer access', () => {
  const everyEndpoint: [string, string, unknown?][] = [
    ['GET', roles],
    ['POST', roles, { key: 'sneaky', label: { 'zh-CN': 'x', en: 'x' } }],
    ['GET', `${roles}/${missingId}`],
    ['PATCH', `${roles}/${missingId}`, { description: 'x' }],
    ['DELETE', `${roles}/${missingId}`],
    ['GET', `${roles}/${missingId}/members`],
    ['PUT', `${roles}/${missingId}/members`, { userIds: [] }],
    ['GET', dealSettings],
    ['PUT', dealSettings, { managerAccess: 'edit' }],
    ['GET', rules],
    ['POST', rules, { object: 'deal', name: 'x', filter: wonDeals, grantee: { kind: 'user', id: missingId } }],
    ['PATCH', `${rules}/${missingId}`, { name: 'x' }],
    ['DELETE', `${rules}/${missingId}`],
  ];

  it('every endpoint answers 403 to a user who is not an administrator, and changes nothing', async () => {
    for (const [method, path, body] of everyEndpoint) await refused(() => member.request(method, path, { body }), 403, 'FORBIDDEN');
  });

  it('every endpoint answers 401 to someone not logged in', async () => {
    const anonymous = apiClient(t.app);
    for (const [method, path, body] of everyEndpoint) expect((await anonymous.request(method, path, { body })).status).toBe(401);
  });
});

describe('roles', () => {
  let roleId: string;

  it('a new workspace has the built-in "admin" and "member" roles, counted from the directory', async () => {
    const list = (await admin.get(roles)).body.items as Role[];
    expect(list.map((r) => r.key)).toEqual(['admin', 'member']);
    expect(list[0]).toMatchObject({ builtin: true, memberCount: 1, permissions: [] });
    expect(list[1]).toMatchObject({
      builtin: true,
      memberCount: 3,
      permissions: [{ object: '*', create: true, read: 'all', edit: 'own', delete: 'own', viewAll: false, modifyAll: false, fields: {} }],
    });
  });

  it('creates a role, fills permission defaults, audits it and takes effect at once', async () => {
    await model();
    const res = await admin.post(roles, {
      key: 'sales',
      label: { 'zh-CN': '销售', en: 'Sales' },
      permissions: [{ object: 'deal', read: 'department', edit: 'own', fields: { amount: 'read' } }],
    });
    expect(res.status).toBe(201);
    roleId = res.body.id;
    expect(res.body).toMatchObject({
      key: 'sales',
      description: '',
      builtin: false,
      memberCount: 0,
      permissions: [{ object: 'deal', create: false, read: 'department', edit: 'own', delete: 'none', viewAll: false, modifyAll: false, fields: { amount: 'read' } }],
    });
    expect((await admin.get(`${roles}/${roleId}`)).body).toEqual(res.body);
    expect(await lastAudit('access.role.create')).toMatchObject({ actor_login: 'admin', target_type: 'role', target_id: roleId, details: { key: 'sales', permissions: res.body.permissions } });
    expect((await model()).permissions.get(roleId)?.get('deal')).toMatchObject({ read: 'department', edit: 'own', fields: { amount: 'read' } });
  });

  it('an unknown role is a 404, a malformed id a 400', async () => {
    expect((await admin.get(`${roles}/${missingId}`)).body.error.code).toBe('ROLE_NOT_FOUND');
    await refused(() => admin.patch(`${roles}/${missingId}`, { description: 'x' }), 404, 'ROLE_NOT_FOUND');
    await refused(() => admin.delete(`${roles}/${missingId}`), 404, 'ROLE_NOT_FOUND');
    expect((await admin.get(`${roles}/not-a-uuid`)).body.error.code).toBe('FAILED_VALIDATION');
  });

  it('refuses a key another role has, naming the key', async () => {
    const error = await refused(() => admin.post(roles, { key: 'sales', label: { 'zh-CN': '另一个', en: 'Other' } }), 409, 'ROLE_KEY_TAKEN');
    expect(error.message).toContain('sales');
    await refused(() => admin.post(roles, { key: 'member', label: { 'zh-CN': '成员', en: 'Member' } }), 409, 'ROLE_KEY_TAKEN');
  });

  it('refuses permissions for unknown objects, unknown fields, fields under "*", and an object listed twice', async () => {
    const create = (permissions: unknown[]) => () => admin.post(roles, { key: 'broken', label: { 'zh-CN': 'x', en: 'x' }, permissions });
    const unknownObject = await refused(create([{ object: 'invoice', read: 'all' }]), 404, 'OBJECT_NOT_FOUND');
    expect(unknownObject.message).toContain('invoice');
    expect((await refused(create([{ object: 'deal', fields: { colour: 'hidden' } }]), 400, 'UNKNOWN_FIELD')).details.fields).toEqual(['colour']);
    expect((await refused(create([{ object: '*', fields: { title: 'read' } }]), 400, 'UNKNOWN_FIELD')).details.fields).toEqual(['title']);
    const twice = await refused(create([{ object: 'deal' }, { object: '*' }, { object: 'deal', read: 'all' }]), 400, 'FAILED_VALIDATION');
    expect(twice.details.issues).toEqual([expect.objectContaining({ path: 'body.permissions.2.object', code: 'duplicate' })]);
    await refused(create([{ object: 'deal', read: 'everything' }]), 400, 'FAILED_VALIDATION');
    await refused(() => admin.patch(`${roles}/${roleId}`, { permissions: [{ object: 'deal', fields: { colour: 'read' } }] }), 400, 'UNKNOWN_FIELD');
  });

  it('PATCH replaces the whole permission list, audits old and new, and takes effect at once', async () => {
    await model();
    const res = await admin.patch(`${roles}/${roleId}`, { permissions: [{ object: '*', read: 'own' }] });
    expect(res.status).toBe(200);
    expect(res.body.permissions).toEqual([{ object: '*', create: false, read: 'own', edit: 'none', delete: 'none', viewAll: false, modifyAll: false, fields: {} }]);
    const audit = await lastAudit('access.role.update');
    expect(audit.details).toMatchObject({ key: 'sales', from: { permissions: [{ object: 'deal', read: 'department' }] }, to: { permissions: [{ object: '*', read: 'own' }] } });
    const permissions = (await model()).permissions.get(roleId)!;
    expect([...permissions.keys()]).toEqual(['*']);
  });

  it('PATCH without permissions keeps them and changes only what it names', async () => {
    const res = await admin.patch(`${roles}/${roleId}`, { label: { 'zh-CN': '销售团队', en: 'Sales team' }, description: 'Field sales' });
    expect(res.body).toMatchObject({ label: { en: 'Sales team' }, description: 'Field sales', permissions: [{ object: '*', read: 'own' }] });
    expect((await lastAudit('access.role.update')).details).toEqual({ key: 'sales', from: { label: { 'zh-CN': '销售', en: 'Sales' }, description: '' }, to: { label: { 'zh-CN': '销售团队', en: 'Sales team' }, description: 'Field sales' } });
  });

  it('keeps field levels of archived fields, so a role read back and saved again is accepted', async () => {
    const res = await admin.post(roles, { key: 'keeps_archived', label: { 'zh-CN': '归档', en: 'Archived' }, permissions: [{ object: 'deal', read: 'all', fields: { legacy: 'hidden' } }] });
    expect(res.status).toBe(201);
    expect((await admin.patch(`${roles}/${res.body.id}`, { permissions: res.body.permissions })).status).toBe(200);
    expect((await admin.delete(`${roles}/${res.body.id}`)).status).toBe(204);
  });

  it('the built-in "member" role\'s permissions can be edited; the "admin" role\'s cannot, as admins have every right', async () => {
    const memberRole = await builtin('member');
    await model();
    const edited = await admin.patch(`${roles}/${memberRole.id}`, { permissions: [{ object: '*', create: true, read: 'all', edit: 'own', delete: 'none' }] });
    expect(edited.status).toBe(200);
    expect((await model()).permissions.get(memberRole.id)?.get('*')?.delete).toBe('none');
    const adminRole = await builtin('admin');
    const error = await refused(() => admin.patch(`${roles}/${adminRole.id}`, { permissions: [{ object: '*', read: 'own' }] }), 409, 'ROLE_BUILTIN');
    expect(error.details.reason).toContain('every right');
    expect(error.message).toContain(error.details.reason);
  });

  it('built-in roles cannot be deleted', async () => {
    for (const key of ['admin', 'member']) {
      const error = await refused(async () => admin.delete(`${roles}/${(await builtin(key)).id}`), 409, 'ROLE_BUILTIN');
      expect(error.details.reason).toBe(`"${key}" is built in`);
    }
  });
});

describe('role members', () => {
  let roleId: string;
  const members = () => `${roles}/${roleId}/members`;
  const logins = (res: ApiResponse) => (res.body.items as { login: string }[]).map((m) => m.login);

  beforeAll(async () => {
    roleId = (await admin.post(roles, { key: 'support', label: { 'zh-CN': '支持', en: 'Support' } })).body.id;
  });

  it('"member" holds every active user and "admin" every active administrator, without being assigned', async () => {
    expect(logins(await admin.get(`${roles}/${(await builtin('member')).id}/members`))).toEqual(expect.arrayContaining(['admin', 'seller', 'helper']));
    const admins = await admin.get(`${roles}/${(await builtin('admin')).id}/members`);
    expect(admins.body.items).toEqual([{ id: adminId, login: 'admin', displayName: expect.any(String) }]);
  });

  it('PUT replaces who holds a role, audits who was added and removed, and takes effect at once', async () => {
    await model();
    const first = await admin.request('PUT', members(), { body: { userIds: [sellerId, helperId, sellerId.toUpperCase()] } });
    expect(first.status).toBe(200);
    expect(first.body.items).toEqual([
      { id: helperId, login: 'helper', displayName: 'Helper' },
      { id: sellerId, login: 'seller', displayName: 'Seller' },
    ]);
    expect((await model()).userRoles.get(sellerId)).toEqual([roleId]);
    expect((await admin.get(`${roles}/${roleId}`)).body.memberCount).toBe(2);

    const second = await admin.request('PUT', members(), { body: { userIds: [helperId, adminId] } });
    expect(logins(second)).toEqual(['admin', 'helper']);
    expect((await admin.get(members())).body).toEqual(second.body);
    const audit = await lastAudit('access.role.members');
    expect(audit).toMatchObject({ target_type: 'role', target_id: roleId, details: { key: 'support', added: [adminId], removed: [sellerId] } });
    expect((await model()).userRoles.get(sellerId)).toBeUndefined();
  });

  it('a disabled member still holds the role, but no longer counts', async () => {
    await admin.patch(`/api/v1/org/users/${helperId}`, { status: 'disabled' });
    expect((await admin.get(`${roles}/${roleId}`)).body.memberCount).toBe(1);
    expect(logins(await admin.get(members()))).toEqual(['admin', 'helper']);
    await admin.patch(`/api/v1/org/users/${helperId}`, { status: 'active' });
  });

  it('refuses unknown users with 422, naming them, and changes nothing', async () => {
    const error = await refused(() => admin.request('PUT', members(), { body: { userIds: [sellerId, missingId] } }), 422, 'USER_NOT_FOUND');
    expect(error.details).toEqual({ field: 'userIds', userIds: [missingId] });
  });

  it('refuses to set the members of built-in roles, and of unknown roles', async () => {
    for (const key of ['admin', 'member']) {
      const path = `${roles}/${(await builtin(key)).id}/members`;
      await refused(() => admin.request('PUT', path, { body: { userIds: [sellerId] } }), 409, 'ROLE_BUILTIN');
    }
    await refused(() => admin.request('PUT', `${roles}/${missingId}/members`, { body: { userIds: [] } }), 404, 'ROLE_NOT_FOUND');
    expect((await admin.get(`${roles}/${missingId}/members`)).body.error.code).toBe('ROLE_NOT_FOUND');
  });

  it('deleting a role takes its memberships and the sharing rules granted to it along, and records what it took', async () => {
    const rule = await admin.post(rules, { object: 'deal', name: 'Won deals to support', filter: wonDeals, grantee: { kind: 'role', id: roleId } });
    expect(rule.status).toBe(201);
    await model();
    expect((await admin.delete(`${roles}/${roleId}`)).status).toBe(204);
    expect((await admin.get(`${roles}/${roleId}`)).status).toBe(404);
    expect((await admin.get(rules)).body.items.map((r: { id: string }) => r.id)).not.toContain(rule.body.id);
    const audit = await lastAudit('access.role.delete');
    expect(audit).toMatchObject({ target_id: roleId, details: { key: 'support', sharingRules: [{ id: rule.body.id, name: 'Won deals to support', object: 'deal' }] } });
    expect([...(audit.details as { memberIds: string[] }).memberIds].sort()).toEqual([adminId, helperId].sort());
    const after = await model();
    expect(after.roles.has(roleId)).toBe(false);
    expect(after.userRoles.get(helperId)).toBeUndefined();
  });
});

describe('object access settings', () => {
  it('managers read their reports\' records unless the object says otherwise', async () => {
    expect((await admin.get(dealSettings)).body).toEqual({ managerAccess: 'read' });
  });

  it('PUT sets the manager access, audits old and new, and takes effect at once', async () => {
    await model();
    const res = await admin.request('PUT', dealSettings, { body: { managerAccess: 'edit' } });
    expect(res.body).toEqual({ managerAccess: 'edit' });
    expect((await admin.get(dealSettings)).body).toEqual({ managerAccess: 'edit' });
    expect(await lastAudit('access.object.update')).toMatchObject({ target_type: 'object', target_id: 'deal', details: { from: { managerAccess: 'read' }, to: { managerAccess: 'edit' } } });
    expect((await model()).managerAccess.get('deal')).toBe('edit');
  });

  it('an unknown object is a 404 and a value out of the list a 400', async () => {
    expect((await admin.get('/api/v1/access/objects/invoice')).body.error.code).toBe('OBJECT_NOT_FOUND');
    await refused(() => admin.request('PUT', '/api/v1/access/objects/invoice', { body: { managerAccess: 'none' } }), 404, 'OBJECT_NOT_FOUND');
    await refused(() => admin.request('PUT', dealSettings, { body: { managerAccess: 'all' } }), 400, 'FAILED_VALIDATION');
  });
});

describe('sharing rules', () => {
  let ruleId: string;
  let salesRoleId: string;
  const create = (overrides: Record<string, unknown>) => () => admin.post(rules, { object: 'deal', name: 'Rule', filter: wonDeals, grantee: { kind: 'department', id: departmentId }, ...overrides });

  beforeAll(async () => {
    salesRoleId = ((await admin.get(roles)).body.items as Role[]).find((r) => r.key === 'sales')!.id;
  });

  it('creates a rule sharing matching records with a department, audits it and takes effect at once', async () => {
    await model();
    const res = await create({ name: 'Won deals to sales', filter: { and: [wonDeals, { field: 'amount', op: 'gte', value: 1000 }] } })();
    expect(res.status).toBe(201);
    ruleId = res.body.id;
    expect(res.body).toMatchObject({ object: 'deal', name: 'Won deals to sales', grantee: { kind: 'department', id: departmentId }, access: 'read' });
    expect(await lastAudit('access.rule.create')).toMatchObject({ target_type: 'sharing_rule', target_id: ruleId, details: { object: 'deal', grantee: { kind: 'department', id: departmentId }, filter: res.body.filter } });
    expect((await model()).rules.get('deal')).toEqual([expect.objectContaining({ id: ruleId, grantee: { kind: 'department', id: departmentId }, access: 'read' })]);
  });

  it('lists every rule, or those of one object', async () => {
    expect((await admin.get(rules)).body.items.map((r: { id: string }) => r.id)).toEqual([ruleId]);
    expect((await admin.get(`${rules}?object=deal`)).body.items).toHaveLength(1);
    expect((await admin.get(`${rules}?object=invoice`)).body.items).toEqual([]);
  });

  it('PATCH changes what it names, clearing the old grantee, audits old and new, and takes effect at once', async () => {
    await model();
    const res = await admin.patch(`${rules}/${ruleId}`, { grantee: { kind: 'role', id: salesRoleId }, access: 'edit' });
    expect(res.body).toMatchObject({ id: ruleId, name: 'Won deals to sales', grantee: { kind: 'role', id: salesRoleId }, access: 'edit' });
    const row = await ctx.db.selectFrom('sharing_rules').selectAll().where('id', '=', ruleId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ user_id: null, department_id: null, role_id: salesRoleId });
    expect((await lastAudit('access.rule.update')).details).toEqual({
      object: 'deal',
      name: 'Won deals to sales',
      from: { grantee: { kind: 'department', id: departmentId }, access: 'read' },
      to: { grantee: { kind: 'role', id: salesRoleId }, access: 'edit' },
    });
    expect((await model()).rules.get('deal')?.[0]).toMatchObject({ grantee: { kind: 'role', id: salesRoleId }, access: 'edit' });
  });

  it('refuses "$me" and "$my_department" anywhere in a filter: a rule is the same for everyone', async () => {
    for (const filter of [
      { field: 'assignee', op: 'eq', value: '$me' },
      { or: [wonDeals, { not: { field: 'team', op: 'in', value: ['$my_department'] } }] },
      { field: 'title', op: 'eq', value: '$me' },
    ]) {
      const error = await refused(create({ filter }), 400, 'INVALID_FILTER');
      expect(error.details.reason).toMatch(/^"\$(me|my_department)" depends on who is asking/);
    }
    await refused(() => admin.patch(`${rules}/${ruleId}`, { filter: { field: 'assignee', op: 'eq', value: '$me' } }), 400, 'INVALID_FILTER');
  });

  it('refuses filters that do not compile against the object', async () => {
    expect((await refused(create({ filter: { field: 'colour', op: 'eq', value: 'red' } }), 400, 'INVALID_FILTER')).details.reason).toContain('colour');
    await refused(create({ filter: { field: 'stage', op: 'contains', value: 'won' } }), 400, 'INVALID_FILTER');
    await refused(create({ filter: { field: 'stage', op: 'eq', value: 'lost' } }), 400, 'INVALID_FILTER');
    await refused(create({ filter: { field: 'legacy', op: 'eq', value: 'x' } }), 400, 'INVALID_FILTER');
    await refused(create({ filter: null }), 400, 'INVALID_FILTER');
    await refused(() => admin.patch(`${rules}/${ruleId}`, { filter: [wonDeals] }), 400, 'INVALID_FILTER');
  });

  it('refuses a user, department or role that does not exist with 422, and an unknown object with 404', async () => {
    for (const kind of ['user', 'department', 'role']) {
      const error = await refused(create({ grantee: { kind, id: missingId } }), 422, 'GRANTEE_NOT_FOUND');
      expect(error.details).toMatchObject({ kind, id: missingId });
    }
    await refused(() => admin.patch(`${rules}/${ruleId}`, { grantee: { kind: 'user', id: missingId } }), 422, 'GRANTEE_NOT_FOUND');
    await refused(create({ object: 'invoice' }), 404, 'OBJECT_NOT_FOUND');
    await refused(create({ grantee: { kind: 'team', id: departmentId } }), 400, 'FAILED_VALIDATION');
  });

  it('an unknown rule is a 404', async () => {
    await refused(() => admin.patch(`${rules}/${missingId}`, { name: 'x' }), 404, 'SHARING_RULE_NOT_FOUND');
    await refused(() => admin.delete(`${rules}/${missingId}`), 404, 'SHARING_RULE_NOT_FOUND');
  });

  it('deletes a rule, records what it was, and takes effect at once', async () => {
    await model();
    expect((await admin.delete(`${rules}/${ruleId}`)).status).toBe(204);
    expect(await lastAudit('access.rule.delete')).toMatchObject({ target_id: ruleId, details: { object: 'deal', name: 'Won deals to sales', grantee: { kind: 'role', id: salesRoleId }, access: 'edit' } });
    expect((await model()).rules.get('deal')).toBeUndefined();
    expect((await admin.get(rules)).body.items).toEqual([]);
  });
});

import type { Selectable } from 'kysely';
import { appendAudit } from '../audit/index.ts';
import type { CreateRole, ObjectPermission, Role, RoleMember, UpdateRole } from '../contracts/access.ts';
import { AppError } from '../core/app-error.ts';
import { inTransaction, type Ctx } from '../core/context.ts';
import { jsonb, type WorkspaceDB } from '../db/tables.ts';
import { publishedObject } from '../meta/index.ts';
import { forgetAccess } from './model.ts';

const toPermission = (p: Selectable<WorkspaceDB['role_permissions']>): ObjectPermission => ({
  object: p.object,
  create: p.can_create,
  read: p.read_scope,
  edit: p.edit_scope,
  delete: p.delete_scope,
  viewAll: p.view_all,
  modifyAll: p.modify_all,
  fields: p.fields,
});

const builtinRefusal = (reason: string) => new AppError('ROLE_BUILTIN', 409, { params: { reason }, details: { reason } });

/** Active holders per role: "member" and "admin" have no user_roles rows, they follow the users table. */
async function memberCounts(ctx: Ctx): Promise<Map<string, number>> {
  const active = ctx.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'active');
  const everyone = await active.executeTakeFirstOrThrow();
  const admins = await active.where('is_admin', '=', true).executeTakeFirstOrThrow();
  const assigned = await ctx.db
    .selectFrom('user_roles as ur')
    .innerJoin('users as u', 'u.id', 'ur.user_id')
    .select(['ur.role_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('u.status', '=', 'active')
    .groupBy('ur.role_id')
    .execute();
  return new Map<string, number>([['member', Number(everyone.n)], ['admin', Number(admins.n)], ...assigned.map((a) => [a.role_id, Number(a.n)] as [string, number])]);
}

export async function listRoles(ctx: Ctx, onlyId?: string): Promise<Role[]> {
  let query = ctx.db.selectFrom('roles').select(['id', 'key', 'label', 'description', 'builtin', 'updated_at']).orderBy('builtin', 'desc').orderBy('key');
  if (onlyId) query = query.where('id', '=', onlyId);
  const roles = await query.execute();
  let permissions = ctx.db.selectFrom('role_permissions').selectAll();
  if (onlyId) permissions = permissions.where('role_id', '=', onlyId);
  const rows = await permissions.execute();
  const counts = await memberCounts(ctx);
  return roles.map((r) => ({
    id: r.id,
    key: r.key,
    label: r.label,
    description: r.description,
    builtin: r.builtin,
    memberCount: (r.builtin ? counts.get(r.key) : counts.get(r.id)) ?? 0,
    // Sorted here, not in SQL: collations disagree on where "*" goes.
    permissions: rows
      .filter((p) => p.role_id === r.id)
      .map(toPermission)
      .sort((a, b) => (a.object < b.object ? -1 : 1)),
    updatedAt: new Date(r.updated_at).toISOString(),
  }));
}

export async function getRole(ctx: Ctx, id: string): Promise<Role> {
  const [found] = await listRoles(ctx, id);
  if (!found) throw new AppError('ROLE_NOT_FOUND', 404);
  return found;
}

/** The role row, locked so concurrent edits of one role (each replacing its lists) run one after the other. */
async function lockedRole(tx: Ctx, id: string): Promise<{ id: string; key: string; builtin: boolean }> {
  const row = await tx.db.selectFrom('roles').select(['id', 'key', 'builtin']).where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row) throw new AppError('ROLE_NOT_FOUND', 404);
  return row;
}

/** Each object at most once, published (or "*"), and only its fields named. */
async function checkPermissions(ctx: Ctx, permissions: ObjectPermission[]): Promise<void> {
  const seen = new Set<string>();
  for (const [i, p] of permissions.entries()) {
    if (seen.has(p.object)) {
      const path = `body.permissions.${i}.object`;
      throw new AppError('FAILED_VALIDATION', 400, { params: { fields: path }, details: { issues: [{ path, message: `"${p.object}" is listed twice`, code: 'duplicate' }] } });
    }
    seen.add(p.object);
    // "*" stands for objects not yet known, so no field name can be checked against it. Archived fields
    // stay valid: a role read back and saved again keeps them, and they apply again if the field returns.
    const known = p.object === '*' ? new Set<string>() : new Set((await publishedObject(ctx, p.object)).fields.map((f) => f.name));
    const unknown = Object.keys(p.fields).filter((name) => !known.has(name));
    if (unknown.length) throw new AppError('UNKNOWN_FIELD', 400, { params: { object: p.object, fields: unknown.slice(0, 10).join(', ') }, details: { fields: unknown } });
  }
}

async function replacePermissions(tx: Ctx, roleId: string, permissions: ObjectPermission[]): Promise<void> {
  await tx.db.deleteFrom('role_permissions').where('role_id', '=', roleId).execute();
  if (permissions.length === 0) return;
  await tx.db
    .insertInto('role_permissions')
    .values(
      permissions.map((p) => ({
        role_id: roleId,
        object: p.object,
        can_create: p.create,
        read_scope: p.read,
        edit_scope: p.edit,
        delete_scope: p.delete,
        view_all: p.viewAll,
        modify_all: p.modifyAll,
        fields: jsonb(p.fields),
      })),
    )
    .execute();
}

export async function createRole(ctx: Ctx, input: CreateRole): Promise<Role> {
  return inTransaction(ctx, async (tx) => {
    await checkPermissions(tx, input.permissions);
    // ON CONFLICT rather than a look-up first: two requests racing for one key cannot both pass.
    const row = await tx.db
      .insertInto('roles')
      .values({ key: input.key, label: jsonb(input.label), description: input.description })
      .onConflict((oc) => oc.column('key').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!row) throw new AppError('ROLE_KEY_TAKEN', 409, { params: { key: input.key }, details: { field: 'key' } });
    await replacePermissions(tx, row.id, input.permissions);
    await appendAudit(tx, { action: 'access.role.create', targetType: 'role', targetId: row.id, details: { key: input.key, label: input.label, permissions: input.permissions } });
    await forgetAccess(tx);
    return getRole(tx, row.id);
  });
}

export async function updateRole(ctx: Ctx, id: string, patch: UpdateRole): Promise<Role> {
  return inTransaction(ctx, async (tx) => {
    const locked = await lockedRole(tx, id);
    // Administrators hold every right whatever a permission says, so one stored for them would mislead.
    if (patch.permissions && locked.key === 'admin' && locked.builtin) throw builtinRefusal('"admin" has every right on every object');
    if (patch.permissions) await checkPermissions(tx, patch.permissions);
    const before = await getRole(tx, id);
    await tx.db
      .updateTable('roles')
      .set({
        ...(patch.label !== undefined && { label: jsonb(patch.label) }),
        ...(patch.description !== undefined && { description: patch.description }),
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .execute();
    if (patch.permissions) await replacePermissions(tx, id, patch.permissions);
    const after = await getRole(tx, id);
    const pick = (r: Role) => ({
      ...(patch.label !== undefined && { label: r.label }),
      ...(patch.description !== undefined && { description: r.description }),
      ...(patch.permissions !== undefined && { permissions: r.permissions }),
    });
    await appendAudit(tx, { action: 'access.role.update', targetType: 'role', targetId: id, details: { key: before.key, from: pick(before), to: pick(after) } });
    await forgetAccess(tx);
    return after;
  });
}

/** Its memberships, record shares and sharing rules go with it (foreign keys cascade). */
export async function deleteRole(ctx: Ctx, id: string): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const locked = await lockedRole(tx, id);
    if (locked.builtin) throw builtinRefusal(`"${locked.key}" is built in`);
    const role = await getRole(tx, id);
    const members = await tx.db.selectFrom('user_roles').select('user_id').where('role_id', '=', id).execute();
    const rules = await tx.db.selectFrom('sharing_rules').select(['id', 'name', 'object']).where('role_id', '=', id).execute();
    await tx.db.deleteFrom('roles').where('id', '=', id).execute();
    const details = { key: role.key, label: role.label, permissions: role.permissions, memberIds: members.map((m) => m.user_id), sharingRules: rules };
    await appendAudit(tx, { action: 'access.role.delete', targetType: 'role', targetId: id, details });
    await forgetAccess(tx);
  });
}

/** Custom roles list every assigned user, disabled ones too, so a list read and written back loses nobody. */
export async function listRoleMembers(ctx: Ctx, id: string): Promise<RoleMember[]> {
  const role = await ctx.db.selectFrom('roles').select(['key', 'builtin']).where('id', '=', id).executeTakeFirst();
  if (!role) throw new AppError('ROLE_NOT_FOUND', 404);
  let query = ctx.db.selectFrom('users as u').select(['u.id', 'u.login', 'u.display_name']).orderBy('u.sort_key').orderBy('u.id');
  if (!role.builtin) query = query.innerJoin('user_roles as ur', 'ur.user_id', 'u.id').where('ur.role_id', '=', id);
  else query = query.where('u.status', '=', 'active');
  if (role.builtin && role.key === 'admin') query = query.where('u.is_admin', '=', true);
  const rows = await query.execute();
  return rows.map((r) => ({ id: r.id, login: r.login, displayName: r.display_name }));
}

/** Replaces who holds a custom role. */
export async function setRoleMembers(ctx: Ctx, id: string, userIds: string[]): Promise<RoleMember[]> {
  return inTransaction(ctx, async (tx) => {
    const locked = await lockedRole(tx, id);
    if (locked.builtin) throw builtinRefusal(locked.key === 'admin' ? '"admin" is every user marked as administrator' : `"${locked.key}" applies to every user`);
    const keep = new Set(userIds.map((u) => u.toLowerCase()));
    const wanted = [...keep];
    const found = wanted.length ? await tx.db.selectFrom('users').select('id').where('id', 'in', wanted).execute() : [];
    if (found.length !== wanted.length) {
      const known = new Set(found.map((f) => f.id));
      throw new AppError('USER_NOT_FOUND', 422, { details: { field: 'userIds', userIds: wanted.filter((u) => !known.has(u)) } });
    }
    const current = new Set((await tx.db.selectFrom('user_roles').select('user_id').where('role_id', '=', id).execute()).map((r) => r.user_id));
    const added = wanted.filter((u) => !current.has(u));
    const removed = [...current].filter((u) => !keep.has(u));
    if (removed.length) await tx.db.deleteFrom('user_roles').where('role_id', '=', id).where('user_id', 'in', removed).execute();
    if (added.length) await tx.db.insertInto('user_roles').values(added.map((user_id) => ({ user_id, role_id: id }))).execute();
    await appendAudit(tx, { action: 'access.role.members', targetType: 'role', targetId: id, details: { key: locked.key, added, removed } });
    await forgetAccess(tx);
    return listRoleMembers(tx, id);
  });
}

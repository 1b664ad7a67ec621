import { sql } from 'kysely';
import type { AccessScope, FieldAccess, Grantee } from '../contracts/access.ts';
import type { Ctx } from '../core/context.ts';
import { errorFields } from '../core/logger.ts';
import { loadDirectory, type Directory } from './directory.ts';
import { grantee } from './grantees.ts';
import type { Database } from '../db/open-database.ts';

export type RoleRef = { id: string; key: string };
export type Permission = {
  create: boolean;
  read: AccessScope;
  edit: AccessScope;
  delete: AccessScope;
  viewAll: boolean;
  modifyAll: boolean;
  fields: Record<string, FieldAccess>;
};
export type Rule = { id: string; object: string; name: string; filter: unknown; grantee: Grantee; access: 'read' | 'edit' };

/** A workspace's roles, permissions, memberships and sharing rules: read once, kept until a change notifies. */
export type AccessModel = {
  roles: Map<string, RoleRef>;
  memberRole: RoleRef | null;
  /** role id → object name (or "*") → permission */
  permissions: Map<string, Map<string, Permission>>;
  userRoles: Map<string, string[]>;
  managerAccess: Map<string, 'none' | 'read' | 'edit'>;
  rules: Map<string, Rule[]>;
  directory: Directory;
  /** What `object-access.ts` derives per object definition and user, dropped with the model. */
  memo: WeakMap<object, Map<string, unknown>>;
};

/** Every change to roles, permissions, memberships, rules, object settings or the directory notifies `<system schema>`. */
export const ACCESS_CHANNEL = 'threadbase_access';
/** A safety net should a notification be lost with a dropped LISTEN connection. */
const TTL_MS = 10_000;

const models = new Map<string, { model: AccessModel; until: number }>();
let generation = 0;
const listening = new WeakMap<Database, Promise<boolean>>();

function subscribed(ctx: Ctx): Promise<boolean> {
  const db = ctx.platform.db;
  let ready = listening.get(db);
  if (!ready) {
    ready = db
      .listen(ACCESS_CHANNEL, (schema) => {
        generation++;
        models.delete(schema);
      })
      .then(
        () => true,
        (error: unknown) => {
          listening.delete(db);
          ctx.platform.log.error('cannot listen for access changes; reading permissions on every request', errorFields(error));
          return false;
        },
      );
    listening.set(db, ready);
  }
  return ready;
}

async function load(ctx: Ctx): Promise<AccessModel> {
  const [roles, permissionRows, memberships, settings, rules, directory] = await Promise.all([
    ctx.db.selectFrom('roles').select(['id', 'key']).execute(),
    ctx.db.selectFrom('role_permissions').selectAll().execute(),
    ctx.db.selectFrom('user_roles').select(['user_id', 'role_id']).execute(),
    ctx.db.selectFrom('object_access').selectAll().execute(),
    ctx.db.selectFrom('sharing_rules').selectAll().orderBy('created_at').execute(),
    loadDirectory(ctx),
  ]);
  const permissions = new Map<string, Map<string, Permission>>();
  for (const p of permissionRows) {
    if (!permissions.has(p.role_id)) permissions.set(p.role_id, new Map());
    permissions.get(p.role_id)!.set(p.object, {
      create: p.can_create,
      read: p.read_scope,
      edit: p.edit_scope,
      delete: p.delete_scope,
      viewAll: p.view_all,
      modifyAll: p.modify_all,
      fields: p.fields as Record<string, FieldAccess>,
    });
  }
  const userRoles = new Map<string, string[]>();
  for (const m of memberships) userRoles.set(m.user_id, [...(userRoles.get(m.user_id) ?? []), m.role_id]);
  const byObject = new Map<string, Rule[]>();
  for (const r of rules) {
    byObject.set(r.object, [...(byObject.get(r.object) ?? []), { id: r.id, object: r.object, name: r.name, filter: r.filter, grantee: grantee(r), access: r.access }]);
  }
  return {
    roles: new Map(roles.map((r) => [r.id, r])),
    memberRole: roles.find((r) => r.key === 'member') ?? null,
    permissions,
    userRoles,
    managerAccess: new Map(settings.map((s) => [s.object, s.manager_access])),
    rules: byObject,
    directory,
    memo: new WeakMap(),
  };
}

/** The workspace's access model; read from the database only after a change (or the safety-net TTL). */
export async function accessModel(ctx: Ctx): Promise<AccessModel> {
  const schema = ctx.workspace.schemas.system;
  const cached = models.get(schema);
  if (cached && cached.until > Date.now()) return cached.model;
  if (!(await subscribed(ctx))) return load(ctx);
  const since = generation;
  const model = await load(ctx);
  if (since === generation) models.set(schema, { model, until: Date.now() + TTL_MS });
  return model;
}

/**
 * Every process drops the workspace's access model: call it in the transaction that changes roles,
 * permissions, memberships, rules, object settings, departments, people's departments or managers. This process drops it right after the commit,
 * before the change is reported done, so the next request already follows the new rules.
 */
export async function forgetAccess(ctx: Ctx): Promise<void> {
  const schema = ctx.workspace.schemas.system;
  await sql`select pg_notify(${ACCESS_CHANNEL}, ${schema})`.execute(ctx.db);
  const forget = () => {
    generation++;
    models.delete(schema);
  };
  if (ctx.afterCommit) ctx.afterCommit.push(forget);
  else forget();
}

import { sql, type RawBuilder } from 'kysely';
import type { AccessReason, AccessScope } from '../contracts/access.ts';
import type { ObjectDefinition } from '../contracts/meta.ts';
import type { Ctx } from '../core/context.ts';
import { compileFilter, type FilterContext } from '../records/filter.ts';
import type { Effective } from './effective.ts';
import type { AccessModel, RoleRef, Rule } from './model.ts';

export type Action = 'read' | 'edit' | 'delete';

/**
 * One reason a record may be reachable, as SQL over the record alias `t` (null: every record). The same
 * parts build list filters and answer "why" in explanations, so the two can never disagree.
 */
export type Part = {
  kind: AccessReason['kind'];
  grants: Action[];
  role: RoleRef | null;
  scope: AccessScope | null;
  ruleId: string | null;
  sql: RawBuilder<boolean> | null;
  description: string;
};

/** Administrators and the system: every record, for every action. */
export const ADMIN_PARTS: Part[] = [{ kind: 'admin', grants: ['read', 'edit', 'delete'], role: null, scope: null, ruleId: null, sql: null, description: 'workspace administrator or the system' }];

/** Directory subqueries, all uncorrelated: PostgreSQL runs each once per query and probes a hash per row. */
function directory(ctx: Ctx, me: string) {
  const t = (name: string) => sql.table(`${ctx.workspace.schemas.system}.${name}`);
  const mine = sql`select department_id from ${t('user_departments')} where user_id = ${me}`;
  const below = (start: RawBuilder<unknown>) =>
    sql`(with recursive tree(id) as (${start} union select d.id from ${t('departments')} d join tree on d.parent_id = tree.id) select id from tree)`;
  const membersOf = (departments: RawBuilder<unknown>) => sql`(select ud.user_id from ${t('user_departments')} ud where ud.department_id in ${departments})`;
  return {
    t,
    membersOf,
    myDepartments: sql`(${mine})`,
    myTree: below(mine),
    below,
    /** My departments and every department above them: a share with a department reaches everyone below it. */
    myAncestry: sql`(with recursive up(id) as (${mine} union select d.parent_id from ${t('departments')} d join up on d.id = up.id where d.parent_id is not null) select id from up)`,
    /** People who report to me, directly or down the chain, and people in departments I manage or below them. */
    myReports: sql`(with recursive reports(id) as (
      select id from ${t('users')} where manager_id = ${me}
        or id in ${membersOf(below(sql`select id from ${t('departments')} where manager_id = ${me}`))}
      union select u.id from ${t('users')} u join reports r on u.manager_id = r.id
    ) select id from reports)`,
  };
}

/** Whether a share `s` reaches the user: shared with her, one of her roles, or a department at or above one of hers. */
export function sharedWith(ctx: Ctx, me: string, roleIds: string[]): RawBuilder<boolean> {
  const roles = roleIds.length ? sql<boolean>` or s.role_id in (${sql.join(roleIds.map((id) => sql`${id}::uuid`))})` : sql``;
  return sql<boolean>`(s.user_id = ${me}${roles} or s.department_id in ${directory(ctx, me).myAncestry})`;
}

function scopeSql(scope: AccessScope, me: string, dir: ReturnType<typeof directory>): RawBuilder<boolean> | null {
  if (scope === 'all') return null;
  if (scope === 'own') return sql<boolean>`t.owner = ${me}`;
  const departments = scope === 'department' ? dir.myDepartments : dir.myTree;
  return sql<boolean>`(t.owner = ${me} or t.owner in ${dir.membersOf(departments)})`;
}

const SCOPE_TEXT: Record<AccessScope, string> = {
  none: 'no records',
  own: 'records the user owns',
  department: "records owned by people in the user's departments",
  department_tree: "records owned by people in the user's departments or any department below them",
  all: 'every record',
};

function ruleTarget(rule: Rule, me: string, roleIds: Set<string>, dir: ReturnType<typeof directory>): RawBuilder<boolean> | boolean {
  if (rule.grantee.kind === 'user') return rule.grantee.id === me;
  if (rule.grantee.kind === 'role') return roleIds.has(rule.grantee.id);
  return sql<boolean>`exists (select 1 from ${dir.t('user_departments')} ud where ud.user_id = ${me} and ud.department_id in ${dir.below(sql`select ${rule.grantee.id}::uuid`)})`;
}

/** A rule whose field has since been archived no longer matches anything, rather than breaking every list. */
function ruleFilter(ctx: Ctx, object: ObjectDefinition, rule: Rule, context: FilterContext): RawBuilder<boolean> | null {
  try {
    return compileFilter(object, rule.filter, context);
  } catch (error) {
    ctx.platform.log.warn('sharing rule no longer fits its object; ignored', { rule: rule.id, object: object.name, error: (error as Error).message });
    return null;
  }
}

/** Every reason `userId` may reach records of `object`, given her effective rights. */
export function accessParts(ctx: Ctx, model: AccessModel, userId: string, object: ObjectDefinition, effective: Effective): Part[] {
  if (effective.read === 'none') return [];
  const me = userId;
  const dir = directory(ctx, me);
  const base = { role: null, scope: null, ruleId: null };
  const parts: Part[] = [];
  const granting = (pick: (g: Effective['grants'][number]) => boolean) => effective.grants.find(pick)?.role ?? null;
  if (effective.modifyAll) parts.push({ ...base, kind: 'modify_all', role: granting((g) => g.permission.modifyAll), grants: ['read', 'edit', 'delete'], sql: null, description: 'role may modify all records' });
  else if (effective.viewAll) parts.push({ ...base, kind: 'view_all', role: granting((g) => g.permission.viewAll), grants: ['read'], sql: null, description: 'role may view all records' });
  for (const { role, permission } of effective.grants) {
    const byScope = new Map<AccessScope, Action[]>();
    for (const action of ['read', 'edit', 'delete'] as const) {
      const scope = permission[action];
      if (scope !== 'none') byScope.set(scope, [...(byScope.get(scope) ?? []), action]);
    }
    for (const [scope, grants] of byScope) {
      parts.push({ ...base, kind: 'role_scope', role, scope, grants: grants.includes('read') ? grants : ['read', ...grants], sql: scopeSql(scope, me, dir), description: `role ${role.key}: ${grants.join(', ')} ${SCOPE_TEXT[scope]}` });
    }
  }
  const canEdit = effective.edit !== 'none';
  const manager = model.managerAccess.get(object.name) ?? 'read';
  if (manager !== 'none') {
    parts.push({ ...base, kind: 'manager', grants: manager === 'edit' && canEdit ? ['read', 'edit'] : ['read'], sql: sql<boolean>`t.owner in ${dir.myReports}`, description: `manager of the owner (${manager})` });
  }
  const roleIds = new Set(effective.roles.map((r) => r.id));
  const reaches = sharedWith(ctx, me, [...roleIds]);
  const shared = (access: 'read' | 'edit') =>
    sql<boolean>`t.id in (select s.record_id from ${dir.t('record_shares')} s where s.object = ${object.name}${access === 'edit' ? sql` and s.access = 'edit'` : sql``} and ${reaches})`;
  parts.push({ ...base, kind: 'share', grants: ['read'], sql: shared('read'), description: 'shared with the user, one of her roles or departments' });
  if (canEdit) parts.push({ ...base, kind: 'share', grants: ['read', 'edit'], sql: shared('edit'), description: 'shared for editing with the user, one of her roles or departments' });
  const filterContext = { actorId: null, departmentId: null, timeZone: ctx.platform.config.timeZone };
  for (const rule of model.rules.get(object.name) ?? []) {
    const target = ruleTarget(rule, me, roleIds, dir);
    if (target === false) continue;
    const matches = ruleFilter(ctx, object, rule, filterContext);
    if (!matches) continue;
    parts.push({
      ...base,
      kind: 'sharing_rule',
      ruleId: rule.id,
      grants: rule.access === 'edit' && canEdit ? ['read', 'edit'] : ['read'],
      sql: target === true ? matches : sql<boolean>`(${target} and ${matches})`,
      description: `sharing rule "${rule.name}"`,
    });
  }
  return parts;
}

/** The filter for one action: null when every record qualifies, `false` when none does. */
export function predicateFor(parts: Part[], action: Action): RawBuilder<boolean> | null {
  const granting = parts.filter((p) => p.grants.includes(action));
  if (granting.some((p) => p.sql === null)) return null;
  if (granting.length === 0) return sql<boolean>`false`;
  return sql<boolean>`(${sql.join(granting.map((p) => p.sql!), sql` or `)})`;
}

import { sql, type RawBuilder } from 'kysely';
import type { AccessReason, AccessScope } from '../contracts/access.ts';
import type { ObjectDefinition } from '../contracts/meta.ts';
import type { Ctx } from '../core/context.ts';
import { compileFilter, type FilterContext } from '../records/filter.ts';
import { above, below, membersOf, reportsOf, type Directory } from './directory.ts';
import type { Effective } from './effective.ts';
import type { AccessModel, RoleRef, Rule } from './model.ts';

export type Action = 'read' | 'edit' | 'delete';

/**
 * One reason a record may be reachable, as SQL over the record alias `t` (null: every record). The same
 * parts build list filters and answer "why" in explanations, so the two can never disagree. A part that
 * reaches records by who owns them names the owners, so filters can merge such parts into one list.
 */
export type Part = {
  kind: AccessReason['kind'];
  grants: Action[];
  role: RoleRef | null;
  scope: AccessScope | null;
  ruleId: string | null;
  sql: RawBuilder<boolean> | null;
  owners?: ReadonlySet<string>;
  description: string;
};

/** Administrators and the system: every record, for every action. */
export const ADMIN_PARTS: Part[] = [{ kind: 'admin', grants: ['read', 'edit', 'delete'], role: null, scope: null, ruleId: null, sql: null, description: 'workspace administrator or the system' }];

/**
 * Owner ids travel as one text parameter: the statement stays the same whatever the list's length, and
 * PostgreSQL hashes the folded array instead of comparing every element.
 */
function ownedBy(owners: ReadonlySet<string>): RawBuilder<boolean> {
  if (owners.size === 1) return sql<boolean>`t.owner = ${[...owners][0]}`;
  return sql<boolean>`t.owner = any(string_to_array(${[...owners].join(',')}, ',')::uuid[])`;
}

function ownersInScope(scope: AccessScope, me: string, directory: Directory): Set<string> {
  if (scope === 'own') return new Set([me]);
  const mine = directory.departmentsOf.get(me) ?? [];
  return new Set([me, ...membersOf(directory, scope === 'department' ? mine : below(directory, mine))]);
}

/** Whether a share `s` reaches the user: shared with her, one of her roles, or a department at or above one of hers. */
export function sharedWith(me: string, roleIds: string[], directory: Directory): RawBuilder<boolean> {
  const roles = roleIds.length ? sql<boolean>` or s.role_id in (${sql.join(roleIds.map((id) => sql`${id}::uuid`))})` : sql``;
  const ancestry = [...above(directory, directory.departmentsOf.get(me) ?? [])];
  const departments = ancestry.length ? sql<boolean>` or s.department_id = any(string_to_array(${ancestry.join(',')}, ',')::uuid[])` : sql``;
  return sql<boolean>`(s.user_id = ${me}${roles}${departments})`;
}

const SCOPE_TEXT: Record<AccessScope, string> = {
  none: 'no records',
  own: 'records the user owns',
  department: "records owned by people in the user's departments",
  department_tree: "records owned by people in the user's departments or any department below them",
  all: 'every record',
};

function ruleApplies(rule: Rule, me: string, roleIds: Set<string>, directory: Directory): boolean {
  if (rule.grantee.kind === 'user') return rule.grantee.id === me;
  if (rule.grantee.kind === 'role') return roleIds.has(rule.grantee.id);
  const reached = below(directory, [rule.grantee.id]);
  return (directory.departmentsOf.get(me) ?? []).some((d) => reached.has(d));
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
  const directory = model.directory;
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
      const owners = scope === 'all' ? undefined : ownersInScope(scope, me, directory);
      parts.push({ ...base, kind: 'role_scope', role, scope, grants: grants.includes('read') ? grants : ['read', ...grants], sql: owners ? ownedBy(owners) : null, owners, description: `role ${role.key}: ${grants.join(', ')} ${SCOPE_TEXT[scope]}` });
    }
  }
  const canEdit = effective.edit !== 'none';
  const manager = model.managerAccess.get(object.name) ?? 'read';
  const reports = manager === 'none' ? new Set<string>() : reportsOf(directory, me);
  if (reports.size) {
    parts.push({ ...base, kind: 'manager', grants: manager === 'edit' && canEdit ? ['read', 'edit'] : ['read'], sql: ownedBy(reports), owners: reports, description: `manager of the owner (${manager})` });
  }
  const roleIds = new Set(effective.roles.map((r) => r.id));
  const reaches = sharedWith(me, [...roleIds], directory);
  const shares = sql.table(`${ctx.workspace.schemas.system}.record_shares`);
  const shared = (access: 'read' | 'edit') =>
    sql<boolean>`t.id in (select s.record_id from ${shares} s where s.object = ${object.name}${access === 'edit' ? sql` and s.access = 'edit'` : sql``} and ${reaches})`;
  parts.push({ ...base, kind: 'share', grants: ['read'], sql: shared('read'), description: 'shared with the user, one of her roles or departments' });
  if (canEdit) parts.push({ ...base, kind: 'share', grants: ['read', 'edit'], sql: shared('edit'), description: 'shared for editing with the user, one of her roles or departments' });
  const filterContext = { actorId: null, departmentId: null, timeZone: ctx.platform.config.timeZone };
  for (const rule of model.rules.get(object.name) ?? []) {
    if (!ruleApplies(rule, me, roleIds, directory)) continue;
    const matches = ruleFilter(ctx, object, rule, filterContext);
    if (!matches) continue;
    parts.push({ ...base, kind: 'sharing_rule', ruleId: rule.id, grants: rule.access === 'edit' && canEdit ? ['read', 'edit'] : ['read'], sql: matches, description: `sharing rule "${rule.name}"` });
  }
  return parts;
}

/**
 * The filter for one action: null when every record qualifies, `false` when none does. Parts that reach
 * records by owner merge into one owner list; of the shares, the first that grants the action covers the rest.
 */
export function predicateFor(parts: Part[], action: Action): RawBuilder<boolean> | null {
  const granting = parts.filter((p) => p.grants.includes(action));
  if (granting.some((p) => p.sql === null)) return null;
  const owners = new Set(granting.flatMap((p) => [...(p.owners ?? [])]));
  const share = granting.find((p) => p.kind === 'share');
  const others = granting.filter((p) => !p.owners && p.kind !== 'share').map((p) => p.sql!);
  const branches = [...(owners.size ? [ownedBy(owners)] : []), ...(share ? [share.sql!] : []), ...others];
  if (branches.length === 0) return sql<boolean>`false`;
  return sql<boolean>`(${sql.join(branches, sql` or `)})`;
}

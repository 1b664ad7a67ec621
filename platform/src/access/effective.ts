import type { AccessScope, FieldAccess } from '../contracts/access.ts';
import type { ObjectDefinition } from '../contracts/meta.ts';
import { formulaReferences } from '../schema/index.ts';
import type { AccessModel, Permission, RoleRef } from './model.ts';

const RANK: Record<AccessScope, number> = { none: 0, own: 1, department: 2, department_tree: 3, all: 4 };
const LEVEL: Record<FieldAccess, number> = { hidden: 0, read: 1, edit: 2 };
const COMPUTED = new Set(['formula', 'rollup', 'auto_number']);

export const widest = (a: AccessScope, b: AccessScope): AccessScope => (RANK[a] >= RANK[b] ? a : b);

/** What a user's roles together allow on one object: rights add up, the widest scope and field level win. */
export type Effective = {
  /** Administrators and the system: every right, every field, no filter. */
  full: boolean;
  roles: RoleRef[];
  create: boolean;
  read: AccessScope;
  edit: AccessScope;
  delete: AccessScope;
  viewAll: boolean;
  modifyAll: boolean;
  /** Every live field's level for this user. */
  fields: Map<string, FieldAccess>;
  /** The permission each role contributes, for explanations. */
  grants: { role: RoleRef; permission: Permission }[];
};

export function rolesOf(model: AccessModel, userId: string): RoleRef[] {
  const own = (model.userRoles.get(userId) ?? []).map((id) => model.roles.get(id)).filter((r): r is RoleRef => r !== undefined);
  return model.memberRole ? [model.memberRole, ...own] : own;
}

function grantsOf(model: AccessModel, roles: RoleRef[], object: string) {
  return roles.flatMap((role) => {
    const byObject = model.permissions.get(role.id);
    const permission = byObject?.get(object) ?? byObject?.get('*');
    return permission ? [{ role, permission }] : [];
  });
}

/** Field levels from the grants alone, before derived fields follow the fields they read. */
function storedLevels(object: ObjectDefinition, grants: Effective['grants']): Map<string, FieldAccess> {
  const levels = new Map<string, FieldAccess>();
  for (const field of object.fields) {
    if (field.archived) continue;
    let level: FieldAccess = 'hidden';
    for (const { permission } of grants) {
      const granted = permission.fields[field.name] ?? 'edit';
      if (LEVEL[granted] > LEVEL[level]) level = granted;
    }
    levels.set(field.name, level === 'edit' && COMPUTED.has(field.type) ? 'read' : level);
  }
  return levels;
}

export function fullAccess(object: ObjectDefinition): Effective {
  const fields = new Map<string, FieldAccess>(object.fields.filter((f) => !f.archived).map((f) => [f.name, COMPUTED.has(f.type) ? 'read' : 'edit']));
  return { full: true, roles: [], create: true, read: 'all', edit: 'all', delete: 'all', viewAll: true, modifyAll: true, fields, grants: [] };
}

/**
 * A user's rights on `object`. A formula is hidden when a field it reads is; a rollup when its source
 * object or aggregated field is: otherwise a derived value would leak what the user may not read.
 */
export function effectiveFor(model: AccessModel, userId: string, object: ObjectDefinition, objects: Map<string, ObjectDefinition>): Effective {
  const roles = rolesOf(model, userId);
  const grants = grantsOf(model, roles, object.name);
  const any = (pick: (p: Permission) => boolean) => grants.some((g) => pick(g.permission));
  const scope = (pick: (p: Permission) => AccessScope) => grants.reduce<AccessScope>((s, g) => widest(s, pick(g.permission)), 'none');
  const fields = storedLevels(object, grants);
  for (const field of object.fields) {
    if (field.archived) continue;
    if (field.type === 'formula' && formulaReferences(field.expression, object).some((name) => fields.get(name) === 'hidden')) fields.set(field.name, 'hidden');
    if (field.type === 'rollup') {
      const source = objects.get(field.source);
      const sourceGrants = source ? grantsOf(model, roles, source.name) : [];
      const readable = sourceGrants.some((g) => g.permission.read !== 'none' || g.permission.viewAll || g.permission.modifyAll);
      const aggregated = field.field && source ? storedLevels(source, sourceGrants).get(field.field) : 'read';
      if (!readable || aggregated === 'hidden') fields.set(field.name, 'hidden');
    }
  }
  return {
    full: false,
    roles,
    create: any((p) => p.create || p.modifyAll),
    read: scope((p) => widest(widest(p.read, p.edit), p.delete)),
    edit: scope((p) => p.edit),
    delete: scope((p) => p.delete),
    viewAll: any((p) => p.viewAll || p.modifyAll),
    modifyAll: any((p) => p.modifyAll),
    fields,
    grants,
  };
}

import type { Ctx } from '../core/context.ts';

/**
 * The organisation as access needs it: which departments sit below which, who belongs where, who
 * manages whom. Kept with the access model (and dropped with it on every directory change), so a
 * user's reach is a list of owner ids worked out once, not recursive SQL planned on every query.
 */
export type Directory = {
  children: Map<string, string[]>;
  parent: Map<string, string | null>;
  managedBy: Map<string, string[]>;
  members: Map<string, string[]>;
  departmentsOf: Map<string, string[]>;
  reports: Map<string, string[]>;
};

const push = <K, V>(map: Map<K, V[]>, key: K, value: V) => {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
};

export async function loadDirectory(ctx: Ctx): Promise<Directory> {
  const [departments, memberships, users] = await Promise.all([
    ctx.db.selectFrom('departments').select(['id', 'parent_id', 'manager_id']).execute(),
    ctx.db.selectFrom('user_departments').select(['user_id', 'department_id']).execute(),
    ctx.db.selectFrom('users').select(['id', 'manager_id']).where('manager_id', 'is not', null).execute(),
  ]);
  const directory: Directory = { children: new Map(), parent: new Map(), managedBy: new Map(), members: new Map(), departmentsOf: new Map(), reports: new Map() };
  for (const d of departments) {
    directory.parent.set(d.id, d.parent_id);
    if (d.parent_id) push(directory.children, d.parent_id, d.id);
    if (d.manager_id) push(directory.managedBy, d.manager_id, d.id);
  }
  for (const m of memberships) {
    push(directory.members, m.department_id, m.user_id);
    push(directory.departmentsOf, m.user_id, m.department_id);
  }
  for (const u of users) push(directory.reports, u.manager_id!, u.id);
  return directory;
}

/** The departments given and every department below them. */
export function below(directory: Directory, roots: Iterable<string>): Set<string> {
  const found = new Set<string>();
  const walk = (id: string) => {
    if (found.has(id)) return;
    found.add(id);
    for (const child of directory.children.get(id) ?? []) walk(child);
  };
  for (const root of roots) walk(root);
  return found;
}

/** The departments given and every department above them: a share with a department reaches those below it. */
export function above(directory: Directory, ids: Iterable<string>): Set<string> {
  const found = new Set<string>();
  for (const start of ids) {
    let id: string | null | undefined = start;
    while (id && !found.has(id)) {
      found.add(id);
      id = directory.parent.get(id);
    }
  }
  return found;
}

export function membersOf(directory: Directory, departments: Iterable<string>): Set<string> {
  const people = new Set<string>();
  for (const d of departments) for (const user of directory.members.get(d) ?? []) people.add(user);
  return people;
}

/** People who report to `me` (directly or down the chain) and people in departments she manages or below them, and their reports. */
export function reportsOf(directory: Directory, me: string): Set<string> {
  const found = new Set<string>();
  const queue = [...(directory.reports.get(me) ?? []), ...membersOf(directory, below(directory, directory.managedBy.get(me) ?? []))];
  while (queue.length) {
    const user = queue.pop()!;
    if (user === me || found.has(user)) continue;
    found.add(user);
    queue.push(...(directory.reports.get(user) ?? []));
  }
  return found;
}

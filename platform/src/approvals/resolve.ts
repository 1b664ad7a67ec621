import { listRoleMembers, listRoles } from '../access/index.ts';
import type { ApproverRule } from '../contracts/approvals.ts';
import type { Ctx } from '../core/context.ts';
import { isUuid } from '../core/references.ts';
import { getActorProfile, getDepartment, getUser } from '../org/index.ts';

/** How far "A is away, B takes A's approvals; B is away too…" is followed before it stops. */
const MAX_DELEGATION_HOPS = 3;

const ids = (value: unknown): string[] => (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string' && isUuid(v));

/** Whoever holds the role with this key (builtin roles: `admin`, the administrators; `member`, everyone). */
export async function roleHolders(ctx: Ctx, key: string): Promise<string[]> {
  const role = (await listRoles(ctx)).find((r) => r.key === key);
  return role ? (await listRoleMembers(ctx, role.id)).map((m) => m.id) : [];
}

/** The manager `level` steps up from `userId` (1: her own manager), or null where the chain ends. */
async function managerUp(ctx: Ctx, userId: string, level: number): Promise<string | null> {
  let id: string | null = userId;
  for (let i = 0; i < level && id; i++) id = await getUser(ctx, id).then((u) => u.managerId, () => null);
  return id;
}

async function departmentHead(ctx: Ctx, submitter: string | null, department: string | undefined, up: number): Promise<string | null> {
  let id: string | null = department ?? (submitter ? ((await getActorProfile(ctx, submitter))?.mainDepartmentId ?? null) : null);
  for (let i = 0; i < up && id; i++) id = await getDepartment(ctx, id).then((d) => d.parentId, () => null);
  if (!id) return null;
  return getDepartment(ctx, id).then((d) => d.managerId, () => null);
}

/**
 * The people a level's rules name, each once, in the order the rules give them, active users only.
 * `computed` holds the values of the level's expression rules, in rule order (evaluated together with
 * its condition by the caller).
 */
export async function approversOf(ctx: Ctx, rules: ApproverRule[], input: { submitter: string | null; record: Record<string, unknown> | null; computed: unknown[] }): Promise<string[]> {
  const found: string[] = [];
  let expression = 0;
  for (const rule of rules) {
    switch (rule.kind) {
      case 'users':
        found.push(...rule.users);
        break;
      case 'role':
        found.push(...(await roleHolders(ctx, rule.role)));
        break;
      case 'manager': {
        const manager = input.submitter ? await managerUp(ctx, input.submitter, rule.level) : null;
        if (manager) found.push(manager);
        break;
      }
      case 'department_head': {
        const head = await departmentHead(ctx, input.submitter, rule.department, rule.up);
        if (head) found.push(head);
        break;
      }
      case 'field':
        found.push(...ids(input.record?.[rule.field]));
        break;
      case 'expression':
        found.push(...ids(input.computed[expression++]));
        break;
    }
  }
  return activeOnly(ctx, [...new Set(found.map((id) => id.toLowerCase()))]);
}

export async function activeOnly(ctx: Ctx, userIds: string[]): Promise<string[]> {
  const profiles = await Promise.all(userIds.map((id) => getActorProfile(ctx, id)));
  return userIds.filter((_, i) => profiles[i]?.status === 'active');
}

/**
 * Who acts for `userId` now: her delegate while a delegation of hers runs (and that delegate's, and so
 * on), or herself. `onBehalfOf` names her when someone else acts.
 */
export async function assigneeFor(ctx: Ctx, userId: string, at = new Date()): Promise<{ assignee: string; onBehalfOf: string | null }> {
  const seen = new Set([userId]);
  let assignee = userId;
  for (let hop = 0; hop < MAX_DELEGATION_HOPS; hop++) {
    const rule = await ctx.db
      .selectFrom('approval_delegations')
      .select('delegate_id')
      .where('user_id', '=', assignee)
      .where('starts_at', '<=', at)
      .where('ends_at', '>', at)
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
    if (!rule || seen.has(rule.delegate_id) || (await activeOnly(ctx, [rule.delegate_id])).length === 0) break;
    seen.add(rule.delegate_id);
    assignee = rule.delegate_id;
  }
  return { assignee, onBehalfOf: assignee === userId ? null : userId };
}

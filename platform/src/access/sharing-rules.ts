import type { Selectable } from 'kysely';
import { appendAudit } from '../audit/index.ts';
import type { CreateSharingRule, SharingRule, UpdateSharingRule } from '../contracts/access.ts';
import { AppError } from '../core/app-error.ts';
import { inTransaction, type Ctx } from '../core/context.ts';
import { jsonb, type WorkspaceDB } from '../db/tables.ts';
import { publishedObject } from '../meta/index.ts';
import { compileFilter } from '../records/filter.ts';
import { assertGrantee, granteeColumns, grantee } from './grantees.ts';
import { forgetAccess } from './model.ts';

const toRule = (r: Selectable<WorkspaceDB['sharing_rules']>): SharingRule => ({
  id: r.id,
  object: r.object,
  name: r.name,
  filter: r.filter,
  grantee: grantee(r),
  access: r.access,
  updatedAt: new Date(r.updated_at).toISOString(),
});

const PERSONAL = new Set(['$me', '$my_department']);

/**
 * A rule holds for everyone alike, so a value meaning "whoever is asking" has no meaning in it.
 * Walked with a stack: the body may nest deeper than the call stack would bear.
 */
function assertSameForEveryone(tree: unknown): void {
  const stack = [tree];
  while (stack.length) {
    const value = stack.pop();
    if (typeof value === 'string' && PERSONAL.has(value)) {
      const reason = `"${value}" depends on who is asking, but a sharing rule is the same for everyone`;
      throw new AppError('INVALID_FILTER', 400, { params: { reason }, details: { reason } });
    }
    if (value && typeof value === 'object') for (const child of Object.values(value)) stack.push(child);
  }
}

async function checkFilter(ctx: Ctx, objectName: string, filter: unknown): Promise<void> {
  const object = await publishedObject(ctx, objectName);
  assertSameForEveryone(filter);
  compileFilter(object, filter, { actorId: null, departmentId: null, timeZone: ctx.platform.config.timeZone });
}

/** Rules of objects archived since stay listed (and deletable): they come back with the object. */
export async function listSharingRules(ctx: Ctx, object?: string): Promise<SharingRule[]> {
  let query = ctx.db.selectFrom('sharing_rules').selectAll().orderBy('created_at').orderBy('id');
  if (object) query = query.where('object', '=', object);
  return (await query.execute()).map(toRule);
}

async function lockedRule(tx: Ctx, id: string): Promise<SharingRule> {
  const row = await tx.db.selectFrom('sharing_rules').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row) throw new AppError('SHARING_RULE_NOT_FOUND', 404);
  return toRule(row);
}

export async function createSharingRule(ctx: Ctx, input: CreateSharingRule): Promise<SharingRule> {
  await checkFilter(ctx, input.object, input.filter);
  return inTransaction(ctx, async (tx) => {
    await assertGrantee(tx, input.grantee);
    const row = await tx.db
      .insertInto('sharing_rules')
      .values({ object: input.object, name: input.name, filter: jsonb(input.filter), access: input.access, ...granteeColumns(input.grantee) })
      .returningAll()
      .executeTakeFirstOrThrow();
    const rule = toRule(row);
    const { id, updatedAt, ...details } = rule;
    await appendAudit(tx, { action: 'access.rule.create', targetType: 'sharing_rule', targetId: id, details });
    await forgetAccess(tx);
    return rule;
  });
}

export async function updateSharingRule(ctx: Ctx, id: string, patch: UpdateSharingRule): Promise<SharingRule> {
  return inTransaction(ctx, async (tx) => {
    const before = await lockedRule(tx, id);
    if (patch.filter !== undefined) await checkFilter(tx, before.object, patch.filter);
    if (patch.grantee) await assertGrantee(tx, patch.grantee);
    const row = await tx.db
      .updateTable('sharing_rules')
      .set({
        ...(patch.name !== undefined && { name: patch.name }),
        ...(patch.filter !== undefined && { filter: jsonb(patch.filter) }),
        ...(patch.access !== undefined && { access: patch.access }),
        ...(patch.grantee && granteeColumns(patch.grantee)),
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const after = toRule(row);
    const changed = (Object.keys(patch) as (keyof UpdateSharingRule)[]).filter((k) => patch[k] !== undefined);
    const pick = (r: SharingRule) => Object.fromEntries(changed.map((k) => [k, r[k]]));
    await appendAudit(tx, { action: 'access.rule.update', targetType: 'sharing_rule', targetId: id, details: { object: before.object, name: before.name, from: pick(before), to: pick(after) } });
    await forgetAccess(tx);
    return after;
  });
}

export async function deleteSharingRule(ctx: Ctx, id: string): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const { updatedAt, ...rule } = await lockedRule(tx, id);
    await tx.db.deleteFrom('sharing_rules').where('id', '=', id).execute();
    await appendAudit(tx, { action: 'access.rule.delete', targetType: 'sharing_rule', targetId: id, details: rule });
    await forgetAccess(tx);
  });
}

import { sql } from 'kysely';
import type { AccessExplanation, AccessReason, MyObjectAccess } from '../contracts/access.ts';
import { AppError } from '../core/app-error.ts';
import type { Ctx } from '../core/context.ts';
import { publishedObject } from '../meta/index.ts';
import { getActorProfile } from '../org/index.ts';
import { accessOfUser, accessTo } from './object-access.ts';
import { accessModel } from './model.ts';
import { sharedWith } from './predicates.ts';

/**
 * Why `userId` can or cannot read, change and delete a record: each access part that builds her list
 * filter is evaluated on the record by itself, and shares are named one by one.
 */
export async function explainAccess(ctx: Ctx, objectName: string, recordId: string, userId: string): Promise<AccessExplanation> {
  const object = await publishedObject(ctx, objectName);
  const user = await getActorProfile(ctx, userId);
  if (!user) throw new AppError('USER_NOT_FOUND', 404);
  const access = await accessOfUser(ctx, userId, object, user.isAdmin);
  const table = sql.table(`${ctx.workspace.schemas.data}.${object.name}`);
  const checks = access.parts.map((part, i) => sql`${part.sql ?? sql`true`}`.as(`p${i}`));
  const row = (await ctx.db
    .withoutPlugins()
    .selectFrom(table.as('t'))
    .select([sql`t.id`.as('id'), ...checks])
    .where(sql<boolean>`t.id = ${recordId}`)
    .executeTakeFirst()) as Record<string, unknown> | undefined;
  const holds = access.parts.filter((_, i) => row?.[`p${i}`] === true);
  const reasons: AccessReason[] = [];
  for (const part of holds) {
    const reason = { grants: part.grants, kind: part.kind, role: part.role, scope: part.scope, shareId: null, ruleId: part.ruleId, description: part.description };
    if (part.kind !== 'share') reasons.push(reason);
    else if (!reasons.some((r) => r.kind === 'share')) {
      const shares = await ctx.db
        .selectFrom('record_shares as s')
        .select(['s.id', 's.access'])
        .where('s.object', '=', object.name)
        .where('s.record_id', '=', recordId)
        .where(sharedWith(userId, access.effective.roles.map((r) => r.id), (await accessModel(ctx)).directory))
        .execute();
      const editable = access.effective.edit !== 'none';
      for (const s of shares) reasons.push({ ...reason, shareId: s.id, grants: s.access === 'edit' && editable ? ['read', 'edit'] : ['read'], description: `record shared (${s.access})` });
    }
  }
  const may = (action: 'read' | 'edit' | 'delete') => reasons.some((r) => r.grants.includes(action));
  return {
    userId,
    object: object.name,
    recordId,
    recordExists: row !== undefined,
    read: may('read'),
    edit: may('edit'),
    delete: may('delete'),
    roles: access.effective.roles,
    reasons,
    fields: Object.fromEntries(access.effective.fields),
  };
}

/** What the calling user may do with an object, for screens that hide buttons and columns she cannot use. */
export async function myObjectAccess(ctx: Ctx, objectName: string): Promise<MyObjectAccess> {
  const { effective } = await accessTo(ctx, await publishedObject(ctx, objectName));
  return {
    object: objectName,
    create: effective.create,
    read: effective.read,
    edit: effective.edit,
    delete: effective.delete,
    viewAll: effective.viewAll,
    modifyAll: effective.modifyAll,
    fields: Object.fromEntries(effective.fields),
  };
}

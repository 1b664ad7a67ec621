import { appendAudit } from '../audit/index.ts';
import type { ObjectAccessSettings } from '../contracts/access.ts';
import { inTransaction, type Ctx } from '../core/context.ts';
import { publishedObject } from '../meta/index.ts';
import { forgetAccess } from './model.ts';

/** Managers read their reports' records unless an object says otherwise. */
const DEFAULT: ObjectAccessSettings = { managerAccess: 'read' };

export async function getObjectSettings(ctx: Ctx, objectName: string): Promise<ObjectAccessSettings> {
  const object = await publishedObject(ctx, objectName);
  const row = await ctx.db.selectFrom('object_access').select('manager_access').where('object', '=', object.name).executeTakeFirst();
  return row ? { managerAccess: row.manager_access } : DEFAULT;
}

export async function setObjectSettings(ctx: Ctx, objectName: string, input: ObjectAccessSettings): Promise<ObjectAccessSettings> {
  const object = await publishedObject(ctx, objectName);
  return inTransaction(ctx, async (tx) => {
    const before = await getObjectSettings(tx, object.name);
    await tx.db
      .insertInto('object_access')
      .values({ object: object.name, manager_access: input.managerAccess })
      .onConflict((oc) => oc.column('object').doUpdateSet({ manager_access: input.managerAccess }))
      .execute();
    await appendAudit(tx, { action: 'access.object.update', targetType: 'object', targetId: object.name, details: { from: before, to: input } });
    await forgetAccess(tx);
    return input;
  });
}

import { sql } from 'kysely';
import { appendAudit } from '../audit/index.ts';
import type { CreateShare, RecordShare } from '../contracts/access.ts';
import { AppError } from '../core/app-error.ts';
import { actorId, inTransaction, type Ctx } from '../core/context.ts';
import { publishEvent } from '../events/index.ts';
import { publishedObject } from '../meta/index.ts';
import { assertGrantee, granteeColumns, grantee } from './grantees.ts';
import { accessTo, type ObjectAccess } from './object-access.ts';
import { readableRecords } from './readable-records.ts';

type ShareRow = { id: string; object: string; record_id: string; user_id: string | null; department_id: string | null; role_id: string | null; access: 'read' | 'edit'; created_by: string | null; created_at: Date | string };

const toShare = (r: ShareRow): RecordShare => ({
  id: r.id,
  object: r.object,
  recordId: r.record_id,
  grantee: grantee(r),
  access: r.access,
  createdBy: r.created_by,
  createdAt: new Date(r.created_at).toISOString(),
});

/** The record's owner, if the user may read the record at all (otherwise it does not exist for her: 404). */
async function readableOwner(ctx: Ctx, access: ObjectAccess, id: string): Promise<string | null> {
  const found = await readableRecords(ctx, access, [id]);
  if (!found.has(id)) throw new AppError('RECORD_NOT_FOUND', 404);
  return found.get(id)!;
}

/** Sharing a record is for its owner and for whoever may modify all records of the object. */
async function assertMayShare(ctx: Ctx, access: ObjectAccess, id: string): Promise<void> {
  const owner = await readableOwner(ctx, access, id);
  if (owner !== actorId(ctx) && !access.effective.modifyAll) throw new AppError('RECORD_ACCESS_DENIED', 403);
}

export async function listShares(ctx: Ctx, objectName: string, recordId: string): Promise<RecordShare[]> {
  const access = await accessTo(ctx, await publishedObject(ctx, objectName));
  await readableOwner(ctx, access, recordId);
  const rows = await ctx.db.selectFrom('record_shares').selectAll().where('object', '=', access.object.name).where('record_id', '=', recordId).orderBy('created_at').execute();
  return rows.map(toShare);
}

/** Shares a record with a user, a department (and every department below it) or a role; sharing again changes the access. */
export async function shareRecord(ctx: Ctx, objectName: string, recordId: string, input: CreateShare): Promise<RecordShare> {
  const access = await accessTo(ctx, await publishedObject(ctx, objectName));
  return inTransaction(ctx, async (tx) => {
    await assertMayShare(tx, access, recordId);
    await assertGrantee(tx, input.grantee);
    const row = await tx.db
      .insertInto('record_shares')
      .values({ object: access.object.name, record_id: recordId, ...granteeColumns(input.grantee), access: input.access, created_by: actorId(tx) })
      .onConflict((oc) => oc.expression(sql`object, record_id, coalesce(user_id, department_id, role_id)`).doUpdateSet({ access: input.access }))
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendAudit(tx, { action: 'access.share.create', targetType: 'record', targetId: recordId, details: { object: access.object.name, grantee: input.grantee, access: input.access } });
    return toShare(row);
  });
}

export async function unshareRecord(ctx: Ctx, objectName: string, recordId: string, shareId: string): Promise<void> {
  const access = await accessTo(ctx, await publishedObject(ctx, objectName));
  await inTransaction(ctx, async (tx) => {
    await assertMayShare(tx, access, recordId);
    const row = await tx.db.deleteFrom('record_shares').where('id', '=', shareId).where('object', '=', access.object.name).where('record_id', '=', recordId).returningAll().executeTakeFirst();
    if (!row) throw new AppError('SHARE_NOT_FOUND', 404);
    await appendAudit(tx, { action: 'access.share.delete', targetType: 'record', targetId: recordId, details: { object: access.object.name, grantee: grantee(row), access: row.access } });
    // Whoever read the record through this share leaves its thread's room (realtime consumes this).
    await publishEvent(tx, { aggregateType: 'record', aggregateId: `${access.object.name}:${recordId}`, type: 'record.access_changed', payload: { object: access.object.name, id: recordId } });
  });
}

/** A deleted record's shares go with it (in its transaction): they have no foreign key to hold them. */
export async function forgetShares(tx: Ctx, object: string, recordId: string): Promise<void> {
  await tx.db.deleteFrom('record_shares').where('object', '=', object).where('record_id', '=', recordId).execute();
}

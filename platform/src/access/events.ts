import type { Ctx } from '../core/context.ts';
import { publishedObjects } from '../meta/index.ts';
import { accessOfUser } from './object-access.ts';
import { readableRecords } from './readable-records.ts';

export type RecordEventPayload = { object: string; id: string; version?: number; changed?: string[] };

/**
 * A record event as one user may receive it (sockets, notifications, webhooks run as a user): null when
 * she may not read the record, and without the names of fields she may not see. A deleted record can
 * no longer be checked row by row, so its deletion reaches whoever may read records of the object.
 */
export async function recordEventFor(ctx: Ctx, user: { id: string; isAdmin: boolean }, type: string, payload: RecordEventPayload): Promise<RecordEventPayload | null> {
  const object = (await publishedObjects(ctx)).objects.get(payload.object);
  if (!object) return null;
  const access = await accessOfUser(ctx, user.id, object, user.isAdmin);
  if (!access.canRead) return null;
  if (type !== 'record.deleted' && !(await readableRecords(ctx, access, [payload.id])).has(payload.id)) return null;
  return payload.changed ? { ...payload, changed: payload.changed.filter((name) => !access.hidden.has(name)) } : payload;
}

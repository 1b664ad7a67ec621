import { sql } from 'kysely';
import { accessTo, readableRecords } from '../access/index.ts';
import type { RecordLink } from '../contracts/threads.ts';
import { AppError } from '../core/app-error.ts';
import type { Ctx } from '../core/context.ts';
import { jsonb } from '../db/tables.ts';
import { addFileLinkReader, readableFiles } from '../files/index.ts';
import { publishedObjects } from '../meta/index.ts';
import { mayReadThread } from './thread-access.ts';

/**
 * Files a message may carry: any the sender may read (she uploaded it, or it is on a record or in a
 * conversation she may read). Anything else refuses the whole message, naming the ids.
 */
export async function attachableFiles(ctx: Ctx, ids: readonly string[]): Promise<string[]> {
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return [];
  const found = new Set((await readableFiles(ctx, wanted)).map((f) => f.id));
  const refused = wanted.filter((id) => !found.has(id));
  if (refused.length) throw new AppError('ATTACHMENT_NOT_FOUND', 422, { params: { count: refused.length }, details: { fileIds: refused } });
  return wanted;
}

/** Records a message may link to: only ones the sender may read, so a card never names a record to someone who gave no proof of access. */
export async function linkableRecords(ctx: Ctx, links: readonly RecordLink[]): Promise<RecordLink[]> {
  const unique = [...new Map(links.map((l) => [`${l.object}:${l.recordId}`, l])).values()];
  if (unique.length === 0) return [];
  const { objects } = await publishedObjects(ctx);
  for (const [name, list] of Map.groupBy(unique, (l) => l.object)) {
    const object = objects.get(name);
    const readable = object ? await readableRecords(ctx, await accessTo(ctx, object), list.map((l) => l.recordId)) : new Map();
    const missing = list.filter((l) => !readable.has(l.recordId));
    if (missing.length) throw new AppError('LINKED_RECORD_NOT_FOUND', 422, { details: { links: missing } });
  }
  return unique;
}

/**
 * A file sent in a conversation is readable by whoever may read one of the conversations it was sent
 * (or forwarded) to. A recalled message no longer carries its files.
 */
async function readableThroughMessages(ctx: Ctx, fileId: string): Promise<boolean> {
  const threads = await ctx.db
    .selectFrom('messages')
    .select('thread_id')
    .distinct()
    .where(sql<boolean>`attachments <> '[]'::jsonb and attachments @> ${jsonb([fileId])}`)
    .limit(50)
    .execute();
  for (const { thread_id } of threads) {
    if (await mayReadThread(ctx, thread_id)) return true;
  }
  return false;
}

addFileLinkReader(readableThroughMessages);

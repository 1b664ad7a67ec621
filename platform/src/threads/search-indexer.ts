import { AppError } from '../core/app-error.ts';
import type { Ctx } from '../core/context.ts';
import type { DeliveredEvent, OutboxDispatcher } from '../events/index.ts';
import { publishedObjects } from '../meta/index.ts';
import { getRecord } from '../records/service.ts';
import { backfillChunk, scheduleSearchBackfills } from './search-backfill.ts';
import { messageEntry, messageSources, putEntries, recordEntry, removeRecordEntries } from './search-entries.ts';

/** Fields without a column of their own: `changed` never names them, so a name of this kind is re-read on every update. */
const COMPUTED = new Set(['formula', 'rollup']);

const indexed = new WeakMap<readonly DeliveredEvent[], Promise<void>>();
const writesText = (e: DeliveredEvent) => e.type === 'message.created' || (e.type === 'message.updated' && (e.payload.change === 'edited' || e.payload.change === 'recalled'));

/**
 * Indexes every message of a claimed batch that was written, edited or recalled, as each is now, in
 * two statements: a busy thread's messages become searchable at the rate they are written. A failure
 * is not kept, so the next event of the batch tries again.
 */
function indexMessagesOf(ctx: Ctx, batch: readonly DeliveredEvent[]): Promise<void> {
  let done = indexed.get(batch);
  if (!done) {
    const ids = [...new Set(batch.filter(writesText).map((e) => e.payload.messageId as string))];
    done = messageSources(ctx)
      .where('m.id', 'in', ids)
      .execute()
      .then((rows) => putEntries(ctx, rows.map(messageEntry), 'message_id'));
    indexed.set(batch, done);
    done.catch(() => indexed.delete(batch));
  }
  return done;
}

/**
 * A record is re-read as the system so every field is there. An update that names its changes and
 * not the name field leaves the entry as it is.
 */
async function indexRecord(ctx: Ctx, objectName: string, recordId: string, changed: string[] | null): Promise<void> {
  const object = (await publishedObjects(ctx)).objects.get(objectName);
  const field = object?.fields.find((f) => f.name === object.recordName);
  if (!object || !field) return;
  if (changed && !COMPUTED.has(field.type) && !changed.includes(field.name)) return;
  const record = await getRecord(ctx, objectName, recordId).catch((error: unknown) => {
    // Deleted since: its record.deleted event follows this one.
    if (error instanceof AppError && error.code === 'RECORD_NOT_FOUND') return null;
    throw error;
  });
  if (record) await putEntries(ctx, [recordEntry(objectName, record, object.recordName)], 'record');
}

async function indexFile(ctx: Ctx, fileId: string): Promise<void> {
  const file = await ctx.db.selectFrom('files').select(['id', 'name', 'created_at']).where('id', '=', fileId).executeTakeFirst();
  if (file) await putEntries(ctx, [{ kind: 'file', file_id: file.id, body: file.name, created_at: file.created_at }], 'file_id');
}

async function index(event: DeliveredEvent, ctx: Ctx, batch: readonly DeliveredEvent[]): Promise<void> {
  const p = event.payload;
  // A recalled message's text is gone: re-indexing its empty body removes its entry.
  if (writesText(event)) return indexMessagesOf(ctx, batch);
  switch (event.type) {
    case 'record.created':
    case 'record.updated':
      return indexRecord(ctx, p.object as string, p.id as string, event.type === 'record.updated' && Array.isArray(p.changed) ? (p.changed as string[]) : null);
    case 'record.deleted':
      return removeRecordEntries(ctx, p.object as string, [p.id as string]);
    case 'file.uploaded':
      return indexFile(ctx, p.fileId as string);
    case 'meta.published':
      // A record name field changed, or an object came or went.
      return void (await scheduleSearchBackfills(ctx, p.version as number));
    case 'search.backfill':
      return backfillChunk(ctx, p as { source: string; indexedAs: string; cursor: string | null });
  }
}

/**
 * The `search` outbox consumer keeps `search_entries` up to date: texts as they are written, and
 * back-fills (search-backfill.ts) of what was written before, or indexed under another name field.
 */
export function registerSearchIndexing(outbox: OutboxDispatcher): void {
  outbox.register('search', index, { types: ['message.created', 'message.updated', 'record.created', 'record.updated', 'record.deleted', 'file.uploaded', 'meta.published', 'search.backfill'] });
}

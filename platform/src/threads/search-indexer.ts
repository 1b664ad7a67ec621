import { sql } from 'kysely';
import { AppError } from '../core/app-error.ts';
import type { Ctx } from '../core/context.ts';
import type { DeliveredEvent, OutboxDispatcher } from '../events/index.ts';
import { publishedObjects } from '../meta/index.ts';
import { getRecord } from '../records/service.ts';
import { tsvectorLiteral } from './search-tokens.ts';

type Entry = {
  kind: 'message' | 'record' | 'file';
  thread_id?: string;
  message_id?: string;
  seq?: string | number;
  object?: string | null;
  record_id?: string | null;
  file_id?: string;
  body: string;
  created_at: Date | string;
};

/** Fields without a column of their own: `changed` never names them, so a name of this kind is re-read on every update. */
const COMPUTED = new Set(['formula', 'rollup']);

/**
 * Writes or replaces the entry of one text. Deliveries come at least once, so writing is an upsert on
 * the entry's own key. A text without lexemes (punctuation only) is not searchable: its entry goes.
 */
async function put(ctx: Ctx, entry: Entry, key: 'message_id' | 'file_id' | 'record'): Promise<void> {
  const lexemes = tsvectorLiteral(entry.body);
  if (!lexemes) {
    if (key === 'record') await removeRecord(ctx, entry.object!, entry.record_id!);
    else await ctx.db.deleteFrom('search_entries').where(key, '=', entry[key]!).execute();
    return;
  }
  await ctx.db
    .insertInto('search_entries')
    .values({ ...entry, lexemes: sql<string>`${lexemes}::tsvector` })
    .onConflict((oc) => {
      // A literal, not a parameter: PostgreSQL must prove the partial index's predicate, which a generic plan cannot.
      const target = key === 'record' ? oc.columns(['object', 'record_id']).where('kind', '=', sql.lit('record')) : oc.column(key);
      return target.doUpdateSet((eb) => ({ body: eb.ref('excluded.body'), lexemes: sql<string>`excluded.lexemes` }));
    })
    .execute();
}

const removeRecord = (ctx: Ctx, object: string, recordId: string) =>
  ctx.db.deleteFrom('search_entries').where('kind', '=', 'record').where('object', '=', object).where('record_id', '=', recordId).execute();

/**
 * People's messages only. System messages have no text of their own: they are rendered per reader from
 * their payload, which may name fields hidden from her, so indexing them would let a search reveal a
 * hidden value. The record's name is searchable as the record itself.
 */
async function indexMessage(ctx: Ctx, messageId: string): Promise<void> {
  const message = await ctx.db
    .selectFrom('messages as m')
    .innerJoin('threads as t', 't.id', 'm.thread_id')
    .select(['m.id', 'm.thread_id', 'm.seq', 'm.kind', 'm.body', 'm.created_at', 't.object', 't.record_id'])
    .where('m.id', '=', messageId)
    .executeTakeFirst();
  if (!message || message.kind !== 'user') return;
  const { id, thread_id, seq, object, record_id, body, created_at } = message;
  await put(ctx, { kind: 'message', message_id: id, thread_id, seq, object, record_id, body, created_at }, 'message_id');
}

/**
 * A record is found by its name field (the object's `recordName`), re-read as the system so every field
 * is there. An update that names its changes and not the name field leaves the entry as it is.
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
  if (!record) return;
  const value = record[object.recordName];
  const body = typeof value === 'string' || typeof value === 'number' ? String(value) : '';
  await put(ctx, { kind: 'record', object: objectName, record_id: recordId, body, created_at: record.created_at as string }, 'record');
}

async function indexFile(ctx: Ctx, fileId: string): Promise<void> {
  const file = await ctx.db.selectFrom('files').select(['id', 'name', 'created_at']).where('id', '=', fileId).executeTakeFirst();
  if (file) await put(ctx, { kind: 'file', file_id: file.id, body: file.name, created_at: file.created_at }, 'file_id');
}

async function index(event: DeliveredEvent, ctx: Ctx): Promise<void> {
  const p = event.payload;
  switch (event.type) {
    case 'message.created':
      return indexMessage(ctx, p.messageId as string);
    case 'message.updated':
      // A recalled message's text is gone: re-indexing its empty body removes its entry.
      if (p.change === 'edited' || p.change === 'recalled') await indexMessage(ctx, p.messageId as string);
      return;
    case 'record.created':
    case 'record.updated':
      return indexRecord(ctx, p.object as string, p.id as string, event.type === 'record.updated' && Array.isArray(p.changed) ? (p.changed as string[]) : null);
    case 'record.deleted':
      return void (await removeRecord(ctx, p.object as string, p.id as string));
    case 'file.uploaded':
      return indexFile(ctx, p.fileId as string);
  }
}

/**
 * The `search` outbox consumer keeps `search_entries` up to date. Texts written before it existed are
 * not back-filled: they become searchable when next written.
 */
export function registerSearchIndexing(outbox: OutboxDispatcher): void {
  outbox.register('search', index);
}

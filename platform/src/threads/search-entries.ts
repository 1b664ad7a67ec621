import { sql } from 'kysely';
import type { Ctx } from '../core/context.ts';
import { tsvectorLiteral } from './search-tokens.ts';

export type SearchEntry = {
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

/** What identifies a text's entry: a message, a file, or a record (by object and id). */
export type EntryKey = 'message_id' | 'file_id' | 'record';

/**
 * Writes or replaces the entries of texts of one kind, in one statement. Deliveries come at least once
 * and back-fills overlap live indexing, so writing is an upsert on the entry's own key. A text without
 * lexemes (punctuation only, or a recalled message) is not searchable: its entry goes.
 */
export async function putEntries(ctx: Ctx, entries: SearchEntry[], key: EntryKey): Promise<void> {
  const written = [];
  const emptied = [];
  for (const entry of entries) {
    const lexemes = tsvectorLiteral(entry.body);
    if (lexemes) written.push({ ...entry, lexemes: sql<string>`${lexemes}::tsvector` });
    else emptied.push(entry);
  }
  if (emptied.length) await removeEntries(ctx, emptied, key);
  if (!written.length) return;
  await ctx.db
    .insertInto('search_entries')
    .values(written)
    .onConflict((oc) => {
      // A literal, not a parameter: PostgreSQL must prove the partial index's predicate, which a generic plan cannot.
      const target = key === 'record' ? oc.columns(['object', 'record_id']).where('kind', '=', sql.lit('record')) : oc.column(key);
      return target.doUpdateSet((eb) => ({ body: eb.ref('excluded.body'), lexemes: sql<string>`excluded.lexemes` }));
    })
    .execute();
}

async function removeEntries(ctx: Ctx, entries: SearchEntry[], key: EntryKey): Promise<void> {
  if (key !== 'record') {
    await ctx.db.deleteFrom('search_entries').where(key, 'in', entries.map((e) => e[key]!)).execute();
    return;
  }
  for (const [object, some] of Map.groupBy(entries, (e) => e.object!)) {
    await removeRecordEntries(ctx, object, some.map((e) => e.record_id!));
  }
}

/** The entries of some records of an object, or of all of them. */
export async function removeRecordEntries(ctx: Ctx, object: string, recordIds?: string[]): Promise<void> {
  let query = ctx.db.deleteFrom('search_entries').where('kind', '=', 'record').where('object', '=', object);
  if (recordIds) query = query.where('record_id', 'in', recordIds);
  await query.execute();
}

/**
 * People's messages with what their entries need. System messages have no text of their own: they are
 * rendered per reader from their payload, which may name fields hidden from her, so indexing them
 * would let a search reveal a hidden value. The record's name is searchable as the record itself.
 */
export const messageSources = (ctx: Ctx) =>
  ctx.db
    .selectFrom('messages as m')
    .innerJoin('threads as t', 't.id', 'm.thread_id')
    .select(['m.id', 'm.thread_id', 'm.seq', 'm.body', 'm.created_at', 't.object', 't.record_id'])
    .where('m.kind', '=', 'user');

export const messageEntry = (m: { id: string; thread_id: string; seq: string | number; body: string; created_at: Date | string; object: string | null; record_id: string | null }): SearchEntry => ({
  kind: 'message',
  message_id: m.id,
  thread_id: m.thread_id,
  seq: m.seq,
  object: m.object,
  record_id: m.record_id,
  body: m.body,
  created_at: m.created_at,
});

/** A record is found by its name field (the object's `recordName`); a name that is not text or a number is not searchable. */
export function recordEntry(object: string, record: Record<string, unknown>, recordName: string): SearchEntry {
  const value = record[recordName];
  const body = typeof value === 'string' || typeof value === 'number' ? String(value) : '';
  return { kind: 'record', object, record_id: record.id as string, body, created_at: record.created_at as string };
}

import { sql } from 'kysely';
import { inTransaction, type Ctx } from '../core/context.ts';
import { jsonb } from '../db/tables.ts';
import { publishEvent } from '../events/index.ts';
import { forgetPublished, publishedObjects } from '../meta/index.ts';
import { listRecords } from '../records/list-records.ts';
import { messageEntry, messageSources, putEntries, recordEntry, removeRecordEntries } from './search-entries.ts';

/** The tokeniser's version (search-tokens.ts): bump it when tokens change, and every text is indexed again. */
const TOKENS = 't1';
/**
 * Texts per chunk: each chunk is one transaction and one outbox delivery. Small, because on the embedded
 * database a chunk's statements hold its one connection: chat waits for at most one of them.
 */
const CHUNK = 100;

type Chunk = { source: string; indexedAs: string; cursor: string | null };

const RECORDS = 'records:';

/** Every source and how it should be indexed now: messages, files, and each published object's records under its name field. */
async function wantedSources(ctx: Ctx): Promise<Map<string, string>> {
  const wanted = new Map([
    ['messages', TOKENS],
    ['files', TOKENS],
  ]);
  for (const object of (await publishedObjects(ctx)).objects.values()) wanted.set(`${RECORDS}${object.name}`, `${TOKENS}:${object.recordName}`);
  return wanted;
}

/**
 * Starts a back-fill of each source not indexed as it should be: at start-up (texts written before
 * search existed) and after a publish (a new name field, a new object). Entries of objects no longer
 * published go. Processes may call this at once: the upsert lets one of them start each back-fill, and
 * a back-fill still running under an older name is superseded. Returns the sources started.
 */
export async function scheduleSearchBackfills(ctx: Ctx, version?: number): Promise<string[]> {
  // This process may not have heard the publish's notification yet.
  if (version !== undefined && (await publishedObjects(ctx)).version < version) forgetPublished(ctx.workspace.schemas.system);
  return inTransaction(ctx, async (tx) => {
    const wanted = await wantedSources(tx);
    const sources = jsonb([...wanted].map(([source, indexed_as]) => ({ source, indexed_as })));
    const table = sql.table(`${tx.workspace.schemas.system}.search_sources`);
    const started = await sql<{ source: string; indexed_as: string }>`
      insert into ${table} as s (source, indexed_as)
      select source, indexed_as from jsonb_to_recordset(${sources}) as v(source text, indexed_as text)
      on conflict (source) do update set indexed_as = excluded.indexed_as, cursor = null, done_at = null, updated_at = now()
      where s.indexed_as <> excluded.indexed_as
      returning source, indexed_as`.execute(tx.db);
    const gone = await tx.db.deleteFrom('search_sources').where('source', 'like', `${RECORDS}%`).where('source', 'not in', [...wanted.keys()]).returning('source').execute();
    for (const { source } of gone) await removeRecordEntries(tx, source.slice(RECORDS.length));
    for (const { source, indexed_as } of started.rows) await publishChunk(tx, { source, indexedAs: indexed_as, cursor: null });
    return started.rows.map((r) => r.source).sort();
  });
}

const publishChunk = (tx: Ctx, chunk: Chunk) =>
  publishEvent(tx, { aggregateType: 'search', aggregateId: chunk.source, type: 'search.backfill', payload: chunk, actorId: null });

/**
 * Indexes one chunk of a back-fill and, in the same transaction, moves its cursor and asks for the
 * next chunk. A chunk delivered again (a process died after its commit), or one of a back-fill since
 * superseded, finds the cursor elsewhere and does nothing: there is only ever one chain per source.
 */
export async function backfillChunk(ctx: Ctx, chunk: Chunk): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const state = await tx.db.selectFrom('search_sources').selectAll().where('source', '=', chunk.source).forUpdate().executeTakeFirst();
    if (!state || state.done_at || state.indexed_as !== chunk.indexedAs || state.cursor !== chunk.cursor) return;
    const next = await indexChunk(tx, chunk);
    await tx.db
      .updateTable('search_sources')
      .set({ cursor: next, done_at: next ? null : new Date(), updated_at: new Date() })
      .where('source', '=', chunk.source)
      .execute();
    if (next) await publishChunk(tx, { ...chunk, cursor: next });
  });
}

/** Indexes the texts of a source after the cursor; returns the next cursor, or null at the end. */
async function indexChunk(tx: Ctx, { source, indexedAs, cursor }: Chunk): Promise<string | null> {
  if (source === 'messages') {
    let query = messageSources(tx).orderBy('m.id').limit(CHUNK);
    if (cursor) query = query.where('m.id', '>', cursor);
    const rows = await query.execute();
    await putEntries(tx, rows.map(messageEntry), 'message_id');
    return rows.length === CHUNK ? rows.at(-1)!.id : null;
  }
  if (source === 'files') {
    let query = tx.db.selectFrom('files').select(['id', 'name', 'created_at']).orderBy('id').limit(CHUNK);
    if (cursor) query = query.where('id', '>', cursor);
    const rows = await query.execute();
    await putEntries(tx, rows.map((f) => ({ kind: 'file' as const, file_id: f.id, body: f.name, created_at: f.created_at })), 'file_id');
    return rows.length === CHUNK ? rows.at(-1)!.id : null;
  }
  const object = source.slice(RECORDS.length);
  const recordName = indexedAs.slice(TOKENS.length + 1);
  const page = await listRecords(tx, object, { limit: CHUNK, cursor: cursor ?? undefined, fields: recordName });
  await putEntries(tx, page.items.map((record) => recordEntry(object, record, recordName)), 'record');
  return page.nextCursor;
}

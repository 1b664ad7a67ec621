import { sql, type RawBuilder } from 'kysely';
import { accessTo } from '../access/index.ts';
import type { SearchHit, SearchQuery, SearchResult } from '../contracts/search.ts';
import { AppError } from '../core/app-error.ts';
import { actorId, type Ctx } from '../core/context.ts';
import { toNumber } from '../db/tables.ts';
import { publishedObjects } from '../meta/index.ts';
import { snippet } from './search-snippet.ts';
import { queryTerms, tsqueryLiteral } from './search-tokens.ts';

const MAX_QUERY = 100;

type Row = {
  kind: SearchHit['kind'];
  thread_id: string | null;
  message_id: string | null;
  seq: string | number | null;
  object: string | null;
  record_id: string | null;
  file_id: string | null;
  body: string;
  created_at: Date | string;
};

/**
 * The matching entries with the record each hangs on: a message's record thread or a record itself, or
 * the record a file is linked to now (files are linked after upload, so the link is read here). Search
 * reads the files table directly because authorisation, ranking and the limit must be one query.
 */
function matching(ctx: Ctx, tsquery: RawBuilder<unknown>, kind: SearchQuery['kind']) {
  const table = (name: string) => sql.table(`${ctx.workspace.schemas.system}.${name}`);
  return sql`select e.id, e.kind, e.thread_id, e.message_id, e.seq, e.object, e.record_id, e.file_id, e.body, e.created_at,
      ts_rank(e.lexemes, ${tsquery}) as rank,
      coalesce(e.object, f.object) as on_object, coalesce(e.record_id, f.record_id) as on_record, f.created_by as uploader
    from ${table('search_entries')} e
    left join ${table('files')} f on f.id = e.file_id
    where e.lexemes @@ ${tsquery}${kind ? sql` and e.kind = ${kind}` : sql``}`;
}

/**
 * What the user may read, as one condition over a matching entry `h`: messages of conversations she is
 * a member of (a follower row is not membership: record threads are read through their record), files
 * she uploaded (administrators: every file, as in files/access.ts), and for each object she may read,
 * whatever hangs on a record her access filter lets through. A hidden name field hides the record's
 * entry, not its thread's messages.
 */
async function readable(ctx: Ctx, objects: string[]): Promise<RawBuilder<boolean>> {
  const me = actorId(ctx);
  const everyFile = ctx.actor.kind !== 'user' || ctx.actor.isAdmin;
  const members = sql.table(`${ctx.workspace.schemas.system}.thread_members`);
  const branches: RawBuilder<boolean>[] = [
    sql`(h.kind = 'message' and h.object is null and exists (select 1 from ${members} m where m.thread_id = h.thread_id and m.user_id = ${me} and m.role <> 'follower'))`,
    everyFile ? sql`h.kind = 'file'` : sql`(h.kind = 'file' and h.uploader = ${me})`,
  ];
  const published = (await publishedObjects(ctx)).objects;
  for (const name of objects) {
    const object = published.get(name);
    if (!object) continue;
    const access = await accessTo(ctx, object);
    if (!access.canRead) continue;
    const records = sql.table(`${ctx.workspace.schemas.data}.${object.name}`);
    const read = access.read ? sql` and ${access.read}` : sql``;
    const nameHidden = access.hidden.has(object.recordName) ? sql` and h.kind <> 'record'` : sql``;
    branches.push(sql`(h.on_object = ${object.name}${nameHidden} and exists (select 1 from ${records} t where t.id = h.on_record${read}))`);
  }
  return sql<boolean>`(${sql.join(branches, sql` or `)})`;
}

/** `GET /api/v1/search`: best match first (ts_rank), then newest, only from what the user may read. */
export async function search(ctx: Ctx, query: SearchQuery): Promise<SearchResult> {
  const q = query.q.trim();
  if ([...q].length > MAX_QUERY) throw new AppError('SEARCH_QUERY_TOO_LONG', 400, { params: { max: MAX_QUERY }, details: { max: MAX_QUERY } });
  const terms = queryTerms(q);
  if (terms.length === 0) throw new AppError('SEARCH_QUERY_EMPTY', 400);
  const tsquery = sql`${tsqueryLiteral(terms)}::tsquery`;
  const hits = matching(ctx, tsquery, query.kind);
  // Only objects with a match get an access branch: the condition stays small however many objects exist.
  const objects = await sql<{ on_object: string }>`select distinct h.on_object from (${hits}) h where h.on_object is not null`.execute(ctx.db);
  const visible = await readable(ctx, objects.rows.map((r) => r.on_object));
  const { rows } = await sql<Row>`select h.* from (${hits}) h where ${visible}
    order by h.rank desc, h.created_at desc, h.id
    limit ${query.limit}`.execute(ctx.db);
  return {
    items: rows.map((r) => ({
      kind: r.kind,
      threadId: r.thread_id,
      seq: r.seq === null ? null : toNumber(r.seq),
      messageId: r.message_id,
      object: r.object,
      recordId: r.record_id,
      fileId: r.file_id,
      ...snippet(r.body, terms),
      createdAt: new Date(r.created_at).toISOString(),
    })),
  };
}

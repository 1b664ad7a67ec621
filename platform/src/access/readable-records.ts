import { sql } from 'kysely';
import type { Ctx } from '../core/context.ts';
import type { ObjectAccess } from './object-access.ts';

/** These records under the same filter as lists, so shares, rules and the manager chain all count. */
function readableQuery(ctx: Ctx, access: ObjectAccess, ids: string[]) {
  const query = ctx.db
    .withoutPlugins()
    .selectFrom(sql.table(`${ctx.workspace.schemas.data}.${access.object.name}`).as('t'))
    .select(sql<string>`t.id`.as('id'))
    .where(sql<boolean>`t.id in (${sql.join(ids.map((id) => sql`${id}::uuid`))})`);
  return access.read ? query.where(access.read) : query;
}

/** Which of these records the user may read, with their owners (threads, shares, files and event delivery ask this). */
export async function readableRecords(ctx: Ctx, access: ObjectAccess, ids: string[]): Promise<Map<string, string | null>> {
  if (!access.canRead || ids.length === 0) return new Map();
  const rows = await readableQuery(ctx, access, ids).select(sql<string | null>`t.owner`.as('owner')).execute();
  return new Map(rows.map((r) => [r.id, r.owner]));
}

/**
 * The readable ones among these records with their names (record link cards): null when the name field
 * is computed or hidden from the user.
 */
export async function readableRecordTitles(ctx: Ctx, access: ObjectAccess, ids: string[]): Promise<Map<string, string | null>> {
  if (!access.canRead || ids.length === 0) return new Map();
  const nameField = access.view.fields.find((f) => f.name === access.object.recordName && f.type !== 'formula' && f.type !== 'rollup');
  const title = nameField ? sql<string | null>`${sql.ref(`t.${nameField.name}`)}::text` : sql<string | null>`null`;
  const rows = await readableQuery(ctx, access, ids).select(title.as('title')).execute();
  return new Map(rows.map((r) => [r.id, r.title]));
}

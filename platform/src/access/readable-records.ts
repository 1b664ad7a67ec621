import { sql } from 'kysely';
import type { Ctx } from '../core/context.ts';
import type { ObjectAccess } from './object-access.ts';

/**
 * Which of these records the user may read, with their owners: one query under the same filter as lists,
 * so shares, rules and the manager chain all count. Threads, shares, files and event delivery ask this.
 */
export async function readableRecords(ctx: Ctx, access: ObjectAccess, ids: string[]): Promise<Map<string, string | null>> {
  if (!access.canRead || ids.length === 0) return new Map();
  let query = ctx.db
    .withoutPlugins()
    .selectFrom(sql.table(`${ctx.workspace.schemas.data}.${access.object.name}`).as('t'))
    .select([sql<string>`t.id`.as('id'), sql<string | null>`t.owner`.as('owner')])
    .where(sql<boolean>`t.id in (${sql.join(ids.map((id) => sql`${id}::uuid`))})`);
  if (access.read) query = query.where(access.read);
  return new Map((await query.execute()).map((r) => [r.id, r.owner]));
}

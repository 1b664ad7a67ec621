import type { SendMessage } from '../contracts/threads.ts';
import { AppError } from '../core/app-error.ts';
import type { Ctx } from '../core/context.ts';
import type { ReadableThread } from './thread-access.ts';

/**
 * The people a message mentions: named users, everyone in the named departments and below them, and
 * for @all the thread's members. @all is for the owners, admins and publishers of groups and channels:
 * a record thread has no "everyone" to wake up.
 */
export async function resolveMentions(ctx: Ctx, readable: ReadableThread, mentions: SendMessage['mentions']): Promise<string[]> {
  if (!mentions) return [];
  const people = new Set(mentions.users);
  if (mentions.users.length) {
    const found = await ctx.db.selectFrom('users').select('id').where('id', 'in', mentions.users).where('status', '=', 'active').execute();
    if (found.length !== people.size) throw new AppError('USER_NOT_FOUND', 422, { details: { field: 'mentions.users' } });
  }
  if (mentions.departments.length) {
    const members = await ctx.db
      .withRecursive('tree(id)', (db) =>
        db
          .selectFrom('departments')
          .select('id')
          .where('id', 'in', mentions.departments)
          .unionAll((db2) => db2.selectFrom('departments as d').innerJoin('tree', 'tree.id', 'd.parent_id').select('d.id')),
      )
      .selectFrom('user_departments as ud')
      .innerJoin('users as u', 'u.id', 'ud.user_id')
      .select('ud.user_id')
      .where('ud.department_id', 'in', (eb) => eb.selectFrom('tree').select('tree.id'))
      .where('u.status', '=', 'active')
      .execute();
    for (const m of members) people.add(m.user_id);
  }
  if (mentions.all) {
    const { thread, membership } = readable;
    if (thread.kind === 'record' || thread.kind === 'direct' || !['owner', 'admin', 'publisher'].includes(membership?.role ?? '')) throw new AppError('FORBIDDEN', 403, { details: { reason: '@all' } });
    const members = await ctx.db.selectFrom('thread_members').select('user_id').where('thread_id', '=', thread.id).execute();
    for (const m of members) people.add(m.user_id);
  }
  return [...people];
}

import { v7 as uuidv7 } from 'uuid';
import type { CreateGroup } from '../contracts/threads.ts';
import { AppError } from '../core/app-error.ts';
import { actorId, inTransaction, type Ctx } from '../core/context.ts';
import { membersAdded } from './member-events.ts';

export async function assertActiveUsers(ctx: Ctx, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  const found = await ctx.db.selectFrom('users').select('id').where('id', 'in', ids).where('status', '=', 'active').execute();
  if (found.length !== new Set(ids).size) throw new AppError('USER_NOT_FOUND', 422, { details: { missing: ids.filter((id) => !found.some((f) => f.id === id)) } });
}

/** The one direct thread of two people (or a note-to-self when both are the same), made on first use. */
export async function openDirect(ctx: Ctx, otherId: string): Promise<string> {
  const me = actorId(ctx)!;
  await assertActiveUsers(ctx, [otherId]);
  const key = [me, otherId].sort().join(':');
  return inTransaction(ctx, async (tx) => {
    const id = uuidv7();
    const created = await tx.db
      .insertInto('threads')
      .values({ id, kind: 'direct', direct_key: key, created_by: me })
      .onConflict((oc) => oc.column('direct_key').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!created) return (await tx.db.selectFrom('threads').select('id').where('direct_key', '=', key).executeTakeFirstOrThrow()).id;
    const people = [...new Set([me, otherId])];
    await tx.db.insertInto('thread_members').values(people.map((user_id) => ({ thread_id: id, user_id, role: 'member' as const }))).execute();
    return id;
  });
}

/** A group (everyone posts) or an announcement channel (its creator publishes, members read). */
export async function createGroup(ctx: Ctx, input: CreateGroup): Promise<string> {
  const me = actorId(ctx)!;
  const others = [...new Set(input.memberIds.filter((id) => id !== me))];
  await assertActiveUsers(ctx, others);
  return inTransaction(ctx, async (tx) => {
    const id = uuidv7();
    await tx.db.insertInto('threads').values({ id, kind: input.kind, title: input.title, owner_id: me, created_by: me }).execute();
    const role = input.kind === 'announcement' ? ('reader' as const) : ('member' as const);
    await tx.db
      .insertInto('thread_members')
      .values([{ thread_id: id, user_id: me, role: 'owner' as const }, ...others.map((user_id) => ({ thread_id: id, user_id, role }))])
      .execute();
    await membersAdded(tx, id, others);
    return id;
  });
}

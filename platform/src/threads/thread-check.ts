import type { Selectable } from 'kysely';
import type { Ctx } from '../core/context.ts';
import { isUrgent, ordinarily, urgently } from '../db/lanes.ts';
import type { WorkspaceDB } from '../db/tables.ts';

type ThreadRow = Selectable<WorkspaceDB['threads']>;
type MemberRow = Selectable<WorkspaceDB['thread_members']>;
export type ThreadAndMembership = { thread: ThreadRow | undefined; membership: MemberRow | null };

type Asking = { userId: string; urgent: boolean; resolve: (found: ThreadAndMembership) => void; reject: (error: unknown) => void };

/** Per thread, while its check is in flight: the people who asked meanwhile, answered by the next one. */
const waiting = new Map<string, Asking[]>();

/**
 * A thread and one person's membership of it, as every message sent reads them. The senders of a busy
 * thread who ask while its check is in flight are answered together by the next check (two queries
 * however many they are), as `storeBatched` writes their messages together: the check then costs a busy
 * thread once per round, not once per message. Inside a transaction, which must see its own writes, the
 * check is made on its own.
 */
export function threadAndMembership(ctx: Ctx, threadId: string, userId: string): Promise<ThreadAndMembership> {
  if (ctx.db.isTransaction) return check(ctx, threadId, [userId]).then((found) => found(userId));
  return new Promise((resolve, reject) => {
    const key = `${ctx.workspace.schemas.system}:${threadId}`;
    const asking = { userId, urgent: isUrgent(), resolve, reject };
    const queue = waiting.get(key);
    if (queue) {
      queue.push(asking);
      return;
    }
    waiting.set(key, []);
    void answer(ctx, key, threadId, [asking]);
  });
}

async function answer(ctx: Ctx, key: string, threadId: string, batch: Asking[]): Promise<void> {
  while (batch.length > 0) {
    try {
      const users = [...new Set(batch.map((a) => a.userId))];
      // In the lane of its most pressing asker (a message sent goes before reports on the embedded database).
      const found = await (batch.some((a) => a.urgent) ? urgently : ordinarily)(() => check(ctx, threadId, users));
      for (const a of batch) a.resolve(found(a.userId));
    } catch (error) {
      for (const a of batch) a.reject(error);
    }
    batch = waiting.get(key)!.splice(0);
  }
  waiting.delete(key);
}

async function check(ctx: Ctx, threadId: string, userIds: string[]): Promise<(userId: string) => ThreadAndMembership> {
  const [thread, members] = await Promise.all([
    ctx.db.selectFrom('threads').selectAll().where('id', '=', threadId).executeTakeFirst(),
    ctx.db.selectFrom('thread_members').selectAll().where('thread_id', '=', threadId).where('user_id', 'in', userIds).execute(),
  ]);
  const byUser = new Map(members.map((m) => [m.user_id, m]));
  return (userId) => ({ thread, membership: byUser.get(userId) ?? null });
}

import type { Selectable } from 'kysely';
import { accessTo, readableRecords, type ObjectAccess } from '../access/index.ts';
import { AppError } from '../core/app-error.ts';
import { actorId, type Ctx } from '../core/context.ts';
import type { WorkspaceDB } from '../db/tables.ts';
import { publishedObjects } from '../meta/index.ts';

export type ThreadRow = Selectable<WorkspaceDB['threads']>;
export type Membership = Selectable<WorkspaceDB['thread_members']> | null;
export type ReadableThread = { thread: ThreadRow; membership: Membership; access: ObjectAccess | null };

const notFound = () => new AppError('THREAD_NOT_FOUND', 404);

/**
 * A record thread's readers are exactly the record's readers; a direct, group or announcement thread's
 * are its members. Anyone else learns nothing, not even that the thread exists (404).
 */
export async function readableThread(ctx: Ctx, threadId: string): Promise<ReadableThread> {
  const me = actorId(ctx);
  if (!me) throw notFound();
  // The thread and the caller's membership in one round trip: this runs before every message sent.
  const [thread, membership = null] = await Promise.all([
    ctx.db.selectFrom('threads').selectAll().where('id', '=', threadId).executeTakeFirst(),
    ctx.db.selectFrom('thread_members').selectAll().where('thread_id', '=', threadId).where('user_id', '=', me).executeTakeFirst(),
  ]);
  if (!thread) throw notFound();
  if (thread.kind !== 'record') {
    if (!membership || membership.role === 'follower') throw notFound();
    return { thread, membership, access: null };
  }
  const object = (await publishedObjects(ctx)).objects.get(thread.object!);
  if (!object) throw notFound();
  const access = await accessTo(ctx, object);
  if (!(await readableRecords(ctx, access, [thread.record_id!])).has(thread.record_id!)) throw notFound();
  return { thread, membership, access };
}

/** Whether the acting user may read the thread, for callers that decide rather than refuse. */
export async function mayReadThread(ctx: Ctx, threadId: string): Promise<boolean> {
  try {
    await readableThread(ctx, threadId);
    return true;
  } catch (error) {
    if (error instanceof AppError && error.code === 'THREAD_NOT_FOUND') return false;
    throw error;
  }
}

/** Record threads take messages from every reader; announcements only from their publishers. */
export function assertMayPost(readable: ReadableThread): void {
  const { thread, membership } = readable;
  if (thread.kind === 'announcement' && !['owner', 'admin', 'publisher'].includes(membership?.role ?? '')) throw new AppError('THREAD_READ_ONLY', 403);
}

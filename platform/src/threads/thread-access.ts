import type { Selectable } from 'kysely';
import { accessOfUser, accessTo, readableRecords, type ObjectAccess } from '../access/index.ts';
import { AppError } from '../core/app-error.ts';
import { actorId, type Ctx } from '../core/context.ts';
import type { WorkspaceDB } from '../db/tables.ts';
import { publishedObjects } from '../meta/index.ts';
import { threadAndMembership } from './thread-check.ts';

export type ThreadRow = Selectable<WorkspaceDB['threads']>;
export type Membership = Selectable<WorkspaceDB['thread_members']> | null;
export type ReadableThread = { thread: ThreadRow; membership: Membership; access: ObjectAccess | null };

const notFound = () => new AppError('THREAD_NOT_FOUND', 404);

/** A conversation is read by its members; a record thread's follower row gives nothing of its own. */
const readsConversation = (role: string | null | undefined) => !!role && role !== 'follower';

/** Someone whose reading is decided without a request of hers (notifications); `isAdmin` decides her access to records. */
export type Reader = { id: string; isAdmin: boolean };

/** A thread as such a decision sees it, with the reader's role in it (null: no row in thread_members). */
export type ThreadRef = { threadId: string; kind: string; object: string | null; recordId: string | null; role: string | null };

/**
 * A record thread's readers are exactly the record's readers; a direct, group or announcement thread's
 * are its members. Anyone else learns nothing, not even that the thread exists (404).
 */
export async function readableThread(ctx: Ctx, threadId: string): Promise<ReadableThread> {
  const me = actorId(ctx);
  if (!me) throw notFound();
  // The thread, the caller's membership and, for a record thread seen before, her reading of the record,
  // in one round trip: this runs before every message sent.
  const known = recordOfThread.get(threadId);
  const [{ thread, membership }, readable] = await Promise.all([
    threadAndMembership(ctx, threadId, me),
    known ? readableRecord(ctx, known.object, known.recordId) : undefined,
  ]);
  if (!thread) throw notFound();
  if (thread.kind !== 'record') {
    if (!readsConversation(membership?.role)) throw notFound();
    return { thread, membership, access: null };
  }
  rememberRecordOf(thread);
  const { access, readable: found } = readable ?? (await readableRecord(ctx, thread.object!, thread.record_id!));
  if (!found) throw notFound();
  return { thread, membership, access: access! };
}

/**
 * Which record a record thread is on never changes, so it is kept by thread id (the most recently seen
 * threads, a bounded number): the record's access is then read beside the thread, not after it.
 */
const recordOfThread = new Map<string, { object: string; recordId: string }>();
const REMEMBERED_THREADS = 10_000;

function rememberRecordOf(thread: ThreadRow): void {
  if (recordOfThread.has(thread.id)) return;
  if (recordOfThread.size >= REMEMBERED_THREADS) recordOfThread.delete(recordOfThread.keys().next().value!);
  recordOfThread.set(thread.id, { object: thread.object!, recordId: thread.record_id! });
}

/** The user's access to an object, and whether she may read one of its records (no access: an unpublished object). */
async function readableRecord(ctx: Ctx, objectName: string, recordId: string): Promise<{ access: ObjectAccess | null; readable: boolean }> {
  const object = (await publishedObjects(ctx)).objects.get(objectName);
  if (!object) return { access: null, readable: false };
  const access = await accessTo(ctx, object);
  return { access, readable: (await readableRecords(ctx, access, [recordId])).has(recordId) };
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

/**
 * Which of these threads the reader may read now, each with her access to its record (null for a
 * conversation): `readableThread`'s rule, answered for many threads with one query per object, since
 * lists, badges and deliveries ask it for many threads or many people at once.
 */
export async function readableThreads(ctx: Ctx, reader: Reader, threads: ThreadRef[]): Promise<Map<string, ObjectAccess | null>> {
  const readable = new Map<string, ObjectAccess | null>();
  const records: ThreadRef[] = [];
  for (const t of threads) {
    if (t.kind === 'record') records.push(t);
    else if (readsConversation(t.role)) readable.set(t.threadId, null);
  }
  if (records.length === 0) return readable;
  const { objects } = await publishedObjects(ctx);
  for (const [name, list] of Map.groupBy(records, (t) => t.object!)) {
    const object = objects.get(name);
    if (!object) continue;
    const access = await accessOfUser(ctx, reader.id, object, reader.isAdmin);
    const ids = await readableRecords(ctx, access, [...new Set(list.map((t) => t.recordId!))]);
    for (const t of list) if (ids.has(t.recordId!)) readable.set(t.threadId, access);
  }
  return readable;
}

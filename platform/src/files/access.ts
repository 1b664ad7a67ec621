import type { Selectable } from 'kysely';
import { accessTo, readableRecords } from '../access/index.ts';
import { AppError } from '../core/app-error.ts';
import { actorId, type Ctx } from '../core/context.ts';
import { isUuid } from '../core/references.ts';
import type { FileOut } from '../contracts/files.ts';
import type { WorkspaceDB } from '../db/tables.ts';
import { publishedObject } from '../meta/index.ts';
import { toFile } from './upload.ts';

export type FileRow = Selectable<WorkspaceDB['files']>;

/** Whether the acting user may read this record: the same filter as a record read, so shares and rules count. */
async function recordReadable(ctx: Ctx, objectName: string, recordId: string): Promise<boolean> {
  let object;
  try {
    object = await publishedObject(ctx, objectName);
  } catch (error) {
    if (error instanceof AppError && error.code === 'OBJECT_NOT_FOUND') return false;
    throw error;
  }
  return (await readableRecords(ctx, await accessTo(ctx, object), [recordId])).has(recordId);
}

/** Says whether the acting user may read a file through where another domain put it (a message in a thread). */
export type FileLinkReader = (ctx: Ctx, fileId: string) => Promise<boolean>;
const linkReaders: FileLinkReader[] = [];

/**
 * Domains that attach files (threads: messages) tell files/ who may read them there, so that files/ knows
 * nothing of threads and threads may still call into files/.
 */
export function addFileLinkReader(reader: FileLinkReader): void {
  linkReaders.push(reader);
}

/**
 * Who may read a file: its uploader, an administrator (or the system), whoever may read the record it is
 * linked to, and whoever may read a conversation where it was sent.
 */
export async function canReadFile(ctx: Ctx, file: FileRow): Promise<boolean> {
  if (ctx.actor.kind === 'system') return true;
  if (ctx.actor.kind !== 'user') return false;
  if (ctx.actor.isAdmin || file.created_by === ctx.actor.userId) return true;
  if (file.object && file.record_id && (await recordReadable(ctx, file.object, file.record_id))) return true;
  for (const reader of linkReaders) if (await reader(ctx, file.id)) return true;
  return false;
}

/** Of these file ids, the ones the acting user may read (in the order asked). */
export async function readableFiles(ctx: Ctx, ids: readonly string[]): Promise<FileRow[]> {
  const candidates = [...new Set(ids.filter(isUuid))];
  const rows = candidates.length ? await ctx.db.selectFrom('files').selectAll().where('id', 'in', candidates).execute() : [];
  const readable: FileRow[] = [];
  for (const row of rows) if (await canReadFile(ctx, row)) readable.push(row);
  return candidates.map((id) => readable.find((r) => r.id === id)).filter((r): r is FileRow => r !== undefined);
}

/** Files as their listings show them, whoever asks: the caller has decided the user may see them. */
export async function describeFiles(ctx: Ctx, ids: readonly string[]): Promise<Map<string, FileOut>> {
  if (ids.length === 0) return new Map();
  const rows = await ctx.db.selectFrom('files').selectAll().where('id', 'in', [...new Set(ids)]).execute();
  return new Map(rows.map((r) => [r.id, toFile(r)]));
}

/** The file if the acting user may read it; otherwise it does not exist for her (never 403: ids cannot be probed). */
export async function readableFile(ctx: Ctx, id: string): Promise<FileRow> {
  const file = await ctx.db.selectFrom('files').selectAll().where('id', '=', id).executeTakeFirst();
  if (!file || !(await canReadFile(ctx, file))) throw new AppError('FILE_NOT_FOUND', 404);
  return file;
}

/**
 * Attaches uploaded files to a record, in the caller's transaction; the caller has checked that the
 * user may change the record. A file qualifies when it is unlinked and the acting user uploaded it, or
 * is already linked to this record; any other id (someone else's, linked elsewhere, unknown) refuses
 * the whole call, naming the ids, so that nothing is linked half-way.
 */
export async function linkFilesToRecord(tx: Ctx, fileIds: readonly string[], object: string, recordId: string): Promise<void> {
  const ids = [...new Set(fileIds)];
  if (ids.length === 0) return;
  const candidates = ids.filter(isUuid);
  const rows = candidates.length ? await tx.db.selectFrom('files').select(['id', 'created_by', 'object', 'record_id']).where('id', 'in', candidates).forUpdate().execute() : [];
  const me = actorId(tx);
  const linkable = new Set(
    rows
      .filter((r) => (r.object === object && r.record_id === recordId) || (r.record_id === null && me !== null && r.created_by === me))
      .map((r) => r.id),
  );
  const refused = ids.filter((id) => !linkable.has(id));
  if (refused.length) throw new AppError('FILE_NOT_LINKABLE', 422, { params: { count: refused.length }, details: { fileIds: refused } });
  await tx.db.updateTable('files').set({ object, record_id: recordId }).where('id', 'in', ids).execute();
}

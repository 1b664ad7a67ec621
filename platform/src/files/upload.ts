import { createHash, type Hash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { FileOut } from '../contracts/files.ts';
import { AppError } from '../core/app-error.ts';
import { errorFields } from '../core/logger.ts';
import { inTransaction, type Ctx } from '../core/context.ts';
import { requireUser } from '../core/guards.ts';
import { toNumber } from '../db/tables.ts';
import { publishEvent } from '../events/index.ts';
import type { FileRow } from './access.ts';
import { cleanFileName, contentTypeOf } from './content-types.ts';
import { getFileSettings, typeAllowed } from './settings.ts';
import { FileTooLargeError } from './store.ts';
import { hasThumbnail, makeThumbnail, type Thumbnail } from './thumbnails.ts';

export type UploadInput = {
  body: AsyncIterable<Uint8Array> | null;
  /** The `x-file-name` header: the name URL-encoded, so that any UTF-8 name survives HTTP headers. */
  encodedName: string;
  contentType: string | undefined;
  contentLength: string | undefined;
};

export function toFile(row: FileRow): FileOut {
  return {
    id: row.id,
    name: row.name,
    size: toNumber(row.size),
    contentType: row.content_type,
    sha256: row.sha256,
    thumbnail: row.thumbnail_key !== null,
    width: row.width,
    height: row.height,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

function decodeName(encoded: string): string {
  let decoded: string | null = null;
  try {
    decoded = cleanFileName(decodeURIComponent(encoded));
  } catch {
    // Not valid percent-encoding: refused below like any other unusable name.
  }
  if (!decoded) throw new AppError('FAILED_VALIDATION', 400, { params: { fields: 'header.x-file-name' } });
  return decoded;
}

async function* hashed(body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, hash: Hash): AsyncGenerator<Uint8Array> {
  for await (const chunk of body) {
    hash.update(chunk);
    yield chunk;
  }
}

const megabytes = (bytes: number) => `${Math.round((bytes / 1024 ** 2) * 10) / 10} MB`;

/** Grouped by workspace and month, so that an operator can find, back up or move a workspace's files. */
function storageKey(slug: string, at: Date, id: string): string {
  return `${slug}/${at.getUTCFullYear()}/${String(at.getUTCMonth() + 1).padStart(2, '0')}/${id}`;
}

/**
 * Streams the body into the store while hashing and counting it, makes a thumbnail of a raster
 * image, then records the file. Whatever fails, the size cap included, the store is left as it was.
 */
export async function uploadFile(ctx: Ctx, input: UploadInput): Promise<FileOut> {
  const actor = requireUser(ctx);
  const name = decodeName(input.encodedName);
  const contentType = contentTypeOf(input.contentType, name);
  const settings = await getFileSettings(ctx);
  if (!typeAllowed(settings.allowedTypes, contentType)) throw new AppError('FILE_TYPE_NOT_ALLOWED', 415, { params: { type: contentType }, details: { contentType } });
  const tooLarge = () => new AppError('FILE_TOO_LARGE', 413, { params: { limit: megabytes(settings.maxBytes) }, details: { maxBytes: settings.maxBytes } });
  if (input.contentLength !== undefined && Number(input.contentLength) > settings.maxBytes) throw tooLarge();

  const id = uuidv7();
  const key = storageKey(ctx.workspace.slug, new Date(), id);
  const store = ctx.platform.files;
  const hash = createHash('sha256');
  let thumbnail: Thumbnail | null = null;
  try {
    const { size } = await store.put(key, hashed(input.body ?? [], hash), { maxBytes: settings.maxBytes, contentType });
    if (hasThumbnail(contentType, size)) thumbnail = await makeThumbnail(store, key, ctx.platform.log);
    const row = await inTransaction(ctx, async (tx) => {
      const inserted = await tx.db
        .insertInto('files')
        .values({
          id,
          name,
          content_type: contentType,
          size,
          sha256: hash.digest('hex'),
          storage_key: key,
          thumbnail_key: thumbnail?.key ?? null,
          width: thumbnail?.width ?? null,
          height: thumbnail?.height ?? null,
          created_by: actor.userId,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await publishEvent(tx, { aggregateType: 'file', aggregateId: id, type: 'file.uploaded', payload: { fileId: id } });
      return inserted;
    });
    return toFile(row);
  } catch (error) {
    await Promise.all([key, thumbnail?.key].filter((k) => k !== undefined).map((k) => store.delete(k))).catch((cleanup: unknown) =>
      ctx.platform.log.warn('an upload failed and its stored bytes could not be removed', { key, ...errorFields(cleanup) }),
    );
    if (error instanceof FileTooLargeError) throw tooLarge();
    throw error;
  }
}

import type { Readable } from 'node:stream';
import { AppError } from '../core/app-error.ts';
import type { Ctx } from '../core/context.ts';
import { toNumber } from '../db/tables.ts';
import { readableFile } from './access.ts';
import { contentDisposition, isInline } from './content-types.ts';
import type { ByteRange } from './store.ts';
import { THUMBNAIL_TYPE } from './thumbnails.ts';

export type Conditions = { method: string; range?: string | undefined; ifNoneMatch?: string | undefined; ifRange?: string | undefined };
export type Served = { status: 200 | 206 | 304 | 416; headers: Record<string, string>; body: Readable | null };

/**
 * One range of RFC 9110: `bytes=a-b`, `bytes=a-` or `bytes=-n`. Anything else (several ranges, another
 * unit, nonsense) is ignored and the whole file is served, as the RFC allows.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | null {
  const match = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!match || (match[1] === '' && match[2] === '')) return null;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    return suffix === 0 || size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? Infinity : Number(match[2]);
  if (end < start) return null;
  return start >= size ? 'unsatisfiable' : { start, end: Math.min(end, size - 1) };
}

/** A stored file runs nothing on our origin: no sniffing, and no scripts even when opened in a tab (PDF viewers need their own). */
function safety(contentType: string): Record<string, string> {
  return {
    'x-content-type-options': 'nosniff',
    ...(contentType !== 'application/pdf' && { 'content-security-policy': "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox" }),
  };
}

export async function serveFile(ctx: Ctx, id: string, conditions: Conditions): Promise<Served> {
  const file = await readableFile(ctx, id);
  const size = toNumber(file.size);
  const etag = `"${file.sha256}"`;
  const headers: Record<string, string> = {
    etag,
    'accept-ranges': 'bytes',
    // Readers can lose access at any time, so a cached copy is checked with the server before every use.
    'cache-control': 'private, no-cache',
    'last-modified': new Date(file.created_at).toUTCString(),
    ...safety(file.content_type),
  };
  if (conditions.ifNoneMatch?.split(',').some((tag) => tag.trim() === etag || tag.trim() === '*')) return { status: 304, headers, body: null };
  const range = conditions.ifRange === undefined || conditions.ifRange === etag ? parseRange(conditions.range, size) : null;
  if (range === 'unsatisfiable') return { status: 416, headers: { ...headers, 'content-range': `bytes */${size}` }, body: null };
  Object.assign(headers, {
    'content-type': file.content_type,
    'content-disposition': contentDisposition(file.content_type, file.name),
    'content-length': String(range ? range.end - range.start + 1 : size),
    ...(range && { 'content-range': `bytes ${range.start}-${range.end}/${size}` }),
  });
  // An empty file has no byte to range over, and HEAD wants the headers only.
  const body = conditions.method === 'HEAD' || size === 0 ? null : await ctx.platform.files.get(file.storage_key, range ?? undefined);
  return { status: range ? 206 : 200, headers, body };
}

export async function serveThumbnail(ctx: Ctx, id: string, conditions: Conditions): Promise<Served> {
  const file = await readableFile(ctx, id);
  if (!file.thumbnail_key) throw new AppError('THUMBNAIL_NOT_FOUND', 404);
  const etag = `"${file.sha256}-thumb"`;
  const headers: Record<string, string> = { etag, 'cache-control': 'private, no-cache', ...safety(THUMBNAIL_TYPE) };
  if (conditions.ifNoneMatch?.split(',').some((tag) => tag.trim() === etag)) return { status: 304, headers, body: null };
  const stored = await ctx.platform.files.head(file.thumbnail_key);
  if (!stored) throw new AppError('THUMBNAIL_NOT_FOUND', 404);
  Object.assign(headers, { 'content-type': THUMBNAIL_TYPE, 'content-length': String(stored.size), 'content-disposition': 'inline' });
  return { status: 200, headers, body: conditions.method === 'HEAD' ? null : await ctx.platform.files.get(file.thumbnail_key) };
}

import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import sharp from 'sharp';
import type { Logger } from '../core/logger.ts';
import type { FileStore } from './store.ts';

export const THUMBNAIL_SIZE = 320;
export const THUMBNAIL_TYPE = 'image/webp';
/** Decoding is bounded by pixels, not bytes: a small PNG can claim a billion pixels. */
const MAX_PIXELS = 100_000_000;
/** sharp holds a streamed input in memory while it decodes: larger images (rare outside scans) get no preview. */
const MAX_SOURCE_BYTES = 50 * 1024 * 1024;
/** Raster images sharp decodes with its prebuilt libvips. SVG is left out on purpose (scripts, external references). */
const SOURCES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif', 'image/tiff']);

export const hasThumbnail = (contentType: string, size: number) => SOURCES.has(contentType) && size <= MAX_SOURCE_BYTES;

export type Thumbnail = { key: string; width: number; height: number };

/**
 * Reads the stored image back and stores a WebP preview that fits in 320×320 beside it. An image
 * sharp cannot decode still uploads: it simply gets no preview (and no dimensions).
 */
export async function makeThumbnail(store: FileStore, key: string, log: Logger): Promise<Thumbnail | null> {
  const decoded = await decode(store, key).catch((error: Error) => {
    log.info('no thumbnail: the image could not be decoded', { key, error: error.message });
    return null;
  });
  if (!decoded) return null;
  const thumbnailKey = `${key}.thumb.webp`;
  await store.put(thumbnailKey, Readable.from([decoded.preview]), { maxBytes: Infinity, contentType: THUMBNAIL_TYPE });
  return { key: thumbnailKey, width: decoded.width, height: decoded.height };
}

async function decode(store: FileStore, key: string) {
  const image = sharp({ limitInputPixels: MAX_PIXELS, failOn: 'error' });
  await pipeline(await store.get(key), image);
  const meta = await image.metadata();
  const preview = await image
    .rotate()
    .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 80 })
    .toBuffer();
  // EXIF orientations 5 to 8 turn the picture a quarter: the size a person sees is the rotated one.
  const turned = (meta.orientation ?? 1) >= 5;
  return { preview, width: turned ? meta.height : meta.width, height: turned ? meta.width : meta.height };
}

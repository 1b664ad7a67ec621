import { z } from 'zod';
import { Id, Timestamp } from './common.ts';

export const FileOut = z
  .object({
    id: Id,
    name: z.string(),
    size: z.number().int().min(0).meta({ description: 'Bytes.' }),
    contentType: z.string(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/).meta({ description: 'Hex SHA-256 of the content; also the ETag of the download.' }),
    thumbnail: z.boolean().meta({ description: 'Whether GET /api/v1/files/{id}/thumbnail has a preview (raster images only).' }),
    width: z.number().int().nullable().meta({ description: 'Pixels, for images.' }),
    height: z.number().int().nullable(),
    createdAt: Timestamp,
  })
  .meta({ id: 'File' });
export type FileOut = z.infer<typeof FileOut>;

/** `image/*`, an exact type, a prefix such as `application/vnd.openxmlformats-officedocument.*`, or `*\/*` for anything. */
export const MimePattern = z
  .string()
  .max(200)
  .regex(/^(\*\/\*|[a-z0-9][a-z0-9!#$&^_.+-]*\/(\*|[a-z0-9][a-z0-9!#$&^_.+-]*\*?))$/, 'a MIME type such as image/png, image/* or application/vnd.ms-*');

export const FileSettings = z
  .object({
    maxBytes: z
      .number()
      .int()
      .min(1)
      .max(10 * 1024 ** 3)
      .meta({ description: 'Largest file accepted, in bytes (at most 10 GiB).' }),
    allowedTypes: z.array(MimePattern).max(200).meta({ description: 'MIME types that may be uploaded; `*` at the end matches any rest.' }),
    retentionDays: z.number().int().min(1).max(36_500).nullable().meta({ description: 'Files older than this are purged; null keeps them forever.' }),
  })
  .strict()
  .meta({ id: 'FileSettings' });
export type FileSettings = z.infer<typeof FileSettings>;

export const UploadHeaders = z.object({
  'x-file-name': z.string().min(1).max(4000).meta({ description: 'The file name, URL-encoded (encodeURIComponent), e.g. %E6%8A%A5%E4%BB%B7%E5%8D%95.pdf.' }),
});

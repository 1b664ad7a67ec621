import { z } from 'zod';
import { ERROR_CODES } from './error-codes.ts';

/** Text that PostgreSQL can store and a person can read: no NUL, no lone surrogates. */
export function text(max: number, min = 0) {
  return z
    .string()
    .min(min)
    .max(max)
    .refine((s) => !s.includes('\u0000') && s.isWellFormed(), { message: 'contains characters that are not allowed' });
}

export const Id = z.uuid().meta({ description: 'A UUID.' });
export const IdParam = z.object({ id: z.uuid() });

/** A query parameter of up to `max` UUIDs, comma-separated (repeats dropped): one request for a screen's worth. */
export function idList(max: number) {
  return z
    .string()
    .max(max * 37)
    .transform((s) => [...new Set(s.split(','))])
    .pipe(z.array(z.uuid()).min(1).max(max));
}
export const Timestamp = z.iso.datetime({ offset: true }).meta({ description: 'ISO 8601 date-time in UTC.' });
export const Locale = z.enum(['zh-CN', 'en']).meta({ id: 'Locale' });
export type Locale = z.infer<typeof Locale>;

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES),
      message: z.string(),
      details: z.record(z.string(), z.unknown()),
    }),
  })
  .meta({ id: 'Error' });
export type ErrorBody = z.infer<typeof ErrorBody>;

/** Cursor pagination: every list endpoint takes `limit` and `cursor` and answers `{ items, nextCursor }`. */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: text(512).optional(),
});

export function page<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

import { z } from 'zod';
import { Id, Timestamp } from './common.ts';

export const SearchKind = z.enum(['message', 'record', 'file']).meta({ id: 'SearchKind' });
export type SearchKind = z.infer<typeof SearchKind>;

/** `q` is checked by the service, so that an empty or over-long query answers with its own code. */
export const SearchQuery = z.object({
  q: z.string().default('').meta({ description: 'Words and Chinese text, at most 100 characters; every term must match. One Chinese character finds every text containing it.' }),
  kind: SearchKind.optional().meta({ description: 'Only messages, records (by their name field) or files (by name).' }),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});
export type SearchQuery = z.infer<typeof SearchQuery>;

export const SearchHit = z
  .object({
    kind: SearchKind,
    threadId: Id.nullable().meta({ description: 'Messages: the thread to open…' }),
    seq: z.number().int().nullable().meta({ description: '…at this message: `GET /api/v1/threads/{threadId}/messages?before=<seq + 1>` loads it and what came before.' }),
    messageId: Id.nullable(),
    object: z.string().nullable().meta({ description: 'Records, and messages of a record thread: the record.' }),
    recordId: Id.nullable(),
    fileId: Id.nullable(),
    snippet: z.string().meta({ description: 'Plain text around the first match (not HTML), "…" where it was cut: a message body, a record name or a file name.' }),
    highlights: z
      .array(z.object({ start: z.number().int(), end: z.number().int() }))
      .meta({ description: 'The matched parts, in UTF-16 units of `snippet` (`snippet.slice(start, end)`), in order, not overlapping.' }),
    createdAt: Timestamp,
  })
  .meta({ id: 'SearchHit' });
export type SearchHit = z.infer<typeof SearchHit>;

export const SearchResult = z.object({ items: z.array(SearchHit).meta({ description: 'Best match first, then newest.' }) }).meta({ id: 'SearchResult' });
export type SearchResult = z.infer<typeof SearchResult>;

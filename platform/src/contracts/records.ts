import { z } from 'zod';
import { Id, Timestamp, text } from './common.ts';

/** Field values by API name; each object's fields decide what is valid (see GET /api/v1/meta/published). */
export const RecordInput = z.record(z.string(), z.unknown()).meta({ id: 'RecordInput' });

export const RecordOut = z
  .object({
    id: Id,
    created_at: Timestamp,
    created_by: Id.nullable(),
    updated_at: Timestamp,
    updated_by: Id.nullable(),
    owner: Id.nullable(),
    version: z.number().int().meta({ description: 'Send it back with PATCH; a stale one answers 409 VERSION_CONFLICT.' }),
  })
  .catchall(z.unknown())
  .meta({ id: 'Record' });
export type RecordOut = z.infer<typeof RecordOut>;

export const RecordPage = z
  .object({ items: z.array(RecordOut), nextCursor: z.string().nullable(), total: z.number().int().nullable() })
  .meta({ id: 'RecordPage' });

export const ListRecordsQuery = z.object({
  filter: text(20_000).optional().meta({ description: 'JSON filter tree: {"and":[{"field":"amount","op":"gt","value":"100"}]}; see docs/records.md.' }),
  sort: text(500).optional().meta({ description: 'Comma-separated fields, "-" for descending: "-amount,name".' }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: text(4000).optional(),
  offset: z.coerce.number().int().min(0).max(100_000).optional(),
  fields: text(2000).optional().meta({ description: 'Comma-separated fields to return (system columns always come).' }),
  expand: text(500).optional().meta({ description: 'Comma-separated lookup, user or department fields (up to 10) whose targets come along under `_expanded`, in the same query; `*` for every such field the reader sees (the first 10).' }),
  count: z.enum(['true', 'false']).optional().transform((v) => v === 'true').meta({ description: 'Also return the total matching count.' }),
});

export const ObjectParam = z.object({ object: z.string().regex(/^[a-z][a-z0-9_]{0,49}$/) });
export const RecordParams = ObjectParam.extend({ id: z.uuid() });

export const RecordQuery = z.object({ expand: text(500).optional().meta({ description: 'As for a list: comma-separated fields, or `*` for every lookup, user and department field the reader sees.' }) });

export const RecordHistory = z
  .object({ items: z.array(z.object({ field: z.string(), old: z.unknown(), new: z.unknown(), changedBy: Id.nullable(), changedAt: Timestamp })) })
  .meta({ id: 'RecordHistory' });

export const BulkRequest = z
  .object({
    create: z.array(RecordInput).max(500).default([]),
    update: z.array(RecordInput.and(z.object({ id: z.uuid() }))).max(500).default([]),
    delete: z.array(z.uuid()).max(500).default([]),
  })
  .strict()
  .meta({ id: 'BulkRequest' });
export type BulkRequest = z.infer<typeof BulkRequest>;

export const BulkResult = z
  .object({ created: z.array(RecordOut), updated: z.array(RecordOut), deleted: z.number().int() })
  .meta({ id: 'BulkResult' });

export const AggregateQuery = z.object({
  groupBy: text(200).optional().meta({ description: 'Up to two fields, comma-separated; dates and datetimes group by `bucket`.' }),
  bucket: z.enum(['day', 'week', 'month', 'quarter', 'year']).optional(),
  metrics: text(500).optional().meta({ description: 'Comma-separated fn:field with fn sum, avg, min or max over numeric fields; count always comes.' }),
  filter: text(20_000).optional(),
});

export const AggregateResult = z
  .object({
    groups: z.array(z.object({ keys: z.record(z.string(), z.unknown()), count: z.number().int(), values: z.record(z.string(), z.string().nullable()) })),
    truncated: z.boolean().meta({ description: 'More than 1,000 groups: only the first 1,000 are returned.' }),
  })
  .meta({ id: 'AggregateResult' });

import { z } from 'zod';
import { Id, text, Timestamp } from './common.ts';
import { ImportRowError } from './org.ts';

export const JobKind = z.enum(['records.import', 'records.export']).meta({ id: 'JobKind' });
export type JobKind = z.infer<typeof JobKind>;

export const JobStatus = z.enum(['queued', 'running', 'succeeded', 'failed']).meta({ id: 'JobStatus' });

export const Job = z
  .object({
    id: Id,
    kind: JobKind,
    object: z.string(),
    status: JobStatus,
    progress: z.number().int().min(0).max(100).meta({ description: 'Percent done.' }),
    rowsDone: z.number().int(),
    rowsTotal: z.number().int().nullable(),
    result: z.record(z.string(), z.unknown()).nullable().meta({ description: 'Import: {created} or {valid} for a dry run; export: {rows}.' }),
    errors: z.array(ImportRowError).meta({ description: 'Why a failed import failed, per file line (the header is line 1; the first 1,000).' }),
    errorCount: z.number().int(),
    error: z.object({ code: z.string(), message: z.string() }).nullable().meta({ description: 'Why the job as a whole failed.' }),
    file: z.string().nullable().meta({ description: 'Where to download the CSV of a finished export.' }),
    createdBy: Id.nullable(),
    createdAt: Timestamp,
    startedAt: Timestamp.nullable(),
    finishedAt: Timestamp.nullable(),
  })
  .meta({ id: 'Job' });
export type Job = z.infer<typeof Job>;

export const JobList = z.object({ items: z.array(Job) }).meta({ id: 'JobList' });

const CSV_LIMIT = 30 * 1024 * 1024;

export const ImportRecordsRequest = z
  .object({
    csv: text(CSV_LIMIT, 1).meta({ description: 'The CSV text, UTF-8, first line the header. Comma, semicolon or tab separated.' }),
    mapping: z
      .record(text(200), z.string().regex(/^[a-z][a-z0-9_]{0,62}$/).nullable())
      .optional()
      .meta({ description: 'Header → field API name (null skips the column). Unmapped headers are matched to fields by API name or label.' }),
    dryRun: z.boolean().default(false).meta({ description: 'Validate every row and report, import nothing.' }),
  })
  .strict()
  .meta({ id: 'ImportRecordsRequest' });
export type ImportRecordsRequest = z.infer<typeof ImportRecordsRequest>;

export const ExportRecordsRequest = z
  .object({
    filter: text(20_000).optional().meta({ description: 'The same JSON filter tree as the list endpoint.' }),
    sort: text(500).optional(),
    fields: text(2000).optional().meta({ description: 'Comma-separated fields (all visible fields when omitted).' }),
  })
  .strict()
  .meta({ id: 'ExportRecordsRequest' });
export type ExportRecordsRequest = z.infer<typeof ExportRecordsRequest>;

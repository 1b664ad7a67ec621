import { stringify } from 'csv-stringify/sync';
import type { ExportRecordsRequest, Job } from '../contracts/index.ts';
import type { FieldDefinition } from '../contracts/meta.ts';
import { accessTo } from '../access/index.ts';
import type { Ctx } from '../core/context.ts';
import { createJob, finishJob, type Progress, type RunningJob } from '../jobs/index.ts';
import { publishedObject } from '../meta/index.ts';
import { formatCell } from './csv-cells.ts';
import { listRecords, type ListQuery } from './list-records.ts';

const PAGE = 500;
/** `expand=` takes at most ten fields; references beyond those export as ids. */
const MAX_EXPANDED = 10;

/**
 * Checks the query as a list request would (unknown fields, bad filter → 400 now, not a failed job
 * later), then queues the export.
 */
export async function startExport(ctx: Ctx, objectName: string, request: ExportRecordsRequest): Promise<Job> {
  const object = await publishedObject(ctx, objectName);
  await listRecords(ctx, object.name, { ...request, limit: 1 });
  return createJob(ctx, { kind: 'records.export', object: object.name, params: request });
}

/** What a reference cell shows: the login, the department name, the target record's name. */
function referenceName(field: FieldDefinition, expanded: unknown, recordName: (target: string) => string): string | null {
  if (!expanded || typeof expanded !== 'object') return null;
  const value = expanded as Record<string, unknown>;
  if (field.type === 'user') return String(value.login);
  if (field.type === 'department') return String(value.name);
  if (field.type === 'lookup') return String(value[recordName(field.target)] ?? value.id);
  return null;
}

/** The job: every matching record, page by page through the list query, into one CSV with a header of labels. */
export async function runExport(ctx: Ctx, job: RunningJob, progress: Progress): Promise<void> {
  const object = (await accessTo(ctx, await publishedObject(ctx, job.object))).view;
  const request = job.params as ExportRecordsRequest;
  const named = request.fields?.split(',').map((f) => f.trim()).filter(Boolean);
  const live = object.fields.filter((f) => !f.archived);
  // In the order asked for: the columns a person arranged in her list come out as she sees them.
  const fields = named?.length ? [...new Set(named)].flatMap((name) => live.filter((f) => f.name === name)) : live;
  const references = fields.filter((f) => ['user', 'department', 'lookup'].includes(f.type)).slice(0, MAX_EXPANDED);
  const targets = new Map<string, string>();
  for (const f of references) if (f.type === 'lookup') targets.set(f.target, (await publishedObject(ctx, f.target)).recordName);
  const query: ListQuery = { ...request, fields: fields.map((f) => f.name).join(','), expand: references.map((f) => f.name).join(',') || undefined, limit: PAGE };
  const timeZone = ctx.platform.config.timeZone;
  const lines: string[][] = [['id', ...fields.map((f) => f.label[ctx.locale])]];
  let cursor: string | undefined;
  let total: number | null = null;
  do {
    const page = await listRecords(ctx, object.name, { ...query, cursor, count: total === null });
    total ??= page.total;
    for (const record of page.items) {
      const expanded = (record as { _expanded?: Record<string, unknown> })._expanded ?? {};
      lines.push([
        record.id,
        ...fields.map((f) => (f.name in expanded ? (referenceName(f, expanded[f.name], (t) => targets.get(t)!) ?? '') : formatCell(f, record[f.name], ctx.locale, timeZone))),
      ]);
    }
    progress.report(total ? ((lines.length - 1) / total) * 100 : 0, lines.length - 1, total);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  await finishJob(ctx, job.id, { status: 'succeeded', rows: lines.length - 1, result: { rows: lines.length - 1 }, output: stringify(lines) });
}

import { sql } from 'kysely';
import type { ImportRecordsRequest, ImportRowError, Job } from '../contracts/index.ts';
import type { FieldDefinition, ObjectDefinition } from '../contracts/meta.ts';
import { accessTo, assertCanCreate, assertWritable } from '../access/index.ts';
import { AppError } from '../core/app-error.ts';
import { inTransaction, type Ctx } from '../core/context.ts';
import { isUuid, pickByIdOrName } from '../core/references.ts';
import { cellProblems, describeIssue, importMessages, type ImportRowCode } from '../i18n/import-messages.ts';
import { translate, translateWith } from '../i18n/translate.ts';
import { createJob, finishJob, type Progress, type RunningJob } from '../jobs/index.ts';
import { publishedObject, publishedObjects } from '../meta/index.ts';
import { resolveDepartmentRefs, resolveUserRefs } from '../org/index.ts';
import { parseCell } from './csv-cells.ts';
import { planColumns, readCsv, readHeader, type ColumnPlan } from './csv-columns.ts';
import { dataDb, liveCodecs } from './record-shape.ts';
import { createRecord } from './service.ts';

const MAX_ROWS = 50_000;
const VALIDATED = 40;

type Row = { line: number; input: Record<string, unknown> };
type Pending = { row: Row; column: string; field: FieldDefinition; text: string };

/** Checks what can be checked at once (object, header, mapping) and queues the rest as a job. */
export async function startImport(ctx: Ctx, objectName: string, request: ImportRecordsRequest): Promise<Job> {
  const object = await publishedObject(ctx, objectName);
  const access = await accessTo(ctx, object);
  assertCanCreate(access);
  // Refused now, not as a failed job later: columns into fields the user may not write.
  assertWritable(access, planColumns(object, readHeader(request.csv), request.mapping).map((c) => c.field.name));
  return createJob(ctx, { kind: 'records.import', object: object.name, params: { mapping: request.mapping ?? {}, dryRun: request.dryRun }, input: request.csv });
}

class RowErrors {
  readonly list: ImportRowError[] = [];
  readonly #locale: Ctx['locale'];
  constructor(ctx: Ctx) {
    this.#locale = ctx.locale;
  }
  add(line: number, column: string | null, code: ImportRowCode, params: Record<string, string | number>) {
    this.list.push({ row: line, column, code, message: translateWith(importMessages[this.#locale][code], { column: column ?? '', ...params }) });
  }
}

/** Ids for the users, departments and records named in cells, one query per field. */
async function resolveReferences(ctx: Ctx, pending: Pending[], errors: RowErrors): Promise<void> {
  const byField = Map.groupBy(pending, (p) => p.field);
  const { objects } = await publishedObjects(ctx);
  for (const [field, cells] of byField) {
    const texts = [...new Set(cells.map((c) => c.text))];
    let resolved: Map<string, string | 'ambiguous'>;
    if (field.type === 'user') resolved = await resolveUserRefs(ctx, texts);
    else if (field.type === 'department') resolved = await resolveDepartmentRefs(ctx, texts);
    else resolved = await resolveRecordRefs(ctx, objects.get((field as { target: string }).target)!, texts);
    for (const cell of cells) {
      const id = resolved.get(cell.text);
      if (id === undefined) errors.add(cell.row.line, cell.column, 'REFERENCE_NOT_FOUND', { value: cell.text.slice(0, 100) });
      else if (id === 'ambiguous') errors.add(cell.row.line, cell.column, 'REFERENCE_AMBIGUOUS', { value: cell.text.slice(0, 100) });
      else cell.row.input[field.name] = id;
    }
  }
}

/** A lookup cell names its target by id or by the target's record name. */
async function resolveRecordRefs(ctx: Ctx, target: ObjectDefinition, texts: string[]): Promise<Map<string, string | 'ambiguous'>> {
  const name = sql<string>`t.${sql.id(target.recordName)}::text`;
  const resolved = new Map<string, string | 'ambiguous'>();
  for (let i = 0; i < texts.length; i += 1000) {
    const chunk = texts.slice(i, i + 1000);
    const ids = chunk.filter(isUuid).map((t) => t.toLowerCase());
    const rows = await dataDb(ctx)
      .selectFrom(`${target.name} as t`)
      .select(['t.id', name.as('name')])
      .where((eb) => eb.or([eb(name, 'in', chunk), ...(ids.length ? [eb('t.id', 'in', ids)] : [])]))
      .execute();
    for (const [text, id] of pickByIdOrName(chunk, rows as { id: string; name: string }[])) resolved.set(text, id);
  }
  return resolved;
}

/** A unique field's value may appear once in the file and nowhere in the table yet. */
async function checkUnique(ctx: Ctx, object: ObjectDefinition, plan: ColumnPlan, rows: Row[], errors: RowErrors): Promise<void> {
  for (const { field, column } of plan.filter((p) => p.field.unique)) {
    const seen = new Map<string, number>();
    for (const row of rows) {
      const value = row.input[field.name];
      if (value == null) continue;
      const key = JSON.stringify(value);
      if (seen.has(key)) errors.add(row.line, column, 'VALUE_REPEATED', { value: String(value).slice(0, 100), line: seen.get(key)! });
      else seen.set(key, row.line);
    }
    const values = [...seen.keys()].map((k) => JSON.parse(k) as unknown);
    const taken = new Set<string>();
    for (let i = 0; i < values.length; i += 1000) {
      const found = await dataDb(ctx).selectFrom(object.name).select(sql<string>`${sql.id(field.name)}::text`.as('v')).where(field.name, 'in', values.slice(i, i + 1000)).execute();
      for (const { v } of found) taken.add(v);
    }
    for (const row of rows) if (row.input[field.name] != null && taken.has(String(row.input[field.name]))) errors.add(row.line, column, 'VALUE_TAKEN', { value: String(row.input[field.name]).slice(0, 100) });
  }
}

/** Every cell of every row, checked before anything is written. */
async function validateRows(ctx: Ctx, object: ObjectDefinition, plan: ColumnPlan, lines: { line: number; cells: string[] }[], progress: Progress): Promise<{ rows: Row[]; errors: RowErrors }> {
  const errors = new RowErrors(ctx);
  const codecs = liveCodecs(object);
  const pending: Pending[] = [];
  const rows: Row[] = [];
  const timeZone = ctx.platform.config.timeZone;
  for (const [i, { line, cells }] of lines.entries()) {
    const row: Row = { line, input: {} };
    for (const { index, column, field } of plan) {
      const raw = cells[index] ?? '';
      const cell = parseCell(field, raw, timeZone);
      if (cell.kind === 'empty') {
        if (field.required) errors.add(line, column, 'INVALID_VALUE', { problem: describeIssue(ctx.locale, { code: 'too_small', minimum: 1 }, '') });
      } else if (cell.kind === 'invalid') errors.add(line, column, 'INVALID_VALUE', { problem: cellProblems[ctx.locale][cell.problem] });
      else if (cell.kind === 'reference') pending.push({ row, column, field, text: cell.text });
      else {
        const checked = codecs.get(field.name)!.input!.safeParse(cell.value);
        if (checked.success) row.input[field.name] = cell.value;
        else errors.add(line, column, 'INVALID_VALUE', { problem: describeIssue(ctx.locale, checked.error.issues[0]!, raw) });
      }
    }
    rows.push(row);
    progress.report(((i + 1) / lines.length) * VALIDATED * 0.8, 0, lines.length);
  }
  await resolveReferences(ctx, pending, errors);
  await checkUnique(ctx, object, plan, rows, errors);
  return { rows, errors };
}

/** A row refused while writing (a race the checks could not see): the whole import rolls back. */
class RowRefused extends Error {
  readonly line: number;
  constructor(line: number, reason: string) {
    super(reason);
    this.line = line;
  }
}

/** The job: read, validate every row, then write all rows in one transaction, or none. */
export async function runImport(ctx: Ctx, job: RunningJob, progress: Progress): Promise<void> {
  const object = await publishedObject(ctx, job.object);
  const params = job.params as { mapping: Record<string, string | null>; dryRun: boolean };
  const fail = (errors: ImportRowError[]) =>
    finishJob(ctx, job.id, { status: 'failed', errors, errorCount: errors.length, error: { code: 'IMPORT_FAILED', params: { count: new Set(errors.map((e) => e.row)).size } } });
  const read = readCsv(job.input ?? '');
  const early = new RowErrors(ctx);
  if ('syntaxError' in read) early.add(read.syntaxError.line, null, 'CSV_SYNTAX', { reason: read.syntaxError.reason });
  else if (read.rows.length > MAX_ROWS) early.add(1, null, 'TOO_MANY_ROWS', { max: MAX_ROWS });
  if (early.list.length || 'syntaxError' in read) return fail(early.list);
  const plan = planColumns(object, read.header, params.mapping);
  for (const field of object.fields.filter((f) => f.required && !f.archived && liveCodecs(object).get(f.name)?.input)) {
    if (!plan.some((p) => p.field.name === field.name)) early.add(1, field.label[ctx.locale], 'MISSING_COLUMN', {});
  }
  if (early.list.length) return fail(early.list);
  const { rows, errors } = await validateRows(ctx, object, plan, read.rows, progress);
  if (errors.list.length) return fail(errors.list.sort((a, b) => a.row - b.row));
  const columns = Object.fromEntries(plan.map((p) => [p.column, p.field.name]));
  const ignored = read.header.filter((h) => !(h in columns));
  if (params.dryRun) return finishJob(ctx, job.id, { status: 'succeeded', rows: rows.length, result: { dryRun: true, valid: rows.length, created: 0, columns, ignored } });
  try {
    await inTransaction(ctx, async (tx) => {
      for (const [i, row] of rows.entries()) {
        await createRecord(tx, object.name, row.input).catch((error: unknown) => {
          throw error instanceof AppError ? new RowRefused(row.line, translate(ctx.locale, error.code, error.params)) : error;
        });
        progress.report(VALIDATED + ((i + 1) / rows.length) * (100 - VALIDATED), i + 1, rows.length);
      }
      await finishJob(tx, job.id, { status: 'succeeded', rows: rows.length, result: { dryRun: false, valid: rows.length, created: rows.length, columns, ignored } });
    });
  } catch (error) {
    if (!(error instanceof RowRefused)) throw error;
    const refused = new RowErrors(ctx);
    refused.add(error.line, null, 'ROW_REFUSED', { reason: error.message });
    await fail(refused.list);
  }
}

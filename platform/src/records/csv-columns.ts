import { parse } from 'csv-parse/sync';
import type { FieldDefinition, ObjectDefinition } from '../contracts/meta.ts';
import { AppError } from '../core/app-error.ts';
import { IMPORTABLE } from './csv-cells.ts';

export type ColumnPlan = { index: number; column: string; field: FieldDefinition }[];

export type CsvRows = { header: string[]; rows: { line: number; cells: string[] }[] };

/** The separator people's spreadsheets actually use: whichever of , ; tab the header line has most of. */
function delimiterOf(csv: string): string {
  const firstLine = csv.slice(0, csv.search(/\r?\n|$/));
  const counts = [',', ';', '\t'].map((d) => [d, firstLine.split(d).length] as const);
  return counts.reduce((best, next) => (next[1] > best[1] ? next : best))[0];
}

/** Reads the file; a syntax error is reported with the line it is on. */
export function readCsv(csv: string, onlyHeader = false): CsvRows | { syntaxError: { line: number; reason: string } } {
  try {
    const records = parse(csv, {
      ...(onlyHeader && { to: 1 }),
      bom: true,
      delimiter: delimiterOf(csv.replace(/^\uFEFF/, '')),
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
    const [head, ...rest] = records;
    return { header: (head?.record ?? []).map((h) => h.trim()), rows: rest.map((r) => ({ line: r.info.lines, cells: r.record })) };
  } catch (error) {
    return { syntaxError: { line: (error as { lines?: number }).lines ?? 1, reason: (error as Error).message } };
  }
}

/** Only the header line, to check a mapping before a job is queued. */
export function readHeader(csv: string): string[] {
  const read = readCsv(csv, true);
  return 'syntaxError' in read ? [] : read.header;
}

const normalise = (s: string) => s.trim().toLowerCase();

/**
 * Which column fills which field: the explicit mapping first, then a header equal to a field's API
 * name or either label. Columns that match nothing are left out (and reported back).
 */
export function planColumns(object: ObjectDefinition, header: string[], mapping: Record<string, string | null> = {}): ColumnPlan {
  const live = object.fields.filter((f) => !f.archived);
  const invalid = (column: string, field: string) => new AppError('IMPORT_MAPPING_INVALID', 400, { params: { column: column.slice(0, 100), field }, details: { column, field } });
  for (const [column, field] of Object.entries(mapping)) {
    if (!header.includes(column)) throw invalid(column, field ?? '');
    if (field !== null && !live.some((f) => f.name === field && IMPORTABLE(f))) throw invalid(column, field);
  }
  const plan: ColumnPlan = [];
  header.forEach((column, index) => {
    const named = column in mapping ? mapping[column] : undefined;
    const field =
      named === null
        ? undefined
        : named !== undefined
          ? live.find((f) => f.name === named)
          : live.find((f) => IMPORTABLE(f) && [f.name, f.label.en, f.label['zh-CN']].some((name) => normalise(name) === normalise(column)));
    if (!field) return;
    if (plan.some((p) => p.field.name === field.name)) throw invalid(column, field.name);
    plan.push({ index, column, field });
  });
  if (plan.length === 0) throw new AppError('IMPORT_NO_COLUMNS', 400, { params: { object: object.name } });
  return plan;
}

import type { FieldDefinition, MyObjectAccess } from '@threadbase/platform/contracts';
import Papa from 'papaparse';
import { fieldLevel } from '../../../shared/components/records/field-kinds.ts';

/** The server computes or stores these itself; a CSV cannot fill them (records/csv-cells.ts). */
const NOT_IMPORTED: ReadonlySet<FieldDefinition['type']> = new Set(['auto_number', 'formula', 'rollup', 'attachments']);

export type CsvFile = { name: string; text: string; header: string[]; sample: string[]; rows: number };
export type ColumnMapping = Record<string, string | null>;

/** The fields a person may fill from a file: writable by her, not computed. */
export function importableFields(fields: readonly FieldDefinition[], access: MyObjectAccess | null): FieldDefinition[] {
  return fields.filter((f) => !NOT_IMPORTED.has(f.type) && fieldLevel(f, access) === 'edit');
}

/**
 * Reads the header, the first data row (as an example) and the number of rows. The separator is
 * guessed as the server does (comma, semicolon or tab); a byte-order mark is dropped.
 */
export function readCsvFile(name: string, text: string): CsvFile | { problem: string } {
  const clean = text.replace(/^\uFEFF/, '');
  const parsed = Papa.parse<string[]>(clean, { skipEmptyLines: 'greedy', delimitersToGuess: [',', ';', '\t'] });
  const fatal = parsed.errors.find((e) => e.type === 'Quotes');
  if (fatal) return { problem: fatal.message };
  const [header = [], first = [], ...rest] = parsed.data;
  return { name, text: clean, header: header.map((h) => h.trim()), sample: header.map((_, i) => first[i] ?? ''), rows: parsed.data.length > 1 ? rest.length + 1 : 0 };
}

const normalise = (s: string) => s.trim().toLowerCase();

/**
 * A first mapping of the file's columns: a column named like a field's API name or either label fills
 * it, each field at most once; every other column is skipped until the person says otherwise.
 */
export function autoMapping(header: readonly string[], fields: readonly FieldDefinition[]): ColumnMapping {
  const taken = new Set<string>();
  return Object.fromEntries(
    header.map((column) => {
      const field = fields.find((f) => !taken.has(f.name) && [f.name, f.label.en, f.label['zh-CN']].some((n) => normalise(n) === normalise(column)));
      if (field) taken.add(field.name);
      return [column, field?.name ?? null];
    }),
  );
}

/** Fields that more than one column would fill: the server refuses such a mapping. */
export function duplicateFields(mapping: ColumnMapping): string[] {
  const counts = new Map<string, number>();
  for (const field of Object.values(mapping)) if (field) counts.set(field, (counts.get(field) ?? 0) + 1);
  return [...counts].filter(([, n]) => n > 1).map(([field]) => field);
}

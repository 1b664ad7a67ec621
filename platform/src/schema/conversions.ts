import { sql, type RawBuilder } from 'kysely';
import type { FieldDefinition } from '../contracts/meta.ts';

/**
 * How a stored value changes type: the SQL that converts it and a predicate naming the rows that would
 * not convert losslessly. A pair missing here is refused outright (TYPE_CHANGE_NOT_SUPPORTED).
 */
export type Conversion = { using: RawBuilder<unknown> | null; failing: RawBuilder<boolean> | null };

const TEXTUAL = new Set(['text', 'long_text', 'rich_text', 'email', 'phone', 'url']);
const NUMERIC = new Set(['decimal', 'percent', 'currency']);

const fits = (c: RawBuilder<unknown>, precision: number, scale: number) =>
  sql<boolean>`(${c} <> round(${c}, ${sql.lit(scale)}) or abs(${c}) >= power(10::numeric, ${sql.lit(precision - scale)}))`;

/** Rows holding a value that is not one of the options' keys. */
export function outsideOptions(column: string, options: readonly { key: string }[]): RawBuilder<boolean> {
  return sql<boolean>`${sql.ref(column)} not in (${sql.join(options.map((o) => sql.lit(o.key)))})`;
}

export function conversion(from: FieldDefinition, to: FieldDefinition, column: string): Conversion | null {
  const c = sql.ref(column);
  if (TEXTUAL.has(from.type) && TEXTUAL.has(to.type)) {
    const limit = (f: FieldDefinition) => (f.type === 'text' || f.type === 'long_text' ? f.maxLength : Infinity);
    const shrinks = limit(to) < limit(from);
    return { using: null, failing: shrinks ? sql<boolean>`char_length(${c}) > ${sql.lit(limit(to))}` : null };
  }
  if (TEXTUAL.has(from.type) && to.type === 'single_select') return { using: null, failing: outsideOptions(column, to.options) };
  if (from.type === 'single_select' && TEXTUAL.has(to.type)) return { using: null, failing: null };
  if (from.type === 'single_select' && to.type === 'multi_select') return { using: sql`jsonb_build_array(${c})`, failing: outsideOptions(column, to.options) };
  if (from.type === 'integer' && NUMERIC.has(to.type) && 'precision' in to) {
    return { using: sql`${c}::numeric`, failing: fits(sql`${c}::numeric`, to.precision, to.scale) };
  }
  if (NUMERIC.has(from.type) && NUMERIC.has(to.type) && 'precision' in to) {
    return { using: null, failing: fits(c, to.precision, to.scale) };
  }
  if (NUMERIC.has(from.type) && to.type === 'integer') {
    return { using: sql`${c}::bigint`, failing: sql<boolean>`(${c} <> trunc(${c}) or abs(${c}) >= 9223372036854775807)` };
  }
  if (TEXTUAL.has(from.type) && to.type === 'integer') {
    return { using: sql`trim(${c})::bigint`, failing: sql<boolean>`${c} !~ '^\\s*-?[0-9]{1,18}\\s*$'` };
  }
  if (TEXTUAL.has(from.type) && NUMERIC.has(to.type) && 'precision' in to) {
    const number = sql`trim(${c})::numeric`;
    return { using: number, failing: sql<boolean>`(${c} !~ '^\\s*-?[0-9]{1,30}(\\.[0-9]{1,18})?\\s*$' or ${fits(number, to.precision, to.scale)})` };
  }
  if (['integer', 'decimal', 'percent', 'boolean', 'date'].includes(from.type) && TEXTUAL.has(to.type)) return { using: sql`${c}::text`, failing: null };
  if (from.type === 'datetime' && TEXTUAL.has(to.type)) {
    return { using: sql`to_char(${c} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`, failing: null };
  }
  if (from.type === 'date' && to.type === 'datetime') return { using: sql`(${c}::timestamp at time zone 'UTC')`, failing: null };
  if (from.type === 'datetime' && to.type === 'date') {
    return { using: sql`(${c} at time zone 'UTC')::date`, failing: sql<boolean>`(${c} at time zone 'UTC')::time <> '00:00'` };
  }
  return null;
}

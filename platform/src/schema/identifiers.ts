/**
 * API names become table and column names. They are always quoted by Kysely, but names that mean
 * something to PostgreSQL or to the platform are still refused, so that a field is never confused with
 * a keyword in filters or with a column every record has.
 */
const POSTGRES_RESERVED = new Set(
  (
    'all analyse analyze and any array as asc asymmetric authorization binary both case cast check collate collation column ' +
    'concurrently constraint create cross current_catalog current_date current_role current_schema current_time ' +
    'current_timestamp current_user default deferrable desc distinct do else end except false fetch for foreign freeze from ' +
    'full grant group having ilike in initially inner intersect into is isnull join lateral leading left like limit localtime ' +
    'localtimestamp natural not notnull null offset on only or order outer overlaps placing primary references returning right ' +
    'select session_user similar some symmetric system_user table tablesample then to trailing true union unique user using ' +
    'variadic verbose when where window with'
  ).split(' '),
);

/** PostgreSQL's hidden columns exist on every table. */
const POSTGRES_SYSTEM_COLUMNS = new Set(['oid', 'tableoid', 'xmin', 'xmax', 'cmin', 'cmax', 'ctid']);

/** Columns of every object table, managed by the platform. */
export const RECORD_SYSTEM_COLUMNS = ['id', 'created_at', 'created_by', 'updated_at', 'updated_by', 'owner', 'version'] as const;

export type IdentifierProblem = 'RESERVED_WORD' | 'SYSTEM_COLUMN';

export function identifierProblem(name: string, kind: 'object' | 'field' | 'option'): IdentifierProblem | null {
  if (POSTGRES_RESERVED.has(name)) return 'RESERVED_WORD';
  if (kind === 'field' && (POSTGRES_SYSTEM_COLUMNS.has(name) || (RECORD_SYSTEM_COLUMNS as readonly string[]).includes(name))) return 'SYSTEM_COLUMN';
  return null;
}

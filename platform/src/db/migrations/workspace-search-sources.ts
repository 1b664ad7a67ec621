import { sql } from 'kysely';
import type { Migration } from '../migrate.ts';
import { run, table } from './statements.ts';

/**
 * What the search index holds of each source (016): messages, files and each object's records, with
 * how they were indexed (the tokeniser's version and, for records, the name field) and how far a
 * back-fill has come. Texts written before search existed, and records whose name field changed, are
 * indexed again in chunks until `done_at` is set.
 */
export const searchSourceMigrations: readonly Migration[] = [
  {
    name: '016_search_sources',
    up: (db, s) =>
      run(db, [
        sql`create table ${table(s, 'search_sources')} (
          source text primary key,
          indexed_as text not null,
          cursor text,
          done_at timestamptz,
          updated_at timestamptz not null default now()
        )`,
      ]),
  },
];

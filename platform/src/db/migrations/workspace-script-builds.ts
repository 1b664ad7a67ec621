import { sql } from 'kysely';
import type { Migration } from '../migrate.ts';
import { run, table } from './statements.ts';

/**
 * What publishing scripts leaves beside the metadata (019): the JavaScript of each source, compiled once
 * and found by the source's hash; the latest type check of each published script (a publish that breaks
 * one flags it); and when each scheduled script runs next.
 */
export const scriptBuildMigrations: readonly Migration[] = [
  {
    name: '019_script_builds',
    up: (db, s) =>
      run(db, [
        sql`create table ${table(s, 'script_builds')} (
          source_hash text primary key,
          javascript text not null,
          created_at timestamptz not null default now()
        )`,
        sql`create table ${table(s, 'script_checks')} (
          script text primary key,
          source_hash text not null,
          meta_version integer not null,
          ok boolean not null,
          diagnostics jsonb not null,
          checked_at timestamptz not null default now()
        )`,
        sql`create table ${table(s, 'script_schedules')} (
          script text primary key,
          cron text not null,
          next_at timestamptz not null
        )`,
      ]),
  },
];

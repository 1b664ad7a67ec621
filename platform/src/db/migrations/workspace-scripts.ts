import { sql } from 'kysely';
import type { Migration } from '../migrate.ts';
import { run, table } from './statements.ts';

/**
 * What governs admin scripts (018): the workspace's limits and HTTP allow-list (one row, like the
 * messaging settings), the secrets scripts read with `env.get`, and the log of their runs.
 */
export const scriptMigrations: readonly Migration[] = [
  {
    name: '018_scripts',
    up: (db, s) =>
      run(db, [
        // limits holds only what an admin overrode; the defaults live in code so that raising them reaches every workspace.
        sql`create table ${table(s, 'script_settings')} (
          id integer primary key check (id = 1),
          limits jsonb not null default '{}',
          http_allow_list jsonb not null default '[]',
          run_log_days integer not null default 30 check (run_log_days between 1 and 365),
          updated_at timestamptz not null default now(),
          updated_by uuid references ${table(s, 'users')} (id) on delete set null
        )`,
        sql`insert into ${table(s, 'script_settings')} (id) values (1)`,
        sql`create table ${table(s, 'script_secrets')} (
          name text primary key,
          value text not null,
          updated_at timestamptz not null default now(),
          updated_by uuid references ${table(s, 'users')} (id) on delete set null
        )`,
        sql`create table ${table(s, 'script_runs')} (
          id uuid primary key,
          script text not null,
          kind text not null,
          meta_version integer,
          trigger text not null,
          object text,
          record_id uuid,
          run_as text not null check (run_as in ('user', 'system')),
          user_id uuid references ${table(s, 'users')} (id) on delete set null,
          dry_run boolean not null default false,
          started_at timestamptz not null,
          duration_ms double precision not null,
          status text not null check (status in ('ok', 'failed')),
          error_code text,
          error_message text,
          usage jsonb not null,
          logs jsonb not null default '[]'
        )`,
        sql`create index script_runs_script on ${table(s, 'script_runs')} (script, started_at desc)`,
        sql`create index script_runs_started on ${table(s, 'script_runs')} (started_at)`,
      ]),
  },
];

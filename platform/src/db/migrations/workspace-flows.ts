import { sql } from 'kysely';
import type { Migration } from '../migrate.ts';
import { run, table } from './statements.ts';

/**
 * Flow runs as rows (020): a run keeps the definition it started with, and each step it takes is a row
 * that a pg-boss job carries out. What a step did (its output or error) stays on its row: the run's
 * timeline.
 */
export const flowMigrations: readonly Migration[] = [
  {
    name: '020_flows',
    up: (db, s) =>
      run(db, [
        sql`create table ${table(s, 'flow_runs')} (
          id uuid primary key,
          flow text not null,
          meta_version integer not null,
          definition jsonb not null,
          status text not null check (status in ('running', 'waiting', 'needs_attention', 'done', 'cancelled')),
          object text,
          record_id uuid,
          started_by uuid references ${table(s, 'users')} (id) on delete set null,
          trigger jsonb not null,
          error jsonb,
          started_at timestamptz not null default now(),
          updated_at timestamptz not null default now(),
          finished_at timestamptz
        )`,
        sql`create index flow_runs_by_flow on ${table(s, 'flow_runs')} (flow, started_at desc)`,
        sql`create index flow_runs_open on ${table(s, 'flow_runs')} (status) where status in ('running', 'waiting', 'needs_attention')`,
        sql`create index flow_runs_waiting_by_record on ${table(s, 'flow_runs')} (record_id) where status = 'waiting'`,
        sql`create table ${table(s, 'flow_steps')} (
          id uuid primary key,
          run_id uuid not null references ${table(s, 'flow_runs')} (id) on delete cascade,
          node_id text not null,
          seq integer not null,
          status text not null check (status in ('queued', 'running', 'waiting', 'done', 'failed', 'cancelled')),
          attempts integer not null default 0,
          output jsonb,
          error jsonb,
          due_at timestamptz,
          created_at timestamptz not null default now(),
          started_at timestamptz,
          finished_at timestamptz,
          unique (run_id, seq)
        )`,
      ]),
  },
];

import { sql } from 'kysely';
import type { Migration } from '../migrate.ts';
import { run, table } from './statements.ts';

/**
 * Time-based flow triggers and inbound webhooks (022). `flow_timers` holds one due time per schedule
 * (no record) or per record of a date or inactivity trigger, indexed by due time so that firing reads
 * only the rows that are due; `plan` names the trigger settings the time was planned from. An
 * inactivity timer that fired keeps its row with no due time until the next activity arms it again.
 * `flow_timer_plans` tells which trigger settings each flow's timers follow and how far planning the
 * existing records got. `flow_webhooks` keeps each webhook flow's secret.
 */
export const flowTimerMigrations: readonly Migration[] = [
  {
    name: '022_flow_timers',
    up: (db, s) =>
      run(db, [
        sql`create table ${table(s, 'flow_timers')} (
          flow text not null,
          record_id uuid,
          kind text not null check (kind in ('schedule', 'date', 'inactivity')),
          object text,
          plan text not null,
          due_at timestamptz,
          activity_at timestamptz,
          check ((kind = 'schedule') = (record_id is null)),
          unique nulls not distinct (flow, record_id)
        )`,
        sql`create index flow_timers_due on ${table(s, 'flow_timers')} (due_at) where due_at is not null`,
        sql`create index flow_timers_record on ${table(s, 'flow_timers')} (record_id) where record_id is not null`,
        sql`create table ${table(s, 'flow_timer_plans')} (
          flow text primary key,
          plan text not null,
          cursor uuid,
          done boolean not null default false,
          planned_at timestamptz not null default now()
        )`,
        sql`create table ${table(s, 'flow_webhooks')} (
          flow text primary key,
          secret text not null,
          rotated_at timestamptz not null default now(),
          rotated_by uuid references ${table(s, 'users')} (id) on delete set null
        )`,
      ]),
  },
];

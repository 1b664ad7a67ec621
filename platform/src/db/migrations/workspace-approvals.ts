import { sql } from 'kysely';
import type { Migration } from '../migrate.ts';
import { run, table } from './statements.ts';

/**
 * Approvals (021): an approval of a record asked by a flow's approval node, its levels, the tasks of the
 * people asked (a row per person and round, kept when the level moves on), its history and the
 * delegations people set while away. One open approval per record at a time.
 */
export const approvalMigrations: readonly Migration[] = [
  {
    name: '021_approvals',
    up: (db, s) =>
      run(db, [
        sql`create table ${table(s, 'approvals')} (
          id uuid primary key,
          flow text not null,
          run_id uuid references ${table(s, 'flow_runs')} (id) on delete set null,
          step_id uuid,
          node_id text not null,
          object text not null,
          record_id uuid not null,
          title text not null,
          submitter_id uuid references ${table(s, 'users')} (id) on delete set null,
          status text not null check (status in ('pending', 'returned', 'approved', 'rejected', 'recalled', 'cancelled')),
          definition jsonb not null,
          scope_steps jsonb not null,
          summary jsonb not null,
          stage integer,
          returned_stage integer,
          thread_id uuid,
          card_message_id uuid,
          outcome jsonb,
          created_at timestamptz not null default now(),
          updated_at timestamptz not null default now(),
          finished_at timestamptz
        )`,
        sql`create unique index approvals_open_per_record on ${table(s, 'approvals')} (object, record_id) where status in ('pending', 'returned')`,
        sql`create index approvals_by_submitter on ${table(s, 'approvals')} (submitter_id, id desc)`,
        sql`create index approvals_by_run on ${table(s, 'approvals')} (run_id)`,
        sql`create table ${table(s, 'approval_levels')} (
          approval_id uuid not null references ${table(s, 'approvals')} (id) on delete cascade,
          idx integer not null,
          key text not null,
          stage integer not null,
          status text not null check (status in ('waiting', 'active', 'approved', 'rejected', 'skipped', 'cancelled')),
          round integer not null default 0,
          needed integer,
          started_at timestamptz,
          finished_at timestamptz,
          primary key (approval_id, idx)
        )`,
        sql`create table ${table(s, 'approval_tasks')} (
          id uuid primary key,
          approval_id uuid not null references ${table(s, 'approvals')} (id) on delete cascade,
          level_idx integer not null,
          round integer not null,
          seat uuid not null,
          ord integer not null,
          assignee_id uuid not null references ${table(s, 'users')} (id),
          on_behalf_of uuid references ${table(s, 'users')} (id),
          added_by uuid references ${table(s, 'users')} (id) on delete set null,
          status text not null check (status in ('queued', 'pending', 'approved', 'rejected', 'returned', 'transferred', 'delegated', 'closed')),
          comment text,
          created_at timestamptz not null default now(),
          acted_at timestamptz
        )`,
        sql`create index approval_tasks_by_approval on ${table(s, 'approval_tasks')} (approval_id, level_idx)`,
        sql`create index approval_tasks_open on ${table(s, 'approval_tasks')} (assignee_id, approval_id) where status in ('pending', 'queued')`,
        sql`create index approval_tasks_acted on ${table(s, 'approval_tasks')} (assignee_id, approval_id) where status in ('approved', 'rejected', 'returned', 'transferred')`,
        sql`create table ${table(s, 'approval_history')} (
          id uuid primary key,
          approval_id uuid not null references ${table(s, 'approvals')} (id) on delete cascade,
          actor_id uuid references ${table(s, 'users')} (id) on delete set null,
          action text not null,
          level_idx integer,
          task_id uuid,
          comment text,
          details jsonb not null default '{}',
          created_at timestamptz not null default now()
        )`,
        sql`create index approval_history_by_approval on ${table(s, 'approval_history')} (approval_id, id)`,
        sql`create index approval_history_urges on ${table(s, 'approval_history')} (approval_id, actor_id, created_at desc) where action = 'urge'`,
        sql`create table ${table(s, 'approval_delegations')} (
          id uuid primary key,
          user_id uuid not null references ${table(s, 'users')} (id) on delete cascade,
          delegate_id uuid not null references ${table(s, 'users')} (id) on delete cascade,
          starts_at timestamptz not null,
          ends_at timestamptz not null,
          reason text,
          created_at timestamptz not null default now(),
          check (ends_at > starts_at),
          check (user_id <> delegate_id)
        )`,
        sql`create index approval_delegations_by_user on ${table(s, 'approval_delegations')} (user_id, ends_at)`,
      ]),
  },
];

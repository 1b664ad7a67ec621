import { sql } from 'kysely';
import type { Migration } from '../migrate.ts';
import { run, table } from './statements.ts';

/** The spine's tables (001–007): directory, auth, audit, outbox, metadata, history, jobs. */
export const platformMigrations: readonly Migration[] = [
  {
    name: '001_directory',
    up: (db, s) =>
      run(db, [
        sql`create table ${table(s, 'departments')} (
          id uuid primary key default gen_random_uuid(),
          name text not null,
          parent_id uuid references ${table(s, 'departments')} (id) on delete restrict,
          manager_id uuid,
          sort integer not null default 0,
          created_at timestamptz not null default now(),
          updated_at timestamptz not null default now()
        )`,
        sql`create index departments_parent on ${table(s, 'departments')} (parent_id)`,
        sql`create table ${table(s, 'users')} (
          id uuid primary key default gen_random_uuid(),
          login text not null,
          display_name text not null,
          email text,
          phone text,
          avatar_url text,
          locale text not null default 'zh-CN' check (locale in ('zh-CN', 'en')),
          status text not null default 'active' check (status in ('active', 'disabled', 'departed')),
          is_admin boolean not null default false,
          main_department_id uuid references ${table(s, 'departments')} (id) on delete set null,
          manager_id uuid references ${table(s, 'users')} (id) on delete set null,
          job_title text,
          search_text text not null default '',
          sort_key text not null default '',
          created_at timestamptz not null default now(),
          updated_at timestamptz not null default now()
        )`,
        sql`create unique index users_login on ${table(s, 'users')} (lower(login))`,
        sql`create index users_sort on ${table(s, 'users')} (sort_key, id)`,
        sql`alter table ${table(s, 'departments')} add foreign key (manager_id) references ${table(s, 'users')} (id) on delete set null`,
        sql`create table ${table(s, 'user_departments')} (
          user_id uuid not null references ${table(s, 'users')} (id) on delete cascade,
          department_id uuid not null references ${table(s, 'departments')} (id) on delete restrict,
          primary key (user_id, department_id)
        )`,
        sql`create index user_departments_department on ${table(s, 'user_departments')} (department_id)`,
      ]),
  },
  {
    name: '002_auth',
    up: (db, s) =>
      run(db, [
        sql`create table ${table(s, 'credentials')} (
          user_id uuid primary key references ${table(s, 'users')} (id) on delete cascade,
          password_hash text not null,
          failed_logins integer not null default 0,
          locked_until timestamptz,
          changed_at timestamptz not null default now()
        )`,
        sql`create table ${table(s, 'sessions')} (
          id text primary key,
          user_id uuid not null references ${table(s, 'users')} (id) on delete cascade,
          csrf_token text not null,
          ip text,
          user_agent text,
          created_at timestamptz not null default now(),
          last_seen_at timestamptz not null default now(),
          expires_at timestamptz not null
        )`,
        sql`create index sessions_user on ${table(s, 'sessions')} (user_id)`,
        sql`create table ${table(s, 'api_tokens')} (
          id uuid primary key default gen_random_uuid(),
          user_id uuid not null references ${table(s, 'users')} (id) on delete cascade,
          name text not null,
          token_hash text not null unique,
          hint text not null,
          created_at timestamptz not null default now(),
          last_used_at timestamptz,
          expires_at timestamptz,
          revoked_at timestamptz
        )`,
        sql`create index api_tokens_user on ${table(s, 'api_tokens')} (user_id)`,
        sql`create table ${table(s, 'login_throttle')} (
          key text primary key,
          window_start timestamptz not null,
          failures integer not null
        )`,
      ]),
  },
  {
    name: '003_audit',
    up: (db, s) =>
      run(db, [
        sql`create table ${table(s, 'audit_log')} (
          seq bigint primary key,
          at timestamptz not null,
          actor_id uuid,
          actor_login text,
          action text not null,
          target_type text,
          target_id text,
          ip text,
          details jsonb not null default '{}',
          prev_hash text not null,
          hash text not null
        )`,
        sql`create table ${table(s, 'audit_head')} (
          id integer primary key check (id = 1),
          seq bigint not null,
          hash text not null
        )`,
        sql`create function ${table(s, 'audit_log_append_only')}() returns trigger language plpgsql as $$
          begin raise exception 'audit_log is append-only'; end $$`,
        sql`create trigger audit_log_append_only before update or delete on ${table(s, 'audit_log')}
          for each row execute function ${table(s, 'audit_log_append_only')}()`,
      ]),
  },
  {
    name: '004_outbox',
    up: (db, s) =>
      run(db, [
        sql`create table ${table(s, 'outbox_aggregates')} (
          aggregate_type text not null,
          aggregate_id text not null,
          seq bigint not null,
          primary key (aggregate_type, aggregate_id)
        )`,
        sql`create table ${table(s, 'outbox_events')} (
          id bigserial primary key,
          aggregate_type text not null,
          aggregate_id text not null,
          aggregate_seq bigint not null,
          type text not null,
          payload jsonb not null,
          actor_id uuid,
          created_at timestamptz not null default now(),
          unique (aggregate_type, aggregate_id, aggregate_seq)
        )`,
        sql`create table ${table(s, 'outbox_deliveries')} (
          event_id bigint not null references ${table(s, 'outbox_events')} (id) on delete cascade,
          consumer text not null,
          status text not null default 'pending' check (status in ('pending', 'done', 'dead')),
          attempts integer not null default 0,
          next_attempt_at timestamptz not null default now(),
          last_error text,
          delivered_at timestamptz,
          primary key (event_id, consumer)
        )`,
        sql`create index outbox_deliveries_due on ${table(s, 'outbox_deliveries')} (consumer, next_attempt_at) where status = 'pending'`,
      ]),
  },
  {
    name: '005_meta',
    up: (db, s) =>
      run(db, [
        sql`create table ${table(s, 'meta_versions')} (
          version integer primary key,
          document jsonb not null,
          changes jsonb not null,
          note text,
          published_at timestamptz not null default now(),
          published_by uuid references ${table(s, 'users')} (id) on delete set null
        )`,
        sql`create table ${table(s, 'meta_draft')} (
          id integer primary key check (id = 1),
          document jsonb not null,
          base_version integer not null,
          updated_at timestamptz not null default now(),
          updated_by uuid references ${table(s, 'users')} (id) on delete set null
        )`,
      ]),
  },
  {
    name: '006_record_history',
    up: (db, s) =>
      run(db, [
        sql`create table ${table(s, 'record_history')} (
          id bigserial primary key,
          object text not null,
          record_id uuid not null,
          field text not null,
          old_value jsonb,
          new_value jsonb,
          changed_by uuid references ${table(s, 'users')} (id) on delete set null,
          changed_at timestamptz not null default now()
        )`,
        sql`create index record_history_record on ${table(s, 'record_history')} (object, record_id, id)`,
      ]),
  },
  {
    name: '007_jobs',
    up: (db, s) =>
      run(db, [
        sql`create table ${table(s, 'jobs')} (
          id uuid primary key,
          kind text not null check (kind in ('records.import', 'records.export')),
          object text not null,
          status text not null default 'queued' check (status in ('queued', 'running', 'succeeded', 'failed')),
          params jsonb not null,
          input text,
          progress integer not null default 0 check (progress between 0 and 100),
          rows_done integer not null default 0,
          rows_total integer,
          result jsonb,
          errors jsonb,
          output text,
          attempts integer not null default 0,
          created_by uuid references ${table(s, 'users')} (id) on delete set null,
          created_at timestamptz not null default now(),
          started_at timestamptz,
          finished_at timestamptz
        )`,
        sql`create index jobs_created_by on ${table(s, 'jobs')} (created_by, created_at desc)`,
      ]),
  },
];

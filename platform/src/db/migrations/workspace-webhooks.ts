import { sql } from 'kysely';
import type { Migration } from '../migrate.ts';
import { run, table } from './statements.ts';

/**
 * Webhooks (023). Outbound: subscriptions of external URLs to events; an event that matches is one row,
 * with one delivery row per subscription (written in the transaction of the change), and each attempt to
 * deliver it is a row of its own (the delivery log). Inbound: hooks that turn a POST into a record,
 * known by the hash of their secret token, and the answers they gave per Idempotency-Key.
 */
export const webhookMigrations: readonly Migration[] = [
  {
    name: '023_webhooks',
    up: (db, s) =>
      run(db, [
        sql`create table ${table(s, 'webhook_subscriptions')} (
          id uuid primary key,
          name text not null,
          description text,
          url text not null,
          events jsonb not null,
          objects jsonb not null default '[]',
          flows jsonb not null default '[]',
          active boolean not null default true,
          secret text not null,
          retry_attempts integer not null check (retry_attempts between 1 and 20),
          backoff_seconds integer not null check (backoff_seconds between 1 and 3600),
          timeout_seconds integer not null check (timeout_seconds between 1 and 30),
          created_by uuid references ${table(s, 'users')} (id) on delete set null,
          created_at timestamptz not null default now(),
          updated_at timestamptz not null default now()
        )`,
        sql`create table ${table(s, 'webhook_events')} (
          id uuid primary key,
          type text not null,
          payload jsonb not null,
          created_at timestamptz not null default now()
        )`,
        sql`create table ${table(s, 'webhook_deliveries')} (
          id uuid primary key,
          subscription_id uuid not null references ${table(s, 'webhook_subscriptions')} (id) on delete cascade,
          event_id uuid not null references ${table(s, 'webhook_events')} (id) on delete cascade,
          status text not null check (status in ('pending', 'delivering', 'delivered', 'failed')),
          attempts integer not null default 0,
          next_attempt_at timestamptz,
          leased_until timestamptz,
          last_attempt_at timestamptz,
          response_status integer,
          error text,
          duration_ms double precision,
          finished_at timestamptz,
          replay_of uuid references ${table(s, 'webhook_deliveries')} (id) on delete set null,
          created_at timestamptz not null default now()
        )`,
        sql`create index webhook_deliveries_log on ${table(s, 'webhook_deliveries')} (subscription_id, id desc)`,
        sql`create index webhook_deliveries_event on ${table(s, 'webhook_deliveries')} (event_id)`,
        sql`create index webhook_deliveries_replay on ${table(s, 'webhook_deliveries')} (replay_of) where replay_of is not null`,
        sql`create table ${table(s, 'webhook_attempts')} (
          delivery_id uuid not null references ${table(s, 'webhook_deliveries')} (id) on delete cascade,
          attempt integer not null,
          started_at timestamptz not null,
          duration_ms double precision,
          response_status integer,
          error text,
          response_body text,
          primary key (delivery_id, attempt)
        )`,
        sql`create table ${table(s, 'webhook_inbound')} (
          id uuid primary key,
          name text not null,
          description text,
          object text not null,
          mode text not null check (mode in ('create', 'upsert')),
          key_field text,
          mapping jsonb not null,
          active boolean not null default true,
          token_hash text not null unique,
          token_hint text not null,
          last_used_at timestamptz,
          created_by uuid references ${table(s, 'users')} (id) on delete set null,
          created_at timestamptz not null default now(),
          updated_at timestamptz not null default now(),
          check (mode = 'create' or key_field is not null)
        )`,
        sql`create table ${table(s, 'webhook_inbound_requests')} (
          hook_id uuid not null references ${table(s, 'webhook_inbound')} (id) on delete cascade,
          key text not null,
          body_hash text not null,
          status integer not null,
          response jsonb not null,
          created_at timestamptz not null default now(),
          primary key (hook_id, key)
        )`,
      ]),
  },
];

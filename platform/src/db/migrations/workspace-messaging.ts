import { sql } from 'kysely';
import type { Migration } from '../migrate.ts';
import { run, table } from './statements.ts';

/** What people do with messages after sending them: edits, recall, reactions, pins, attachments, record links, forwarding (012). */
export const messagingMigrations: readonly Migration[] = [
  {
    name: '012_message_features',
    up: (db, s) =>
      run(db, [
        // updated_at moves on every change after sending, so a client that was away re-reads what changed.
        sql`alter table ${table(s, 'messages')}
          add column edited_at timestamptz,
          add column recalled_at timestamptz,
          add column updated_at timestamptz not null default now(),
          add column attachments jsonb not null default '[]',
          add column links jsonb not null default '[]',
          add column forwarded_from jsonb,
          add column pinned_at timestamptz,
          add column pinned_by uuid references ${table(s, 'users')} (id) on delete set null`,
        sql`create index messages_updated on ${table(s, 'messages')} (thread_id, updated_at)`,
        sql`create index messages_pinned on ${table(s, 'messages')} (thread_id, pinned_at) where pinned_at is not null`,
        // Who may download a file sent in a conversation: the readers of the threads whose messages carry it.
        // Partial, so that the many messages without files cost their inserts nothing here.
        sql`create index messages_attachments on ${table(s, 'messages')} using gin (attachments jsonb_path_ops) where attachments <> '[]'::jsonb`,
        sql`create table ${table(s, 'message_edits')} (
          message_id uuid not null references ${table(s, 'messages')} (id) on delete cascade,
          version integer not null,
          body text not null,
          edited_at timestamptz not null default now(),
          primary key (message_id, version)
        )`,
        sql`create table ${table(s, 'message_reactions')} (
          message_id uuid not null references ${table(s, 'messages')} (id) on delete cascade,
          user_id uuid not null references ${table(s, 'users')} (id) on delete cascade,
          emoji text not null,
          created_at timestamptz not null default now(),
          primary key (message_id, emoji, user_id)
        )`,
        sql`create table ${table(s, 'messaging_settings')} (
          id integer primary key check (id = 1),
          recall_minutes integer not null check (recall_minutes >= 0),
          updated_at timestamptz not null default now(),
          updated_by uuid references ${table(s, 'users')} (id) on delete set null
        )`,
        sql`insert into ${table(s, 'messaging_settings')} (id, recall_minutes) values (1, 1440)`,
      ]),
  },
];

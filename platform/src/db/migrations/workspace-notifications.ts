import { sql } from 'kysely';
import type { Migration } from '../migrate.ts';
import { run, table } from './statements.ts';

/** Notifications and the per-thread preference that governs them (013). */
export const notificationMigrations: readonly Migration[] = [
  {
    name: '013_notifications',
    up: (db, s) =>
      run(db, [
        sql`alter table ${table(s, 'thread_members')}
          add column notify text not null default 'all' check (notify in ('all', 'mentions', 'none'))`,
        // Never a message body here: the preview is rendered from the message at read time, for the reader.
        // Times are kept to the millisecond, as JavaScript reads them, so a page cursor names a row exactly.
        sql`create table ${table(s, 'notifications')} (
          id uuid primary key,
          user_id uuid not null references ${table(s, 'users')} (id) on delete cascade,
          thread_id uuid not null references ${table(s, 'threads')} (id) on delete cascade,
          kind text not null check (kind in ('mention', 'reply', 'reminder', 'direct', 'message', 'activity')),
          first_seq bigint not null,
          last_seq bigint not null,
          message_id uuid not null references ${table(s, 'messages')} (id) on delete cascade,
          actor_id uuid references ${table(s, 'users')} (id) on delete set null,
          count integer not null default 1 check (count > 0),
          read_at timestamptz,
          created_at timestamptz not null default date_trunc('milliseconds', now()),
          updated_at timestamptz not null default date_trunc('milliseconds', now()),
          check (first_seq <= last_seq)
        )`,
        // One unread digest per person, thread and kind: the next message counts into it (insert … on conflict).
        sql`create unique index notifications_digest on ${table(s, 'notifications')} (user_id, thread_id, kind)
          where read_at is null and kind in ('direct', 'message', 'activity')`,
        sql`create index notifications_unread on ${table(s, 'notifications')} (user_id, updated_at desc, id desc) where read_at is null`,
        sql`create index notifications_user on ${table(s, 'notifications')} (user_id, updated_at desc, id desc)`,
        sql`create index notifications_thread on ${table(s, 'notifications')} (thread_id, user_id)`,
      ]),
  },
];

import { sql } from 'kysely';
import type { Migration } from '../migrate.ts';
import { run, table } from './statements.ts';

/**
 * Links to join a group or announcement channel (017): one per conversation at a time, replaced when
 * its owner or an admin makes a new one, gone with the conversation.
 */
export const joinLinkMigrations: readonly Migration[] = [
  {
    name: '017_thread_join_links',
    up: (db, s) =>
      run(db, [
        sql`create table ${table(s, 'thread_join_links')} (
          thread_id uuid primary key references ${table(s, 'threads')} (id) on delete cascade,
          code text not null unique,
          expires_at timestamptz,
          created_by uuid not null,
          created_at timestamptz not null default now()
        )`,
      ]),
  },
];

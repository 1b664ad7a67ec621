import { sql } from 'kysely';
import type { Migration } from '../migrate.ts';
import { run, table } from './statements.ts';

/** Presence (014): who is connected, per platform process, and the status last announced per user. */
export const presenceMigrations: readonly Migration[] = [
  {
    name: '014_presence',
    up: (db, s) =>
      run(db, [
        // A row exists while the process holds at least one socket of the user; the process refreshes
        // `seen_at` every 30 s, so the rows of a killed process stop counting after 90 s on their own.
        sql`create table ${table(s, 'presence_sessions')} (
          user_id uuid not null references ${table(s, 'users')} (id) on delete cascade,
          process_id text not null,
          away boolean not null,
          seen_at timestamptz not null default now(),
          primary key (user_id, process_id)
        )`,
        sql`create index presence_sessions_process on ${table(s, 'presence_sessions')} (process_id)`,
        // The status last sent to the workspace: changes are announced once, by whichever process's
        // transaction locks this row and finds the computed status different.
        sql`create table ${table(s, 'presence_users')} (
          user_id uuid primary key references ${table(s, 'users')} (id) on delete cascade,
          status text not null check (status in ('online', 'away', 'offline')),
          changed_at timestamptz not null default now()
        )`,
      ]),
  },
];

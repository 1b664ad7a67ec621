import { sql } from 'kysely';
import type { Migration } from '../migrate.ts';

/** Deployment-wide tables: only what spans workspaces. */
export const globalMigrations: readonly Migration[] = [
  {
    name: '001_workspaces',
    async up(db, schema) {
      await sql`create table ${sql.table(`${schema}.workspaces`)} (
        id uuid primary key default gen_random_uuid(),
        slug text not null unique,
        name text not null,
        hosts jsonb not null default '[]',
        is_default boolean not null default false,
        created_at timestamptz not null default now()
      )`.execute(db);
      await sql`create unique index workspaces_one_default on ${sql.table(`${schema}.workspaces`)} (is_default) where is_default`.execute(db);
    },
  },
  {
    name: '002_socket_io_attachments',
    // socket.io's PostgreSQL adapter sends payloads too large for NOTIFY through this table.
    async up(db, schema) {
      await sql`create table ${sql.table(`${schema}.socket_io_attachments`)} (
        id bigserial unique,
        created_at timestamptz default now(),
        payload bytea
      )`.execute(db);
    },
  },
];

import { sql } from 'kysely';
import type { Migration } from '../migrate.ts';
import { run, table } from './statements.ts';

/** Access, files, threads and search (008–011). */
export const collaborationMigrations: readonly Migration[] = [
  {
    name: '008_access',
    up: (db, s) =>
      run(db, [
        sql`create table ${table(s, 'roles')} (
          id uuid primary key default gen_random_uuid(),
          key text not null unique,
          label jsonb not null,
          description text not null default '',
          builtin boolean not null default false,
          created_at timestamptz not null default now(),
          updated_at timestamptz not null default now()
        )`,
        sql`create table ${table(s, 'role_permissions')} (
          role_id uuid not null references ${table(s, 'roles')} (id) on delete cascade,
          object text not null,
          can_create boolean not null default false,
          read_scope text not null check (read_scope in ('none', 'own', 'department', 'department_tree', 'all')),
          edit_scope text not null check (edit_scope in ('none', 'own', 'department', 'department_tree', 'all')),
          delete_scope text not null check (delete_scope in ('none', 'own', 'department', 'department_tree', 'all')),
          view_all boolean not null default false,
          modify_all boolean not null default false,
          fields jsonb not null default '{}',
          primary key (role_id, object)
        )`,
        sql`create table ${table(s, 'user_roles')} (
          user_id uuid not null references ${table(s, 'users')} (id) on delete cascade,
          role_id uuid not null references ${table(s, 'roles')} (id) on delete cascade,
          primary key (user_id, role_id)
        )`,
        sql`create index user_roles_role on ${table(s, 'user_roles')} (role_id)`,
        sql`create table ${table(s, 'object_access')} (
          object text primary key,
          manager_access text not null check (manager_access in ('none', 'read', 'edit'))
        )`,
        sql`create table ${table(s, 'record_shares')} (
          id uuid primary key default gen_random_uuid(),
          object text not null,
          record_id uuid not null,
          user_id uuid references ${table(s, 'users')} (id) on delete cascade,
          department_id uuid references ${table(s, 'departments')} (id) on delete cascade,
          role_id uuid references ${table(s, 'roles')} (id) on delete cascade,
          access text not null check (access in ('read', 'edit')),
          created_by uuid references ${table(s, 'users')} (id) on delete set null,
          created_at timestamptz not null default now(),
          check (num_nonnulls(user_id, department_id, role_id) = 1)
        )`,
        sql`create unique index record_shares_grantee on ${table(s, 'record_shares')} (object, record_id, coalesce(user_id, department_id, role_id))`,
        sql`create index record_shares_user on ${table(s, 'record_shares')} (user_id, object) where user_id is not null`,
        sql`create table ${table(s, 'sharing_rules')} (
          id uuid primary key default gen_random_uuid(),
          object text not null,
          name text not null,
          filter jsonb not null,
          user_id uuid references ${table(s, 'users')} (id) on delete cascade,
          department_id uuid references ${table(s, 'departments')} (id) on delete cascade,
          role_id uuid references ${table(s, 'roles')} (id) on delete cascade,
          access text not null check (access in ('read', 'edit')),
          created_at timestamptz not null default now(),
          updated_at timestamptz not null default now(),
          check (num_nonnulls(user_id, department_id, role_id) = 1)
        )`,
        sql`create index sharing_rules_object on ${table(s, 'sharing_rules')} (object)`,
        // Built in: "admin" is every user with is_admin; "member" applies to every user and starts as
        // Salesforce's "public read only": create, read all, change and delete only your own.
        sql`insert into ${table(s, 'roles')} (key, label, description, builtin) values
          ('admin', '{"zh-CN": "工作区管理员", "en": "Workspace admin"}', 'Every user marked as administrator: all rights on every object.', true),
          ('member', '{"zh-CN": "成员", "en": "Member"}', 'Applies to every user of the workspace.', true)`,
        sql`insert into ${table(s, 'role_permissions')} (role_id, object, can_create, read_scope, edit_scope, delete_scope)
          select id, '*', true, 'all', 'own', 'own' from ${table(s, 'roles')} where key = 'member'`,
      ]),
  },
  {
    name: '009_files',
    up: (db, s) =>
      run(db, [
        // thread_id has no foreign key: threads do not exist yet; the threads migration may add one.
        sql`create table ${table(s, 'files')} (
          id uuid primary key default gen_random_uuid(),
          name text not null,
          content_type text not null,
          size bigint not null,
          sha256 text not null,
          storage_key text not null,
          thumbnail_key text,
          width integer,
          height integer,
          object text,
          record_id uuid,
          thread_id uuid,
          created_by uuid references ${table(s, 'users')} (id) on delete set null,
          created_at timestamptz not null default now(),
          check ((object is null) = (record_id is null))
        )`,
        sql`create index files_record on ${table(s, 'files')} (object, record_id) where record_id is not null`,
        sql`create index files_thread on ${table(s, 'files')} (thread_id) where thread_id is not null`,
        sql`create index files_created_at on ${table(s, 'files')} (created_at)`,
        sql`create table ${table(s, 'file_settings')} (
          id integer primary key check (id = 1),
          max_bytes bigint not null check (max_bytes > 0),
          allowed_types jsonb not null,
          retention_days integer check (retention_days > 0),
          updated_at timestamptz not null default now(),
          updated_by uuid references ${table(s, 'users')} (id) on delete set null
        )`,
        sql`insert into ${table(s, 'file_settings')} (id, max_bytes, allowed_types) values (1, 104857600, cast(cast(${JSON.stringify([
          'image/*',
          'text/*',
          'application/pdf',
          'application/zip',
          'application/x-zip-compressed',
          'application/json',
          'application/msword',
          'application/vnd.ms-excel',
          'application/vnd.ms-powerpoint',
          'application/vnd.openxmlformats-officedocument.*',
          'application/vnd.oasis.opendocument.*',
          'application/rtf',
        ])} as text) as jsonb))`,
      ]),
  },
  {
    name: '010_threads',
    up: (db, s) =>
      run(db, [
        sql`create table ${table(s, 'threads')} (
          id uuid primary key,
          kind text not null check (kind in ('record', 'direct', 'group', 'announcement')),
          object text,
          record_id uuid,
          direct_key text unique,
          title text,
          avatar_url text,
          owner_id uuid references ${table(s, 'users')} (id) on delete set null,
          last_seq bigint not null default 0,
          last_message_at timestamptz,
          created_by uuid references ${table(s, 'users')} (id) on delete set null,
          created_at timestamptz not null default now(),
          check ((kind = 'record') = (record_id is not null)),
          check ((kind = 'direct') = (direct_key is not null)),
          unique (object, record_id)
        )`,
        sql`create index threads_activity on ${table(s, 'threads')} (last_message_at desc nulls last)`,
        sql`create table ${table(s, 'thread_members')} (
          thread_id uuid not null references ${table(s, 'threads')} (id) on delete cascade,
          user_id uuid not null references ${table(s, 'users')} (id) on delete cascade,
          role text not null check (role in ('owner', 'admin', 'member', 'publisher', 'reader', 'follower')),
          muted boolean not null default false,
          last_read_seq bigint not null default 0,
          joined_at timestamptz not null default now(),
          primary key (thread_id, user_id)
        )`,
        sql`create index thread_members_user on ${table(s, 'thread_members')} (user_id)`,
        sql`create table ${table(s, 'messages')} (
          id uuid primary key,
          thread_id uuid not null references ${table(s, 'threads')} (id) on delete cascade,
          seq bigint not null,
          kind text not null check (kind in ('user', 'system')),
          author_id uuid references ${table(s, 'users')} (id) on delete set null,
          client_id text,
          body text not null default '',
          mentions jsonb not null default '[]',
          reply_to uuid,
          payload jsonb,
          created_at timestamptz not null default now(),
          unique (thread_id, seq),
          unique (thread_id, author_id, client_id)
        )`,
      ]),
  },
  {
    name: '011_search',
    up: (db, s) =>
      run(db, [
        // One row per searchable text. A message's object and record_id are its record thread's, so that
        // its readers are found by the record's access filter; a file's link is read from files at query
        // time, since a file is linked to a record after its upload.
        sql`create table ${table(s, 'search_entries')} (
          id uuid primary key default gen_random_uuid(),
          kind text not null check (kind in ('message', 'record', 'file')),
          thread_id uuid,
          message_id uuid unique references ${table(s, 'messages')} (id) on delete cascade,
          seq bigint,
          object text,
          record_id uuid,
          file_id uuid unique references ${table(s, 'files')} (id) on delete cascade,
          body text not null,
          lexemes tsvector not null,
          created_at timestamptz not null,
          check ((kind = 'message') = (message_id is not null and thread_id is not null and seq is not null)),
          check ((kind = 'file') = (file_id is not null)),
          check (kind <> 'record' or record_id is not null),
          check ((object is null) = (record_id is null))
        )`,
        sql`create unique index search_entries_record on ${table(s, 'search_entries')} (object, record_id) where kind = 'record'`,
        sql`create index search_entries_lexemes on ${table(s, 'search_entries')} using gin (lexemes)`,
      ]),
  },
];

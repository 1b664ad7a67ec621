import { sql, type ColumnType, type Generated, type RawBuilder } from 'kysely';
import type { AccessScope, FieldAccess } from '../contracts/access.ts';
import type { MetaChange, MetaDocument } from '../contracts/meta.ts';
import type { ScriptLimits, ScriptRunLog, ScriptRunUsage } from '../contracts/script-settings.ts';
import type { AutomationTables } from './tables-automation.ts';

export type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** Written only through `jsonb()`: see there. */
export type Json<T> = ColumnType<T, RawBuilder<T>, RawBuilder<T>>;
/** int8 comes back as a string from postgres.js and a number from PGlite: read through `toNumber`. */
export type Int8 = ColumnType<string | number, number | string | bigint, number | string | bigint>;
type Bigserial = ColumnType<string | number, never, never>;

export type GlobalDB = {
  workspaces: {
    id: Generated<string>;
    slug: string;
    name: string;
    hosts: Json<string[]>;
    is_default: boolean;
    created_at: Generated<Date>;
  };
  migrations: { scope: string; name: string; applied_at: Generated<Date> };
};

/** A workspace's system schema; the automation tables (flows, approvals, webhooks) are in tables-automation.ts. */
export type WorkspaceDB = AutomationTables & {
  departments: {
    id: Generated<string>;
    name: string;
    parent_id: string | null;
    manager_id: string | null;
    sort: Generated<number>;
    created_at: Generated<Date>;
    updated_at: Timestamp;
  };
  users: {
    id: Generated<string>;
    login: string;
    display_name: string;
    email: string | null;
    phone: string | null;
    avatar_url: string | null;
    locale: 'zh-CN' | 'en';
    status: 'active' | 'disabled' | 'departed';
    is_admin: boolean;
    main_department_id: string | null;
    manager_id: string | null;
    job_title: string | null;
    search_text: string;
    sort_key: string;
    created_at: Generated<Date>;
    updated_at: Timestamp;
  };
  user_departments: { user_id: string; department_id: string };
  credentials: {
    user_id: string;
    password_hash: string;
    failed_logins: Generated<number>;
    locked_until: Date | null;
    changed_at: Timestamp;
  };
  sessions: {
    id: string;
    user_id: string;
    csrf_token: string;
    ip: string | null;
    user_agent: string | null;
    created_at: Generated<Date>;
    last_seen_at: Timestamp;
    expires_at: Timestamp;
  };
  api_tokens: {
    id: Generated<string>;
    user_id: string;
    name: string;
    token_hash: string;
    hint: string;
    created_at: Generated<Date>;
    last_used_at: Date | null;
    expires_at: Date | null;
    revoked_at: Date | null;
  };
  login_throttle: { key: string; window_start: Timestamp; failures: number };
  audit_log: {
    seq: Int8;
    at: Timestamp;
    actor_id: string | null;
    actor_login: string | null;
    action: string;
    target_type: string | null;
    target_id: string | null;
    ip: string | null;
    details: Json<Record<string, unknown>>;
    prev_hash: string;
    hash: string;
  };
  audit_head: { id: number; seq: Int8; hash: string };
  meta_versions: {
    version: number;
    document: Json<MetaDocument>;
    changes: Json<MetaChange[]>;
    note: string | null;
    published_at: Generated<Date>;
    published_by: string | null;
  };
  meta_draft: { id: number; document: Json<MetaDocument>; base_version: number; updated_at: Timestamp; updated_by: string | null };
  record_history: {
    id: Bigserial;
    object: string;
    record_id: string;
    field: string;
    old_value: Json<unknown>;
    new_value: Json<unknown>;
    changed_by: string | null;
    changed_at: Generated<Date>;
  };
  jobs: {
    id: string;
    kind: 'records.import' | 'records.export';
    object: string;
    status: Generated<'queued' | 'running' | 'succeeded' | 'failed'>;
    params: Json<Record<string, unknown>>;
    input: string | null;
    progress: Generated<number>;
    rows_done: Generated<number>;
    rows_total: number | null;
    result: Json<Record<string, unknown>> | null;
    errors: Json<unknown[]> | null;
    output: string | null;
    attempts: Generated<number>;
    created_by: string | null;
    created_at: Generated<Date>;
    started_at: Date | null;
    finished_at: Date | null;
  };
  roles: {
    id: Generated<string>;
    key: string;
    label: Json<{ 'zh-CN': string; en: string }>;
    description: Generated<string>;
    builtin: Generated<boolean>;
    created_at: Generated<Date>;
    updated_at: Generated<Date>;
  };
  role_permissions: {
    role_id: string;
    object: string;
    can_create: boolean;
    read_scope: AccessScope;
    edit_scope: AccessScope;
    delete_scope: AccessScope;
    view_all: boolean;
    modify_all: boolean;
    fields: Json<Record<string, FieldAccess>>;
  };
  user_roles: { user_id: string; role_id: string };
  object_access: { object: string; manager_access: 'none' | 'read' | 'edit' };
  record_shares: {
    id: Generated<string>;
    object: string;
    record_id: string;
    user_id: string | null;
    department_id: string | null;
    role_id: string | null;
    access: 'read' | 'edit';
    created_by: string | null;
    created_at: Generated<Date>;
  };
  sharing_rules: {
    id: Generated<string>;
    object: string;
    name: string;
    filter: Json<unknown>;
    user_id: string | null;
    department_id: string | null;
    role_id: string | null;
    access: 'read' | 'edit';
    created_at: Generated<Date>;
    updated_at: Generated<Date>;
  };
  threads: {
    id: string;
    kind: 'record' | 'direct' | 'group' | 'announcement';
    object: string | null;
    record_id: string | null;
    direct_key: string | null;
    title: string | null;
    avatar_url: string | null;
    owner_id: string | null;
    last_seq: Generated<string | number>;
    last_message_at: Date | null;
    created_by: string | null;
    created_at: Generated<Date>;
  };
  thread_join_links: { thread_id: string; code: string; expires_at: Date | null; created_by: string; created_at: Generated<Date> };
  script_builds: { source_hash: string; javascript: string; created_at: Generated<Date> };
  script_checks: { script: string; source_hash: string; meta_version: number; ok: boolean; diagnostics: Json<unknown>; checked_at: Timestamp };
  script_schedules: { script: string; cron: string; next_at: Date };
  thread_members: {
    thread_id: string;
    user_id: string;
    role: 'owner' | 'admin' | 'member' | 'publisher' | 'reader' | 'follower';
    muted: Generated<boolean>;
    notify: Generated<'all' | 'mentions' | 'none'>;
    last_read_seq: Generated<string | number>;
    joined_at: Generated<Date>;
  };
  messages: {
    id: string;
    thread_id: string;
    seq: Int8;
    kind: 'user' | 'system';
    author_id: string | null;
    client_id: string | null;
    body: Generated<string>;
    mentions: Json<string[]>;
    reply_to: string | null;
    payload: Json<Record<string, unknown>> | null;
    created_at: Generated<Date>;
    edited_at: Date | null;
    recalled_at: Date | null;
    updated_at: Generated<Date>;
    attachments: Json<string[]>;
    links: Json<{ object: string; recordId: string }[]>;
    forwarded_from: Json<{ authorId: string | null; createdAt: string }> | null;
    pinned_at: Date | null;
    pinned_by: string | null;
  };
  message_edits: { message_id: string; version: number; body: string; edited_at: Generated<Date> };
  message_reactions: { message_id: string; user_id: string; emoji: string; created_at: Generated<Date> };
  messaging_settings: { id: number; recall_minutes: number; updated_at: Generated<Date>; updated_by: string | null };
  script_settings: { id: number; limits: Json<ScriptLimits>; http_allow_list: Json<string[]>; run_log_days: number; updated_at: Timestamp; updated_by: string | null };
  script_secrets: { name: string; value: string; updated_at: Timestamp; updated_by: string | null };
  script_runs: {
    id: string;
    script: string;
    kind: string;
    meta_version: number | null;
    trigger: string;
    object: string | null;
    record_id: string | null;
    run_as: 'user' | 'system';
    user_id: string | null;
    dry_run: boolean;
    started_at: Date;
    duration_ms: number;
    status: 'ok' | 'failed';
    error_code: string | null;
    error_message: string | null;
    usage: Json<ScriptRunUsage>;
    logs: Json<ScriptRunLog[]>;
  };
  outbox_aggregates: { aggregate_type: string; aggregate_id: string; seq: Int8 };
  outbox_events: {
    id: Bigserial;
    aggregate_type: string;
    aggregate_id: string;
    aggregate_seq: Int8;
    type: string;
    payload: Json<Record<string, unknown>>;
    actor_id: string | null;
    created_at: Generated<Date>;
  };
  outbox_deliveries: {
    event_id: Int8;
    consumer: string;
    status: Generated<'pending' | 'done' | 'dead'>;
    attempts: Generated<number>;
    next_attempt_at: Timestamp;
    last_error: string | null;
    delivered_at: Date | null;
    aggregate_type: string;
    aggregate_id: string;
  };
  outbox_leases: { consumer: string; aggregate_type: string; aggregate_id: string; leased_until: Generated<Date> };
  files: {
    id: string;
    name: string;
    content_type: string;
    size: Int8;
    sha256: string;
    storage_key: string;
    thumbnail_key: string | null;
    width: number | null;
    height: number | null;
    object: string | null;
    record_id: string | null;
    thread_id: string | null;
    created_by: string | null;
    created_at: Generated<Date>;
  };
  file_settings: {
    id: number;
    max_bytes: Int8;
    allowed_types: Json<string[]>;
    retention_days: number | null;
    updated_at: Timestamp;
    updated_by: string | null;
  };
  notifications: {
    id: string;
    user_id: string;
    thread_id: string;
    kind: 'mention' | 'reply' | 'reminder' | 'direct' | 'message' | 'activity';
    first_seq: Int8;
    last_seq: Int8;
    message_id: string;
    actor_id: string | null;
    count: Generated<number>;
    read_at: Date | null;
    created_at: Generated<Date>;
    updated_at: Generated<Date>;
  };
  presence_sessions: { user_id: string; process_id: string; away: boolean; seen_at: Timestamp };
  presence_users: { user_id: string; status: 'online' | 'away' | 'offline'; changed_at: Timestamp };
  search_sources: { source: string; indexed_as: string; cursor: string | null; done_at: ColumnType<Date | null, Date | null | undefined, Date | null>; updated_at: Timestamp };
  search_entries: {
    id: Generated<string>;
    kind: 'message' | 'record' | 'file';
    thread_id: string | null;
    message_id: string | null;
    seq: Int8 | null;
    object: string | null;
    record_id: string | null;
    file_id: string | null;
    body: string;
    /** Written as a `tsvector` literal (threads/search-tokens.ts), never read back. */
    lexemes: ColumnType<never, RawBuilder<string>, RawBuilder<string>>;
    created_at: Timestamp;
  };
};

/** `count(*)` and int8 columns: a number from PGlite, a string from postgres.js. */
export function toNumber(value: string | number | bigint | null | undefined): number {
  return value == null ? 0 : Number(value);
}

/**
 * A JSON value for a jsonb column, cast from text in SQL because the drivers disagree on a jsonb
 * parameter: postgres.js JSON-encodes it once more, storing a string scalar, while PGlite does not.
 */
export function jsonb<T>(value: T): RawBuilder<T> {
  return sql<T>`cast(cast(${JSON.stringify(value)} as text) as jsonb)`;
}

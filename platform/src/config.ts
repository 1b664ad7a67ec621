import path from 'node:path';
import { z } from 'zod';
import type { Rate } from './core/rate-limit.ts';

/** postgres.js's own default; see docs/operations.md for when to raise it. */
const POOL_SIZE = 10;

/** Every environment variable the platform reads. README lists the same set; keep both in step. */
const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z.string().url().optional(),
  TB_DATA_DIR: z.string().default('./data'),
  TB_PGLITE_THREAD: z.enum(['worker', 'main']).default('worker'),
  TB_DB_POOL_SIZE: z.coerce.number().int().min(1).max(1000).default(POOL_SIZE),
  TB_SCHEMA: z.string().regex(/^[a-z][a-z0-9_]{0,15}$/, 'lower-case letters, digits and _, at most 16').default('tb'),
  TB_ADMIN_PASSWORD: z.string().min(8).optional(),
  TB_DEMO: z.enum(['0', '1']).default('1'),
  TB_TRUST_PROXY: z.enum(['0', '1']).default('0'),
  TB_COOKIE_SECURE: z.enum(['auto', '0', '1']).default('auto'),
  TB_SESSION_DAYS: z.coerce.number().int().min(1).max(365).default(14),
  TB_BODY_LIMIT_KB: z.coerce.number().int().min(16).max(102400).default(1024),
  TB_JOB_HEARTBEAT_SECONDS: z.coerce.number().int().min(10).max(3600).default(30),
  TB_SOCKET_EVENTS_PER_SECOND: z.coerce.number().min(0.1).max(1_000_000).default(20),
  TB_SOCKET_EVENTS_BURST: z.coerce.number().int().min(1).max(1_000_000).default(40),
  TB_MESSAGES_PER_SECOND: z.coerce.number().min(0.1).max(1_000_000).default(10),
  TB_MESSAGES_BURST: z.coerce.number().int().min(1).max(1_000_000).default(40),
  TB_HOUSEKEEPING_MINUTES: z.coerce.number().int().min(1).max(10080).default(60),
  TB_OUTBOX_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(7),
  TB_NOTIFICATION_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(180),
  TB_WEBHOOK_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  TB_SCRIPT_HTTP_PRIVATE: z.enum(['0', '1']).default('0'),
  TB_SCRIPT_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  TB_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  TB_TIME_ZONE: z
    .string()
    .refine((tz) => Intl.supportedValuesOf('timeZone').includes(tz) || tz === 'UTC', 'an IANA time zone such as Asia/Shanghai')
    .default(Intl.DateTimeFormat().resolvedOptions().timeZone),
  TB_FILES_BACKEND: z.enum(['disk', 's3']).default('disk'),
  TB_S3_ENDPOINT: z.string().url().optional(),
  TB_S3_REGION: z.string().min(1).default('us-east-1'),
  TB_S3_BUCKET: z.string().min(1).optional(),
  TB_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  TB_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  TB_S3_FORCE_PATH_STYLE: z.enum(['0', '1']).default('1'),
});

export type S3Settings = { endpoint: string; region: string; bucket: string; accessKeyId: string; secretAccessKey: string; forcePathStyle: boolean };

export type Config = {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  pgliteThread: 'worker' | 'main';
  /** Connections to PostgreSQL per process (plus one for LISTEN). */
  dbPoolSize: number;
  schema: string;
  adminPassword: string | undefined;
  demoData: boolean;
  trustProxy: boolean;
  cookieSecure: 'auto' | boolean;
  sessionDays: number;
  bodyLimitBytes: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** A running job whose process has been silent this long is given to another process. */
  jobHeartbeatSeconds: number;
  /** Client events per socket (one tab), whatever the event. */
  socketEventRate: Rate;
  /** Messages sent per user and process, over HTTP and socket alike. */
  messageRate: Rate;
  /** Where "today" and "this month" are, for relative date filters. */
  timeZone: string;
  /** How often each process sweeps (see boot/housekeeping.ts). */
  housekeepingMinutes: number;
  /** Outbox events delivered to every consumer are kept this long (for tracing what happened). */
  outboxRetentionDays: number;
  /** Read notifications are kept this long; unread ones until read. */
  notificationRetentionDays: number;
  /** Finished webhook deliveries, their events and inbound idempotency answers are kept this long. */
  webhookRetentionDays: number;
  /** Scripts' http.fetch may reach loopback and private addresses of allowed hosts (intranet systems): the operator's call, not a workspace admin's. */
  scriptHttpPrivate: boolean;
  /** Script runs at once in this process (one sandbox module each); more wait their turn. */
  scriptConcurrency: number;
  /** Where uploaded files live: under `<dataDir>/files`, or in an S3-compatible bucket. */
  files: { backend: 'disk' } | { backend: 's3'; s3: S3Settings };
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    files: filesConfig(e),
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.TB_DATA_DIR),
    pgliteThread: e.TB_PGLITE_THREAD,
    dbPoolSize: e.TB_DB_POOL_SIZE,
    schema: e.TB_SCHEMA,
    adminPassword: e.TB_ADMIN_PASSWORD,
    demoData: e.TB_DEMO === '1',
    trustProxy: e.TB_TRUST_PROXY === '1',
    cookieSecure: e.TB_COOKIE_SECURE === 'auto' ? 'auto' : e.TB_COOKIE_SECURE === '1',
    sessionDays: e.TB_SESSION_DAYS,
    bodyLimitBytes: e.TB_BODY_LIMIT_KB * 1024,
    logLevel: e.TB_LOG_LEVEL,
    jobHeartbeatSeconds: e.TB_JOB_HEARTBEAT_SECONDS,
    socketEventRate: { perSecond: e.TB_SOCKET_EVENTS_PER_SECOND, burst: e.TB_SOCKET_EVENTS_BURST },
    messageRate: { perSecond: e.TB_MESSAGES_PER_SECOND, burst: e.TB_MESSAGES_BURST },
    timeZone: e.TB_TIME_ZONE,
    housekeepingMinutes: e.TB_HOUSEKEEPING_MINUTES,
    outboxRetentionDays: e.TB_OUTBOX_RETENTION_DAYS,
    notificationRetentionDays: e.TB_NOTIFICATION_RETENTION_DAYS,
    webhookRetentionDays: e.TB_WEBHOOK_RETENTION_DAYS,
    scriptHttpPrivate: e.TB_SCRIPT_HTTP_PRIVATE === '1',
    scriptConcurrency: e.TB_SCRIPT_CONCURRENCY,
  };
}

/** S3 settings are checked here rather than at the first upload, so a mistyped deployment fails at start. */
function filesConfig(e: z.infer<typeof envSchema>): Config['files'] {
  if (e.TB_FILES_BACKEND === 'disk') return { backend: 'disk' };
  const required = { TB_S3_ENDPOINT: e.TB_S3_ENDPOINT, TB_S3_BUCKET: e.TB_S3_BUCKET, TB_S3_ACCESS_KEY_ID: e.TB_S3_ACCESS_KEY_ID, TB_S3_SECRET_ACCESS_KEY: e.TB_S3_SECRET_ACCESS_KEY };
  const missing = Object.entries(required).filter(([, value]) => !value).map(([name]) => name);
  if (missing.length) throw new ConfigError(`Invalid configuration:\n  TB_FILES_BACKEND=s3 needs ${missing.join(', ')}`);
  return {
    backend: 's3',
    s3: { endpoint: e.TB_S3_ENDPOINT!, region: e.TB_S3_REGION, bucket: e.TB_S3_BUCKET!, accessKeyId: e.TB_S3_ACCESS_KEY_ID!, secretAccessKey: e.TB_S3_SECRET_ACCESS_KEY!, forcePathStyle: e.TB_S3_FORCE_PATH_STYLE === '1' },
  };
}

import { z } from 'zod';
import { Id, Timestamp, text } from './common.ts';

/** How far an admin may raise each limit of one script run: the sandbox's own ceilings. */
export const SCRIPT_LIMIT_CAPS = {
  cpuMs: 10_000,
  wallMs: 120_000,
  memoryMb: 96,
  hostCalls: 10_000,
  recordsRead: 50_000,
  recordsWritten: 5_000,
  httpCalls: 100,
  logBytes: 1_048_576,
} as const;

export type ResolvedScriptLimits = { [K in keyof typeof SCRIPT_LIMIT_CAPS]: number };

/** What a run may use when the workspace overrides nothing. */
export const DEFAULT_SCRIPT_LIMITS: Readonly<ResolvedScriptLimits> = Object.freeze({
  cpuMs: 1000,
  wallMs: 30_000,
  memoryMb: 32,
  hostCalls: 1000,
  recordsRead: 1000,
  recordsWritten: 100,
  httpCalls: 10,
  logBytes: 65_536,
});

const limitDescriptions: Record<keyof ResolvedScriptLimits, string> = {
  cpuMs: 'CPU time of one run, in milliseconds.',
  wallMs: 'Wall-clock time of one run, host calls included, in milliseconds.',
  memoryMb: 'Memory of the sandbox, in MB.',
  hostCalls: 'Calls into the platform (records, http, env…) in one run.',
  recordsRead: 'Records one run may read.',
  recordsWritten: 'Records one run may create, change or delete.',
  httpCalls: 'Outgoing HTTP requests of one run.',
  logBytes: 'Console output kept of one run, in bytes.',
};

const limit = (key: keyof ResolvedScriptLimits) =>
  z
    .number()
    .int()
    .min(1)
    .max(SCRIPT_LIMIT_CAPS[key])
    .optional()
    .meta({ description: `${limitDescriptions[key]} Default ${DEFAULT_SCRIPT_LIMITS[key]}, at most ${SCRIPT_LIMIT_CAPS[key]}.` });

export const ScriptLimits = z
  .object({
    cpuMs: limit('cpuMs'),
    wallMs: limit('wallMs'),
    memoryMb: limit('memoryMb'),
    hostCalls: limit('hostCalls'),
    recordsRead: limit('recordsRead'),
    recordsWritten: limit('recordsWritten'),
    httpCalls: limit('httpCalls'),
    logBytes: limit('logBytes'),
  })
  .strict()
  .meta({ id: 'ScriptLimits', description: 'The limits an admin set for every run of the workspace\'s scripts; a limit left out takes its default.' });
export type ScriptLimits = z.infer<typeof ScriptLimits>;

export const ResolvedScriptLimits = z
  .object({
    cpuMs: z.number().int(),
    wallMs: z.number().int(),
    memoryMb: z.number().int(),
    hostCalls: z.number().int(),
    recordsRead: z.number().int(),
    recordsWritten: z.number().int(),
    httpCalls: z.number().int(),
    logBytes: z.number().int(),
  })
  .meta({ id: 'ResolvedScriptLimits', description: 'The limits that apply: the defaults overlaid by the workspace\'s own.' });

const label = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
/** The last label starts with a letter, so that `999.1.1.1` is not taken for a host name. */
const hostname = `(?:${label}\\.)*[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?`;
const octet = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const h16 = '[0-9a-f]{1,4}';
const ipv6 = [
  `(?:${h16}:){7}${h16}`,
  `(?:${h16}:){1,7}:`,
  `(?:${h16}:){1,6}:${h16}`,
  `(?:${h16}:){1,5}(?::${h16}){1,2}`,
  `(?:${h16}:){1,4}(?::${h16}){1,3}`,
  `(?:${h16}:){1,3}(?::${h16}){1,4}`,
  `(?:${h16}:){1,2}(?::${h16}){1,5}`,
  `${h16}:(?::${h16}){1,6}`,
  `:(?:(?::${h16}){1,7}|:)`,
].join('|');
const port = '(?::(?:6553[0-5]|655[0-2]\\d|65[0-4]\\d{2}|6[0-4]\\d{3}|[1-5]\\d{4}|[1-9]\\d{0,3}))?';
/** A host name, `*.` and a host name (its subdomains, not itself), an IPv4 or a bracketed IPv6 literal; then an optional port. */
export const HOST_PATTERN = new RegExp(`^(?:(?:\\*\\.)?${hostname}|${octet}(?:\\.${octet}){3}|\\[(?:${ipv6})\\])${port}$`);

export const HostPattern = z
  .string()
  .trim()
  .toLowerCase()
  .max(300)
  .regex(HOST_PATTERN, 'a host such as api.example.com, *.example.com, 10.0.0.5 or [::1], with an optional :port')
  .meta({ description: 'A host scripts may call over HTTP: `api.example.com`, `*.example.com` (its subdomains), `10.0.0.5`, `[::1]`; with `:8443` that port, without one only the standard port of the scheme (80, 443). Host names in ASCII (punycode for others).' });

const settingsFields = {
  limits: ScriptLimits,
  httpAllowList: z.array(HostPattern).max(100).meta({ description: 'The hosts scripts may call with `http`; empty: none.' }),
  runLogDays: z.number().int().min(1).max(365).meta({ description: 'Days the run log keeps a run.' }),
};

export const UpdateScriptSettings = z.object(settingsFields).strict().meta({ id: 'UpdateScriptSettings' });
export type UpdateScriptSettings = z.infer<typeof UpdateScriptSettings>;

export const ScriptSettings = z
  .object({ ...settingsFields, effectiveLimits: ResolvedScriptLimits })
  .meta({ id: 'ScriptSettings', description: 'How the workspace governs its scripts.' });
export type ScriptSettings = z.infer<typeof ScriptSettings>;

export const ScriptSecretName = z
  .string()
  .regex(/^[A-Z][A-Z0-9_]{0,63}$/, 'upper-case letters, digits and _, starting with a letter, at most 64')
  .meta({ description: 'What a script passes to `env.get`, such as `ERP_API_KEY`.' });
export const ScriptSecretParam = z.object({ name: ScriptSecretName });

export const ScriptSecret = z
  .object({ name: z.string(), updatedAt: Timestamp, updatedBy: Id.nullable() })
  .meta({ id: 'ScriptSecret', description: 'A secret scripts read with `env.get`. Its value is never sent back.' });
export type ScriptSecret = z.infer<typeof ScriptSecret>;
export const ScriptSecretList = z.object({ items: z.array(ScriptSecret).meta({ description: 'By name.' }) }).meta({ id: 'ScriptSecretList' });
export type ScriptSecretList = z.infer<typeof ScriptSecretList>;
export const SetScriptSecret = z
  .object({ value: text(8192, 1).meta({ description: 'At most 8192 characters; replaces the earlier value.' }) })
  .strict()
  .meta({ id: 'SetScriptSecret' });
export type SetScriptSecret = z.infer<typeof SetScriptSecret>;

export const ScriptRunStatus = z.enum(['ok', 'failed']);
export const ScriptRunUsage = z
  .object({
    cpuMs: z.number(),
    wallMs: z.number(),
    memoryBytes: z.number().nullable().meta({ description: 'Peak memory of the sandbox, when it could be measured.' }),
    hostCalls: z.number().int(),
    recordsRead: z.number().int(),
    recordsWritten: z.number().int(),
    httpCalls: z.number().int(),
    logBytes: z.number().int(),
  })
  .meta({ id: 'ScriptRunUsage' });
export type ScriptRunUsage = z.infer<typeof ScriptRunUsage>;
export const ScriptRunLog = z.object({ level: z.enum(['log', 'info', 'warn', 'error']), message: z.string() }).meta({ id: 'ScriptRunLog' });
export type ScriptRunLog = z.infer<typeof ScriptRunLog>;

export const ScriptRun = z
  .object({
    id: Id,
    script: z.string(),
    kind: z.string(),
    metaVersion: z.number().int().nullable().meta({ description: 'The published version the script ran from; null for a test run of a draft.' }),
    trigger: z.string().meta({ description: 'What started it: an event, a button, a test run…' }),
    object: z.string().nullable(),
    recordId: Id.nullable(),
    runAs: z.enum(['user', 'system']),
    userId: Id.nullable(),
    dryRun: z.boolean(),
    startedAt: Timestamp,
    durationMs: z.number(),
    status: ScriptRunStatus,
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    usage: ScriptRunUsage,
    logs: z.array(ScriptRunLog).meta({ description: 'Console output, secrets redacted; at most 200 entries and 64 KB, the last entry saying what was left out.' }),
  })
  .meta({ id: 'ScriptRun' });
export type ScriptRun = z.infer<typeof ScriptRun>;

export const ScriptRunList = z
  .object({ items: z.array(ScriptRun).meta({ description: 'Newest first.' }), nextCursor: z.string().nullable() })
  .meta({ id: 'ScriptRunList' });
export type ScriptRunList = z.infer<typeof ScriptRunList>;

export const ScriptRunsQuery = z.object({
  script: text(200, 1).optional().meta({ description: 'Only the runs of this script.' }),
  status: ScriptRunStatus.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: text(512).optional(),
});
export type ScriptRunsQuery = z.infer<typeof ScriptRunsQuery>;

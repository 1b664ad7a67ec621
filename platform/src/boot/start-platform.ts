import { sql } from 'kysely';
import type { Config } from '../config.ts';
import { systemCtx } from '../core/context.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import { RateLimiter } from '../core/rate-limit.ts';
import type { Platform } from '../core/platform.ts';
import { globalScope, workspaceScope } from '../db/migration-scopes.ts';
import { runMigrations } from '../db/migrate.ts';
import { openDatabase, type Database, type DatabaseTarget } from '../db/open-database.ts';
import { OutboxDispatcher } from '../events/index.ts';
import { createFileStore, type FileStore } from '../files/index.ts';
import { Housekeeping } from './housekeeping.ts';
import { JobQueue } from '../jobs/index.ts';
import { RealtimeHub, registerRealtime } from '../realtime/hub.ts';
import { FlowTimers, registerFlowJobs, registerFlowTimers, registerFlowTriggers, resumeTimerPlans } from '../flows/index.ts';
import { registerRecordJobs } from '../records/jobs.ts';
import { registerScriptChecks, registerScriptHooks, registerScriptJobs, resumeSchedules } from '../scripts/index.ts';
import { registerSearchIndexing, scheduleSearchBackfills } from '../threads/index.ts';
import { registerNotifications } from '../notifications/index.ts';
import { registerApprovals } from '../approvals/index.ts';
import { registerWebhooks } from '../webhooks/index.ts';
import { META_CHANNEL, forgetPublished } from '../meta/index.ts';
import { WorkspaceRegistry } from '../workspaces/registry.ts';
import { firstStart, type FirstStartResult } from './first-start.ts';

export type StartedPlatform = Platform & { firstStart: FirstStartResult; migrationsApplied: string[]; stop(): Promise<void> };

export type StartOptions = {
  config: Config;
  /** Where to connect, or a database already being opened (the CLI starts that first, see cli/main.ts). */
  target: DatabaseTarget | Promise<Database>;
  log?: Logger;
  /** Register outbox consumers before the dispatcher starts. */
  outbox?: OutboxDispatcher;
  /** Start the outbox dispatcher (off for one-shot CLI commands). */
  dispatch?: boolean;
  /** Create the admin and demo data on an empty default workspace (off for `migrate`). */
  seed?: boolean;
  /** Where files go, when not where the config says (tests). */
  files?: FileStore;
};

/**
 * Brings a platform up: database, migrations (global, then every workspace), the default workspace
 * and its first-start seed, and the outbox dispatcher. Safe to run in several processes at once.
 */
export async function startPlatform(options: StartOptions): Promise<StartedPlatform> {
  const { config } = options;
  const log = options.log ?? createLogger(config.logLevel);
  const phases: Record<string, number> = {};
  let mark = performance.now();
  const phase = (name: string) => {
    const now = performance.now();
    phases[name] = Math.round(now - mark);
    mark = now;
  };
  const db = await (options.target instanceof Promise ? options.target : openDatabase(options.target));
  phase('openMs');
  try {
    const prefix = config.schema;
    const applied = await runMigrations(db.kysely, prefix, [globalScope(prefix)]);
    await sql`insert into ${sql.table(`${prefix}.workspaces`)} (slug, name, is_default)
      select 'default', 'Default', true
      where not exists (select 1 from ${sql.table(`${prefix}.workspaces`)})
      on conflict do nothing`.execute(db.kysely);
    const workspaces = new WorkspaceRegistry(db.kysely, prefix);
    const all = await workspaces.reload();
    applied.push(...(await runMigrations(db.kysely, prefix, all.map(workspaceScope))));
    phase('migrateMs');
    const outbox = options.outbox ?? new OutboxDispatcher();
    const jobs = new JobQueue();
    registerRecordJobs(jobs);
    registerScriptJobs(jobs);
    registerScriptHooks();
    registerFlowJobs(jobs);
    registerFlowTriggers();
    registerApprovals(jobs);
    registerFlowTimers(jobs);
    registerWebhooks(jobs);
    // Consumers are registered in every process, so every process writes their deliveries.
    const realtime = new RealtimeHub();
    registerRealtime(outbox, realtime);
    registerSearchIndexing(outbox);
    registerNotifications(outbox);
    registerScriptChecks();
    const platform: Platform = { config, db, log, workspaces, outbox, jobs, files: options.files ?? createFileStore(config), realtime, messageRate: new RateLimiter(config.messageRate) };
    const defaultWorkspace = all.find((w) => w.isDefault) ?? all[0]!;
    const seeded = options.seed === false ? { seeded: false, adminPassword: null, generated: false } : await firstStart(platform, defaultWorkspace);
    phase('seedMs');
    const unlistenMeta = await db.listen(META_CHANNEL, forgetPublished);
    if (options.dispatch !== false) {
      await outbox.start(platform);
      for (const workspace of all) await scheduleSearchBackfills(systemCtx(platform, workspace));
    }
    phase('dispatcherMs');
    await jobs.start(platform, { work: options.dispatch !== false });
    if (options.dispatch !== false) for (const workspace of all) await resumeSchedules(systemCtx(platform, workspace));
    phase('jobsMs');
    const housekeeping = new Housekeeping();
    if (options.dispatch !== false) housekeeping.start(platform);
    const flowTimers = new FlowTimers();
    if (options.dispatch !== false) {
      for (const workspace of all) await resumeTimerPlans(systemCtx(platform, workspace));
      flowTimers.start(platform);
    }
    log.info('platform started', { database: db.dialect, migrationsApplied: applied.length, seeded: seeded.seeded, ...phases });
    return {
      ...platform,
      firstStart: seeded,
      migrationsApplied: applied,
      async stop() {
        await unlistenMeta();
        await housekeeping.stop();
        await flowTimers.stop();
        await realtime.close();
        await jobs.stop();
        await outbox.stop();
        await db.close();
      },
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}

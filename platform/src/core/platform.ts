import type { Config } from '../config.ts';
import type { Database } from '../db/open-database.ts';
import type { OutboxDispatcher } from '../events/dispatcher.ts';
import type { FileStore } from '../files/store.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import type { RealtimeHub } from '../realtime/hub.ts';
import type { WorkspaceRegistry } from '../workspaces/registry.ts';
import type { Logger } from './logger.ts';
import type { RateLimiter } from './rate-limit.ts';

/** The long-lived parts of one running platform process, handed to every service through `Ctx`. */
export type Platform = {
  config: Config;
  db: Database;
  log: Logger;
  workspaces: WorkspaceRegistry;
  outbox: OutboxDispatcher;
  jobs: JobQueue;
  files: FileStore;
  realtime: RealtimeHub;
  /** Messages per user in this process: HTTP and socket sends spend from the same bucket. */
  messageRate: RateLimiter;
};

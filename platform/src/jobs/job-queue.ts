import { CompiledQuery } from 'kysely';
import { PgBoss, fromKysely, type Db } from 'pg-boss';
import type { Ctx } from '../core/context.ts';
import { errorFields } from '../core/logger.ts';
import type { Platform } from '../core/platform.ts';
import type { Database } from '../db/open-database.ts';

/** What travels through pg-boss: only where to find the job row; the row holds everything else. */
export type JobMessage = { workspaceId: string; jobId: string };

export type JobHandler = (platform: Platform, message: JobMessage) => Promise<void>;

/**
 * `delayed`: its jobs are mostly sent to start later (schedules, waits), so its workers look for due ones
 * every second. `concurrency`: jobs of the kind one process runs at once (default 1).
 */
export type JobKindOptions = { delayed?: boolean; concurrency?: number };

/** pg-boss keeps its tables in a deployment-wide schema of its own, beside the workspace registry. */
export const jobsSchema = (prefix: string) => `${prefix}_jobs`;

const queueName = (kind: string) => kind.replace('.', '-');

/**
 * pg-boss over the embedded database. PGlite is one connection, so every pg-boss statement takes
 * Kysely's connection first: otherwise a pg-boss script could run inside a record transaction in
 * flight. pg-boss sends multi-statement scripts without parameters; those go through `execScript`.
 */
function embeddedDatabase(db: Database): Db {
  const execScript = db.execScript!;
  return {
    executeSql: (text, values) =>
      db.kysely.connection().execute(async (connection) => {
        try {
          if (values?.length) return { rows: [...(await connection.executeQuery(CompiledQuery.raw(text, values))).rows] };
          return { rows: await execScript(text) };
        } catch (error) {
          // A failed script leaves its transaction aborted on the one connection everybody shares.
          await connection.executeQuery(CompiledQuery.raw('rollback')).catch(() => {});
          throw error;
        }
      }),
    async listen(channel, onNotification, onReconnect) {
      const unlisten = await db.listen(channel, onNotification);
      onReconnect();
      return { close: unlisten };
    },
  };
}

/**
 * Durable background jobs (imports, exports; flows later): queued in the same transaction as the row
 * that describes them, run by whichever process picks them up, retried when a process dies mid-way.
 */
export class JobQueue {
  #handlers = new Map<string, { handler: JobHandler; options: JobKindOptions }>();
  #boss: PgBoss | null = null;

  register(kind: string, handler: JobHandler, options: JobKindOptions = {}): void {
    this.#handlers.set(kind, { handler, options });
  }

  async start(platform: Platform, options: { work: boolean }): Promise<void> {
    const { db, config, log } = platform;
    const boss = new PgBoss({
      ...(db.dialect === 'postgres' ? { connectionString: config.databaseUrl!, max: 3 } : { db: embeddedDatabase(db), backend: 'pglite' as const }),
      schema: jobsSchema(config.schema),
      useListenNotify: true,
      schedule: false,
      registerInstance: false,
      // Supervision (and its monitor) is what notices a dead process's silent heartbeat: run it a few times per heartbeat.
      superviseIntervalSeconds: Math.floor(config.jobHeartbeatSeconds / 3),
      monitorIntervalSeconds: Math.floor(config.jobHeartbeatSeconds / 3),
    });
    boss.on('error', (error) => log.error('job queue error', errorFields(error)));
    await boss.start();
    this.#boss = boss;
    for (const [kind, { handler, options: kindOptions }] of this.#handlers) {
      // A killed process stops its heartbeat; the job is then retried elsewhere instead of waiting out its expiry.
      await boss.createQueue(queueName(kind), { notify: true, retryLimit: 3, retryDelay: 2, expireInSeconds: 3600, heartbeatSeconds: config.jobHeartbeatSeconds });
      if (!options.work) continue;
      // NOTIFY wakes a worker when a job is sent, not when a delayed one falls due: with notify on, pg-boss
      // polls only every 30 s as a backstop, so a queue of delayed jobs polls at its own pace instead.
      const polling = kindOptions.delayed ? { pollingIntervalSeconds: 1, notifyPollingIntervalSeconds: 1 } : { pollingIntervalSeconds: 2 };
      // pg-boss waits a polling interval after every fetch unless the fetch came back full (and, at a
      // batch of one, even then): batches of two or more, each job settled on its own, let a worker drain
      // a backlog without that pause. A worker runs its batch's jobs together, or one by one for a kind
      // whose concurrency is one.
      const concurrency = kindOptions.concurrency ?? 1;
      const workers = Math.min(2, concurrency);
      const together = Math.ceil(concurrency / workers);
      const settle = async (job: { id: string; data: JobMessage }) => {
        try {
          await handler(platform, job.data);
          return { id: job.id, status: 'completed' as const };
        } catch (error) {
          return { id: job.id, status: 'failed' as const, output: { message: (error as Error).message } };
        }
      };
      await boss.work<JobMessage>(
        queueName(kind),
        { batchSize: Math.max(2, together), localConcurrency: workers, burstWhenBatchFull: true, perJobResults: true, ...polling },
        async (jobs) => {
          if (together > 1) return Promise.all(jobs.map(settle));
          const results = [];
          for (const job of jobs) results.push(await settle(job));
          return results;
        },
      );
    }
  }

  get started(): boolean {
    return this.#boss !== null;
  }

  /** Queues a job inside the caller's transaction: it runs only if that transaction commits, and not before `startAfter`. */
  async send(tx: Ctx, kind: string, message: JobMessage, options: { startAfter?: Date } = {}): Promise<void> {
    if (!this.#boss) throw new Error('The job queue is not started');
    if (!tx.afterCommit) throw new Error('JobQueue.send needs a transaction');
    await this.#boss.send(queueName(kind), message, { db: fromKysely(tx.db), ...(options.startAfter && { startAfter: options.startAfter }) });
  }

  /** Queues many jobs of one kind at once, like `send` (one statement, for producers of thousands). */
  async sendMany(tx: Ctx, kind: string, messages: readonly JobMessage[]): Promise<void> {
    if (!this.#boss) throw new Error('The job queue is not started');
    if (!tx.afterCommit) throw new Error('JobQueue.sendMany needs a transaction');
    if (messages.length) await this.#boss.insert(queueName(kind), messages.map((data) => ({ data })), { db: fromKysely(tx.db) });
  }

  async stop(): Promise<void> {
    await this.#boss?.stop({ graceful: true, timeout: 10_000 });
    this.#boss = null;
  }
}

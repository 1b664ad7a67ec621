import { systemCtx } from '../core/context.ts';
import { errorFields } from '../core/logger.ts';
import type { Platform } from '../core/platform.ts';
import { purgeDeliveredEvents } from '../events/index.ts';
import { purgeExpiredFiles } from '../files/index.ts';
import { purgeReadNotifications } from '../notifications/index.ts';
import { purgeWebhookHistory } from '../webhooks/index.ts';

export type SweepResult = { schema: string; events: number; notifications: number; files: number; webhooks: number };

/**
 * One pass over every workspace: delivered outbox events and read notifications past their retention
 * (TB_OUTBOX_RETENTION_DAYS, TB_NOTIFICATION_RETENTION_DAYS), webhook history (TB_WEBHOOK_RETENTION_DAYS), and files past the workspace's own
 * retention, if it set one. Every step is idempotent, so processes sweeping at once only repeat work.
 * A workspace that fails is logged and the others are still swept.
 */
export async function sweep(platform: Platform, now = new Date()): Promise<SweepResult[]> {
  const results: SweepResult[] = [];
  for (const workspace of platform.workspaces.list()) {
    const ctx = systemCtx(platform, workspace);
    const schema = workspace.schemas.system;
    try {
      const events = await purgeDeliveredEvents(ctx, platform.config.outboxRetentionDays, now);
      const notifications = await purgeReadNotifications(ctx, platform.config.notificationRetentionDays, now);
      const files = await purgeExpiredFiles(ctx, now);
      const webhooks = await purgeWebhookHistory(ctx, platform.config.webhookRetentionDays, now);
      results.push({ schema, events, notifications, files, webhooks });
      if (events + notifications + files + webhooks > 0) platform.log.info('housekeeping purged', { schema, events, notifications, files, webhooks });
    } catch (error) {
      platform.log.error('housekeeping failed', { schema, ...errorFields(error) });
    }
  }
  return results;
}

/** Sweeps every TB_HOUSEKEEPING_MINUTES, the first time one interval after start (start-up has enough to do). */
export class Housekeeping {
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<unknown> = Promise.resolve();

  start(platform: Platform): void {
    this.#timer = setInterval(() => {
      this.#running = this.#running.then(() => sweep(platform));
    }, platform.config.housekeepingMinutes * 60_000);
    this.#timer.unref();
  }

  /** Stops the timer and waits for a sweep under way. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#running;
  }
}

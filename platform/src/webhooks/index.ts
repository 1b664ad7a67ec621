import type { JobQueue } from '../jobs/index.ts';
import { registerDeliveryJob } from './deliver.ts';
import { registerEventSources } from './sources.ts';

export { webhookRoutes } from './routes.ts';
export { purgeWebhookHistory } from './purge.ts';

/** Delivers outbound webhooks: their job, and the record writes and flow runs whose events they carry. */
export function registerWebhooks(queue: JobQueue): void {
  registerDeliveryJob(queue);
  registerEventSources();
}

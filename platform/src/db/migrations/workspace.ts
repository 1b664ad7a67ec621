import type { Migration } from '../migrate.ts';
import { outboxLeaseMigrations } from './workspace-outbox-leases.ts';
import { collaborationMigrations } from './workspace-collaboration.ts';
import { messagingMigrations } from './workspace-messaging.ts';
import { notificationMigrations } from './workspace-notifications.ts';
import { platformMigrations } from './workspace-platform.ts';
import { presenceMigrations } from './workspace-presence.ts';
import { searchSourceMigrations } from './workspace-search-sources.ts';
import { joinLinkMigrations } from './workspace-join-links.ts';
import { scriptBuildMigrations } from './workspace-script-builds.ts';
import { flowMigrations } from './workspace-flows.ts';
import { approvalMigrations } from './workspace-approvals.ts';
import { flowTimerMigrations } from './workspace-flow-timers.ts';
import { scriptMigrations } from './workspace-scripts.ts';
import { webhookMigrations } from './workspace-webhooks.ts';

/**
 * Tables inside each workspace's system schema, applied in this order by name. Append new migrations
 * (to the file of their domain, or a new one listed here last); never edit an applied one.
 */
export const workspaceMigrations: readonly Migration[] = [
  ...platformMigrations,
  ...collaborationMigrations,
  ...messagingMigrations,
  ...notificationMigrations,
  ...presenceMigrations,
  ...outboxLeaseMigrations,
  ...searchSourceMigrations,
  ...joinLinkMigrations,
  ...scriptMigrations,
  ...scriptBuildMigrations,
  ...flowMigrations,
  ...approvalMigrations,
  ...flowTimerMigrations,
  ...webhookMigrations,
];

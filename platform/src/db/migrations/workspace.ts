import type { Migration } from '../migrate.ts';
import { collaborationMigrations } from './workspace-collaboration.ts';
import { platformMigrations } from './workspace-platform.ts';

/**
 * Tables inside each workspace's system schema, applied in this order by name. Append new migrations
 * (to the file of their domain, or a new one listed here last); never edit an applied one.
 */
export const workspaceMigrations: readonly Migration[] = [...platformMigrations, ...collaborationMigrations];

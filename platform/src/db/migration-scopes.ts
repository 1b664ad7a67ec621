import type { Workspace } from '../core/context.ts';
import type { MigrationScope } from './migrate.ts';
import { globalMigrations } from './migrations/global.ts';
import { workspaceMigrations } from './migrations/workspace.ts';

export function globalScope(prefix: string): MigrationScope {
  return { scope: 'global', schema: prefix, createSchemas: [prefix], migrations: globalMigrations };
}

export function workspaceScope(workspace: Pick<Workspace, 'slug' | 'schemas'>): MigrationScope {
  const { system, data } = workspace.schemas;
  return { scope: `workspace:${workspace.slug}`, schema: system, createSchemas: [system, data], migrations: workspaceMigrations };
}

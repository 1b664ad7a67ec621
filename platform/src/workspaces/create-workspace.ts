import { sql } from 'kysely';
import type { Workspace } from '../core/context.ts';
import type { Platform } from '../core/platform.ts';
import { workspaceScope } from '../db/migration-scopes.ts';
import { runMigrations } from '../db/migrate.ts';
import { SLUG_PATTERN, workspaceSchemas } from '../db/schema-names.ts';
import { jsonb } from '../db/tables.ts';

export class InvalidWorkspaceError extends Error {
  override name = 'InvalidWorkspaceError';
}

/**
 * Registers a workspace and creates its schemas. If the process dies between the two steps, the next
 * start migrates every registered workspace, so the workspace is completed rather than lost.
 */
export async function createWorkspace(platform: Platform, input: { slug: string; name: string; hosts?: string[] }): Promise<Workspace> {
  if (!SLUG_PATTERN.test(input.slug)) throw new InvalidWorkspaceError(`Workspace slug must match ${SLUG_PATTERN}: ${input.slug}`);
  const prefix = platform.config.schema;
  await sql`insert into ${sql.table(`${prefix}.workspaces`)} (slug, name, hosts, is_default)
    values (${input.slug}, ${input.name}, ${jsonb(input.hosts ?? [])}, false)`.execute(platform.db.kysely);
  await runMigrations(platform.db.kysely, prefix, [workspaceScope({ slug: input.slug, schemas: workspaceSchemas(prefix, input.slug) })]);
  const all = await platform.workspaces.reload();
  return all.find((w) => w.slug === input.slug)!;
}

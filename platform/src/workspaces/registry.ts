import type { Kysely } from 'kysely';
import type { Workspace } from '../core/context.ts';
import { workspaceSchemas } from '../db/schema-names.ts';
import type { GlobalDB } from '../db/tables.ts';

/**
 * The deployment's workspaces, cached in memory. Workspaces change rarely; a miss reloads the list
 * once, so a workspace created by another process is found on its first request here.
 */
export class WorkspaceRegistry {
  #db: Kysely<GlobalDB>;
  #prefix: string;
  #all: Workspace[] = [];

  constructor(db: Kysely<any>, prefix: string) {
    this.#db = db.withSchema(prefix) as Kysely<GlobalDB>;
    this.#prefix = prefix;
  }

  list(): readonly Workspace[] {
    return this.#all;
  }

  async reload(): Promise<readonly Workspace[]> {
    const rows = await this.#db.selectFrom('workspaces').selectAll().orderBy('created_at').execute();
    this.#all = rows.map((r) => ({
      id: r.id,
      slug: r.slug,
      name: r.name,
      isDefault: r.is_default,
      hosts: r.hosts as unknown as string[],
      schemas: workspaceSchemas(this.#prefix, r.slug),
    }));
    return this.#all;
  }

  /** Finds a workspace by slug, then by host name, then the default one. */
  async resolve(by: { slug?: string | undefined; host?: string | undefined }): Promise<Workspace | null> {
    const found = this.#find(by);
    if (found !== undefined) return found;
    await this.reload();
    return this.#find(by) ?? null;
  }

  #find({ slug, host }: { slug?: string | undefined; host?: string | undefined }): Workspace | undefined {
    if (slug) return this.#all.find((w) => w.slug === slug);
    const hostname = host?.split(':')[0]?.toLowerCase();
    return (hostname ? this.#all.find((w) => w.hosts.includes(hostname)) : undefined) ?? this.#all.find((w) => w.isDefault);
  }
}

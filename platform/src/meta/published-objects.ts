import type { MetaDocument, ObjectDefinition } from '../contracts/meta.ts';
import type { FlowDefinition } from '../contracts/flow-definitions.ts';
import type { ScriptDefinition } from '../contracts/script-definitions.ts';
import { AppError } from '../core/app-error.ts';
import type { Ctx } from '../core/context.ts';

type Cached = { version: number; objects: Map<string, ObjectDefinition>; scripts: ScriptDefinition[]; flows: FlowDefinition[]; checkedAt: number };
const cache = new Map<string, Cached>();

/** Publishing notifies this channel with the workspace's schema; every process drops its cached copy. */
export const META_CHANNEL = 'threadbase_meta';
/** A safety net should a notification be lost with a dropped connection: look again after this long. */
const REVALIDATE_MS = 5000;

export function forgetPublished(schema: string): void {
  cache.delete(schema);
}

/**
 * The published objects (scripts and flows) of a workspace, parsed once per version and kept until a publish notifies
 * (or, at the latest, re-checked every few seconds), so reading records costs no metadata query.
 */
export async function publishedObjects(ctx: Ctx): Promise<Cached> {
  const hit = cache.get(ctx.workspace.schemas.system);
  if (hit && Date.now() - hit.checkedAt < REVALIDATE_MS) return hit;
  const latest = await ctx.db.selectFrom('meta_versions').select('version').orderBy('version', 'desc').limit(1).executeTakeFirst();
  const version = latest?.version ?? 0;
  const key = ctx.workspace.schemas.system;
  const cached = cache.get(key);
  if (cached?.version === version) {
    cached.checkedAt = Date.now();
    return cached;
  }
  const row = version ? await ctx.db.selectFrom('meta_versions').select('document').where('version', '=', version).executeTakeFirst() : undefined;
  const document = (row?.document as unknown as MetaDocument | undefined) ?? { objects: [], scripts: [] };
  const objects = new Map(document.objects.filter((o) => !o.archived).map((o) => [o.name, o]));
  const fresh = { version, objects, scripts: (document.scripts ?? []).filter((s) => !s.archived), flows: (document.flows ?? []).filter((f) => !f.archived), checkedAt: Date.now() };
  cache.set(key, fresh);
  return fresh;
}

export async function publishedObject(ctx: Ctx, name: string): Promise<ObjectDefinition> {
  const object = (await publishedObjects(ctx)).objects.get(name);
  if (!object) throw new AppError('OBJECT_NOT_FOUND', 404, { params: { object: name.slice(0, 64) } });
  return object;
}

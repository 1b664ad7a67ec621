import type { MetaDocument, ObjectDefinition } from '../contracts/meta.ts';
import { AppError } from '../core/app-error.ts';
import type { Ctx } from '../core/context.ts';

type Cached = { version: number; objects: Map<string, ObjectDefinition> };
const cache = new Map<string, Cached>();

/**
 * The published objects of a workspace, parsed once per version. Each call costs one indexed read of
 * the latest version number, so a publish in another process is seen by the next request here.
 */
export async function publishedObjects(ctx: Ctx): Promise<Cached> {
  const latest = await ctx.db.selectFrom('meta_versions').select('version').orderBy('version', 'desc').limit(1).executeTakeFirst();
  const version = latest?.version ?? 0;
  const key = ctx.workspace.schemas.system;
  const cached = cache.get(key);
  if (cached?.version === version) return cached;
  const row = version ? await ctx.db.selectFrom('meta_versions').select('document').where('version', '=', version).executeTakeFirst() : undefined;
  const document = (row?.document as unknown as MetaDocument | undefined) ?? { objects: [] };
  const fresh = { version, objects: new Map(document.objects.filter((o) => !o.archived).map((o) => [o.name, o])) };
  cache.set(key, fresh);
  return fresh;
}

export async function publishedObject(ctx: Ctx, name: string): Promise<ObjectDefinition> {
  const object = (await publishedObjects(ctx)).objects.get(name);
  if (!object) throw new AppError('OBJECT_NOT_FOUND', 404, { params: { object: name.slice(0, 64) } });
  return object;
}

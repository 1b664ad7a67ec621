import { accessTo } from '../access/index.ts';
import type { AppDefinition } from '../contracts/meta.ts';
import type { Ctx } from '../core/context.ts';
import { publishedObjects } from './published-objects.ts';

/**
 * The apps as the caller sees them in the launcher: live apps, each listing, in its order, the live
 * objects she may read. An app left with none is not hers to open, so it is left out.
 */
export async function appsFor(ctx: Ctx, apps: readonly AppDefinition[]): Promise<AppDefinition[]> {
  const { objects } = await publishedObjects(ctx);
  const visible: AppDefinition[] = [];
  for (const app of apps) {
    if (app.archived) continue;
    const readable: string[] = [];
    for (const name of app.objects) {
      const object = objects.get(name);
      if (object && (await accessTo(ctx, object)).canRead) readable.push(name);
    }
    if (readable.length > 0) visible.push({ ...app, objects: readable });
  }
  return visible;
}

import { createRoute, z } from '@hono/zod-openapi';
import { CompileScriptRequest, CompileScriptResult } from '../contracts/index.ts';
import { requireAdmin } from '../core/guards.ts';
import { body, errors, json, router, secured } from '../http/route-helpers.ts';
import { checkScript, scriptTypes } from './service.ts';

const tags = ['Scripts'];
export const SCRIPTS_PATH = '/api/v1/scripts';

const routes = {
  types: createRoute({
    method: 'get',
    path: `${SCRIPTS_PATH}/types.d.ts`,
    tags,
    security: secured,
    summary: 'TypeScript declarations of the published objects and of the script API, for the script editor (admin)',
    description: 'Regenerated at each publish; send the ETag back in If-None-Match to get 304 while it has not changed.',
    responses: {
      200: { description: 'The declarations', content: { 'text/plain': { schema: z.string() } } },
      304: { description: 'Unchanged since the ETag sent in If-None-Match' },
      ...errors(401, 403),
    },
  }),
  compile: createRoute({
    method: 'post',
    path: `${SCRIPTS_PATH}/compile`,
    tags,
    security: secured,
    summary: 'Compile a script and check it against the published objects: syntax, sandbox rules and types (admin)',
    request: { body: body(CompileScriptRequest) },
    responses: { 200: json(CompileScriptResult, 'The JavaScript, when it would run, and every problem found'), ...errors(401, 403, 413) },
  }),
};

/** If-None-Match holds the tag (weakly compared, as RFC 9110 says for it), or `*`. */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  return !!ifNoneMatch?.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === etag;
  });
}

export function scriptRoutes() {
  const app = router();
  app.openapi(routes.types, async (c) => {
    const ctx = c.get('ctx');
    requireAdmin(ctx);
    const types = await scriptTypes(ctx);
    // They describe the workspace's objects: an admin's business, so no shared cache keeps them, and a
    // cached copy is checked before each use (a publish changes them).
    const headers = { etag: types.etag, 'cache-control': 'private, no-cache', 'x-content-type-options': 'nosniff', 'x-threadbase-meta-version': String(types.version) };
    if (matches(c.req.header('if-none-match'), types.etag)) return c.body(null, 304, headers);
    return c.body(types.text, 200, { ...headers, 'content-type': 'text/plain; charset=utf-8' });
  });
  app.openapi(routes.compile, async (c) => {
    const ctx = c.get('ctx');
    requireAdmin(ctx);
    return c.json(await checkScript(ctx, c.req.valid('json').source), 200);
  });
  return app;
}

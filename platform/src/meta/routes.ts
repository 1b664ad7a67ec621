import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { MetaChanges, MetaDocument, MetaExport, MetaImportRequest, MetaImportResult, MetaVersion, MetaVersionList, PublishRequest } from '../contracts/index.ts';
import { requireAdmin, requireUser } from '../core/guards.ts';
import { body, errors, json, router, secured } from '../http/route-helpers.ts';
import { appsFor } from './published-apps.ts';
import { discardDraft, draftChanges, exportMeta, getDraft, importMeta, listVersions, publishDraft, publishedMeta, restoreVersion, saveDraft } from './service.ts';

const tags = ['Metadata'];
const Draft = z.object({ document: MetaDocument, baseVersion: z.number().int(), hasDraft: z.boolean() }).meta({ id: 'MetaDraft' });
const Published = z.object({ version: z.number().int(), document: MetaDocument }).meta({ id: 'MetaPublished' });
const VersionParam = z.object({ version: z.coerce.number().int().min(1).max(1_000_000_000) });

const routes = {
  published: createRoute({
    method: 'get',
    path: '/api/v1/meta/published',
    tags,
    security: secured,
    summary: 'The published metadata (objects, fields, labels, options) with the apps the caller can open',
    description: 'Apps are the live ones, each listing only the live objects the caller may read; an app left with none is left out.',
    responses: { 200: json(Published, 'Published metadata'), ...errors(401, 403) },
  }),
  draft: createRoute({ method: 'get', path: '/api/v1/meta/draft', tags, security: secured, summary: 'The draft (or the published metadata when there is none) (admin)', responses: { 200: json(Draft, 'Draft'), ...errors(401, 403) } }),
  saveDraft: createRoute({
    method: 'put',
    path: '/api/v1/meta/draft',
    tags,
    security: secured,
    summary: 'Replace the draft; answers the changes it makes against the published version (admin)',
    description: 'Objects and fields left out are archived at publish, never dropped.',
    request: { body: body(MetaDocument) },
    responses: { 200: json(MetaChanges, 'Saved'), ...errors(401, 403, 422) },
  }),
  discardDraft: createRoute({ method: 'delete', path: '/api/v1/meta/draft', tags, security: secured, summary: 'Discard the draft (admin)', responses: { 204: { description: 'Discarded' }, ...errors(401, 403) } }),
  changes: createRoute({ method: 'get', path: '/api/v1/meta/changes', tags, security: secured, summary: 'The draft as a readable diff against the published version (admin)', responses: { 200: json(MetaChanges, 'Changes'), ...errors(401, 403) } }),
  publish: createRoute({
    method: 'post',
    path: '/api/v1/meta/publish',
    tags,
    security: secured,
    summary: 'Publish the draft: metadata and tables in one transaction, as the next version (admin)',
    request: { body: { required: false, content: { 'application/json': { schema: PublishRequest } } } },
    responses: { 200: json(MetaVersion, 'Published'), ...errors(401, 403, 409, 422) },
  }),
  versions: createRoute({ method: 'get', path: '/api/v1/meta/versions', tags, security: secured, summary: 'Published versions, newest first (admin)', responses: { 200: json(MetaVersionList, 'Versions'), ...errors(401, 403) } }),
  restore: createRoute({
    method: 'post',
    path: '/api/v1/meta/versions/{version}/restore',
    tags,
    security: secured,
    summary: 'Publish version K again as a new version (admin)',
    request: { params: VersionParam, body: { required: false, content: { 'application/json': { schema: PublishRequest } } } },
    responses: { 200: json(MetaVersion, 'Published'), ...errors(401, 403, 404, 409, 422) },
  }),
  export: createRoute({ method: 'get', path: '/api/v1/meta/export', tags, security: secured, summary: 'The published metadata as one document, for another environment (admin)', responses: { 200: json(MetaExport, 'Export'), ...errors(401, 403) } }),
  import: createRoute({
    method: 'post',
    path: '/api/v1/meta/import',
    tags,
    security: secured,
    summary: 'Import a metadata document: dry run (default) shows the diff, otherwise it is published (admin)',
    request: { body: body(MetaImportRequest) },
    responses: { 200: json(MetaImportResult, 'Diff or published version'), ...errors(401, 403, 409, 422) },
  }),
};

export function metaRoutes() {
  const app = router();
  app.openapi(routes.published, async (c) => {
    const ctx = c.get('ctx');
    const user = requireUser(ctx);
    const published = await publishedMeta(ctx);
    const document = published.document ?? { objects: [], scripts: [] };
    const apps = await appsFor(ctx, document.apps ?? []);
    // Scripts' code is the administrators' business; people see their buttons through the records API.
    return c.json({ version: published.version, document: { ...document, apps, ...(user.isAdmin ? {} : { scripts: [] }) } }, 200);
  });
  app.openapi(routes.draft, async (c) => {
    const ctx = c.get('ctx');
    requireAdmin(ctx);
    return c.json(await getDraft(ctx), 200);
  });
  app.openapi(routes.saveDraft, async (c) => {
    const ctx = c.get('ctx');
    requireAdmin(ctx);
    return c.json(await saveDraft(ctx, c.req.valid('json')), 200);
  });
  app.openapi(routes.discardDraft, async (c) => {
    const ctx = c.get('ctx');
    requireAdmin(ctx);
    await discardDraft(ctx);
    return c.body(null, 204);
  });
  app.openapi(routes.changes, async (c) => {
    const ctx = c.get('ctx');
    requireAdmin(ctx);
    return c.json(await draftChanges(ctx), 200);
  });
  app.openapi(routes.publish, async (c) => {
    const ctx = c.get('ctx');
    requireAdmin(ctx);
    return c.json(await publishDraft(ctx, c.req.valid('json').note ?? null), 200);
  });
  app.openapi(routes.versions, async (c) => {
    const ctx = c.get('ctx');
    requireAdmin(ctx);
    return c.json({ items: await listVersions(ctx) }, 200);
  });
  app.openapi(routes.restore, async (c) => {
    const ctx = c.get('ctx');
    requireAdmin(ctx);
    return c.json(await restoreVersion(ctx, c.req.valid('param').version, c.req.valid('json').note ?? null), 200);
  });
  app.openapi(routes.export, async (c) => {
    const ctx = c.get('ctx');
    requireAdmin(ctx);
    return c.json(await exportMeta(ctx), 200);
  });
  app.openapi(routes.import, async (c) => {
    const ctx = c.get('ctx');
    requireAdmin(ctx);
    const input = c.req.valid('json');
    return c.json(await importMeta(ctx, input.document, input.dryRun, input.note ?? null), 200);
  });
  return app;
}

import { createRoute, z } from '@hono/zod-openapi';
import { IdParam, Job, JobList } from '../contracts/index.ts';
import { requireUser } from '../core/guards.ts';
import { errors, json, router, secured } from '../http/route-helpers.ts';
import { getJob, jobFile, listMyJobs } from './service.ts';

const tags = ['Jobs'];

const routes = {
  list: createRoute({ method: 'get', path: '/api/v1/jobs', tags, security: secured, summary: 'My recent imports and exports, newest first', responses: { 200: json(JobList, 'Jobs'), ...errors(401) } }),
  get: createRoute({ method: 'get', path: '/api/v1/jobs/{id}', tags, security: secured, summary: 'A job: status, percent done, rows done, result or per-row errors', request: { params: IdParam }, responses: { 200: json(Job, 'The job'), ...errors(401, 404) } }),
  file: createRoute({
    method: 'get',
    path: '/api/v1/jobs/{id}/file',
    tags,
    security: secured,
    summary: 'The CSV an export produced (UTF-8 with BOM)',
    request: { params: IdParam },
    responses: { 200: { description: 'The file', content: { 'text/csv': { schema: z.string() } } }, ...errors(401, 404, 409) },
  }),
};

export function jobRoutes() {
  const app = router();
  app.openapi(routes.list, async (c) => {
    const ctx = c.get('ctx');
    requireUser(ctx);
    return c.json({ items: await listMyJobs(ctx) }, 200);
  });
  app.openapi(routes.get, async (c) => {
    const ctx = c.get('ctx');
    requireUser(ctx);
    return c.json(await getJob(ctx, c.req.valid('param').id), 200);
  });
  app.openapi(routes.file, async (c) => {
    const ctx = c.get('ctx');
    requireUser(ctx);
    const file = await jobFile(ctx, c.req.valid('param').id);
    // The BOM makes Excel read the file as UTF-8, so Chinese text survives a double-click.
    return c.body(`\uFEFF${file.csv}`, 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${file.name}"` });
  });
  return app;
}

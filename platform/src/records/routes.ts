import { createRoute } from '@hono/zod-openapi';
import { AggregateQuery, AggregateResult, BulkRequest, ExportRecordsRequest, ImportRecordsRequest, Job, BulkResult, ListRecordsQuery, ObjectParam, RecordHistory, RecordInput, RecordOut, RecordPage, RecordParams, RecordQuery } from '../contracts/index.ts';
import { requireUser } from '../core/guards.ts';
import { body, errors, json, router, secured } from '../http/route-helpers.ts';
import { aggregateRecords } from './aggregate.ts';
import { bulkRecords } from './bulk.ts';
import { startExport } from './export-records.ts';
import { startImport } from './import-records.ts';
import { listRecords } from './list-records.ts';
import { createRecord, deleteRecord, getRecord, recordHistory, updateRecord } from './service.ts';

const tags = ['Records'];
const base = '/api/v1/objects/{object}/records';

const routes = {
  list: createRoute({ method: 'get', path: base, tags, security: secured, summary: 'List records: filter, sort, cursor or offset paging, chosen fields, optional total', request: { params: ObjectParam, query: ListRecordsQuery }, responses: { 200: json(RecordPage, 'A page of records'), ...errors(401, 403, 404) } }),
  create: createRoute({ method: 'post', path: base, tags, security: secured, summary: 'Create a record', request: { params: ObjectParam, body: body(RecordInput) }, responses: { 201: json(RecordOut, 'Created'), ...errors(401, 403, 404, 409, 422) } }),
  bulk: createRoute({ method: 'post', path: `${base}/bulk`, tags, security: secured, summary: 'Create, update and delete many records in one transaction', request: { params: ObjectParam, body: body(BulkRequest) }, responses: { 200: json(BulkResult, 'All applied'), ...errors(401, 403, 404, 409, 422) } }),
  get: createRoute({ method: 'get', path: `${base}/{id}`, tags, security: secured, summary: 'One record (with `expand=` like lists)', request: { params: RecordParams, query: RecordQuery }, responses: { 200: json(RecordOut, 'The record'), ...errors(401, 403, 404) } }),
  update: createRoute({ method: 'patch', path: `${base}/{id}`, tags, security: secured, summary: 'Change fields of a record; send `version` to refuse overwriting a newer change', request: { params: RecordParams, body: body(RecordInput) }, responses: { 200: json(RecordOut, 'Updated'), ...errors(401, 403, 404, 409, 422) } }),
  delete: createRoute({ method: 'delete', path: `${base}/{id}`, tags, security: secured, summary: 'Delete a record (lookups pointing to it follow their rule)', request: { params: RecordParams }, responses: { 204: { description: 'Deleted' }, ...errors(401, 403, 404, 409) } }),
  aggregate: createRoute({ method: 'get', path: '/api/v1/objects/{object}/aggregate', tags, security: secured, summary: 'Counts and sums per group (for charts), under the same filter as lists', request: { params: ObjectParam, query: AggregateQuery }, responses: { 200: json(AggregateResult, 'Groups'), ...errors(401, 403, 404) } }),
  import: createRoute({ method: 'post', path: `${base}/import`, tags, security: secured, summary: 'Import a CSV as a job: every row validated first, then all rows created or none', request: { params: ObjectParam, body: body(ImportRecordsRequest) }, responses: { 202: json(Job, 'Queued; poll GET /api/v1/jobs/{id}'), ...errors(401, 403, 404) } }),
  export: createRoute({ method: 'post', path: `${base}/export`, tags, security: secured, summary: 'Export the records a list filter selects to CSV, as a job', request: { params: ObjectParam, body: body(ExportRecordsRequest) }, responses: { 202: json(Job, 'Queued; poll GET /api/v1/jobs/{id}, then download its file'), ...errors(401, 403, 404) } }),
  history: createRoute({ method: 'get', path: `${base}/{id}/history`, tags, security: secured, summary: 'Changes of the tracked fields, newest first', request: { params: RecordParams }, responses: { 200: json(RecordHistory, 'History'), ...errors(401, 403, 404) } }),
};

export function recordRoutes() {
  const app = router();
  app.openapi(routes.list, async (c) => {
    const ctx = c.get('ctx');
    requireUser(ctx);
    return c.json(await listRecords(ctx, c.req.valid('param').object, c.req.valid('query')), 200);
  });
  app.openapi(routes.create, async (c) => {
    const ctx = c.get('ctx');
    requireUser(ctx);
    return c.json(await createRecord(ctx, c.req.valid('param').object, c.req.valid('json')), 201);
  });
  app.openapi(routes.bulk, async (c) => {
    const ctx = c.get('ctx');
    requireUser(ctx);
    return c.json(await bulkRecords(ctx, c.req.valid('param').object, c.req.valid('json')), 200);
  });
  app.openapi(routes.get, async (c) => {
    const ctx = c.get('ctx');
    requireUser(ctx);
    const { object, id } = c.req.valid('param');
    return c.json(await getRecord(ctx, object, id, c.req.valid('query').expand), 200);
  });
  app.openapi(routes.update, async (c) => {
    const ctx = c.get('ctx');
    requireUser(ctx);
    const { object, id } = c.req.valid('param');
    return c.json(await updateRecord(ctx, object, id, c.req.valid('json')), 200);
  });
  app.openapi(routes.delete, async (c) => {
    const ctx = c.get('ctx');
    requireUser(ctx);
    const { object, id } = c.req.valid('param');
    await deleteRecord(ctx, object, id);
    return c.body(null, 204);
  });
  app.openapi(routes.aggregate, async (c) => {
    const ctx = c.get('ctx');
    requireUser(ctx);
    return c.json(await aggregateRecords(ctx, c.req.valid('param').object, c.req.valid('query')), 200);
  });
  app.openapi(routes.import, async (c) => {
    const ctx = c.get('ctx');
    requireUser(ctx);
    return c.json(await startImport(ctx, c.req.valid('param').object, c.req.valid('json')), 202);
  });
  app.openapi(routes.export, async (c) => {
    const ctx = c.get('ctx');
    requireUser(ctx);
    return c.json(await startExport(ctx, c.req.valid('param').object, c.req.valid('json')), 202);
  });
  app.openapi(routes.history, async (c) => {
    const ctx = c.get('ctx');
    requireUser(ctx);
    const { object, id } = c.req.valid('param');
    return c.json({ items: await recordHistory(ctx, object, id) }, 200);
  });
  return app;
}

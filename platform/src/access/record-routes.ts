import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { AccessExplanation, CreateShare, MyObjectAccess, ObjectParam, RecordParams, RecordShare, RecordShareList } from '../contracts/index.ts';
import { requireAdmin, requireUser } from '../core/guards.ts';
import { body, errors, json, router, secured } from '../http/route-helpers.ts';
import { explainAccess, myObjectAccess } from './explain.ts';
import { listShares, shareRecord, unshareRecord } from './shares.ts';

const tags = ['Access'];
const record = '/api/v1/objects/{object}/records/{id}';

const routes = {
  mine: createRoute({ method: 'get', path: '/api/v1/objects/{object}/access', tags, security: secured, summary: 'What the calling user may do with records of this object, field by field', request: { params: ObjectParam }, responses: { 200: json(MyObjectAccess, 'Rights'), ...errors(401, 404) } }),
  explain: createRoute({
    method: 'get',
    path: `${record}/access`,
    tags,
    security: secured,
    summary: 'Why a user can or cannot read, change or delete a record: roles, manager chain, shares and sharing rules (admins)',
    request: { params: RecordParams, query: z.object({ user: z.uuid() }) },
    responses: { 200: json(AccessExplanation, 'The explanation'), ...errors(401, 403, 404) },
  }),
  shares: createRoute({ method: 'get', path: `${record}/shares`, tags, security: secured, summary: 'Who the record is shared with', request: { params: RecordParams }, responses: { 200: json(RecordShareList, 'Shares'), ...errors(401, 404) } }),
  share: createRoute({ method: 'post', path: `${record}/shares`, tags, security: secured, summary: 'Share the record with a user, department (and those below it) or role; owner or "modify all" only', request: { params: RecordParams, body: body(CreateShare) }, responses: { 201: json(RecordShare, 'Shared'), ...errors(401, 403, 404, 422) } }),
  unshare: createRoute({ method: 'delete', path: `${record}/shares/{shareId}`, tags, security: secured, summary: 'Stop sharing', request: { params: RecordParams.extend({ shareId: z.uuid() }) }, responses: { 204: { description: 'No longer shared' }, ...errors(401, 403, 404) } }),
};

export function accessRecordRoutes() {
  const app = router();
  app.openapi(routes.mine, async (c) => {
    const ctx = c.get('ctx');
    requireUser(ctx);
    return c.json(await myObjectAccess(ctx, c.req.valid('param').object), 200);
  });
  app.openapi(routes.explain, async (c) => {
    const ctx = c.get('ctx');
    requireAdmin(ctx);
    const { object, id } = c.req.valid('param');
    return c.json(await explainAccess(ctx, object, id, c.req.valid('query').user), 200);
  });
  app.openapi(routes.shares, async (c) => {
    const ctx = c.get('ctx');
    requireUser(ctx);
    const { object, id } = c.req.valid('param');
    return c.json({ items: await listShares(ctx, object, id) }, 200);
  });
  app.openapi(routes.share, async (c) => {
    const ctx = c.get('ctx');
    requireUser(ctx);
    const { object, id } = c.req.valid('param');
    return c.json(await shareRecord(ctx, object, id, c.req.valid('json')), 201);
  });
  app.openapi(routes.unshare, async (c) => {
    const ctx = c.get('ctx');
    requireUser(ctx);
    const { object, id, shareId } = c.req.valid('param');
    await unshareRecord(ctx, object, id, shareId);
    return c.body(null, 204);
  });
  return app;
}

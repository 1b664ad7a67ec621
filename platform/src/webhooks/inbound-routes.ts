import { createRoute, z } from '@hono/zod-openapi';
import { CreateInboundHook, IdParam, InboundHook, InboundHookList, InboundHookWithToken, InboundResult, InboundTokenParam, UpdateInboundHook } from '../contracts/index.ts';
import { body, errors, json, router, secured } from '../http/route-helpers.ts';
import { createInboundHook, deleteInboundHook, getInboundHook, INBOUND_PATH, listInboundHooks, rotateInboundToken, updateInboundHook } from './inbound-hooks.ts';
import { receive } from './inbound-receive.ts';

const tags = ['Webhooks'];
const one = '/api/v1/webhooks/inbound/{id}';

const routes = {
  list: createRoute({ method: 'get', path: '/api/v1/webhooks/inbound', tags, security: secured, summary: 'Inbound webhooks (admin)', responses: { 200: json(InboundHookList, 'Inbound webhooks'), ...errors(401, 403) } }),
  create: createRoute({
    method: 'post',
    path: '/api/v1/webhooks/inbound',
    tags,
    security: secured,
    summary: 'Create an inbound webhook that turns POSTed JSON into records of an object; the answer shows its secret URL, this once (admin)',
    request: { body: body(CreateInboundHook) },
    responses: { 201: json(InboundHookWithToken, 'Created, with its token'), ...errors(401, 403, 422) },
  }),
  get: createRoute({ method: 'get', path: one, tags, security: secured, summary: 'One inbound webhook (admin)', request: { params: IdParam }, responses: { 200: json(InboundHook, 'The inbound webhook'), ...errors(401, 403, 404) } }),
  update: createRoute({
    method: 'patch',
    path: one,
    tags,
    security: secured,
    summary: 'Change an inbound webhook: object, mode, key, mapping, active (admin)',
    request: { params: IdParam, body: body(UpdateInboundHook) },
    responses: { 200: json(InboundHook, 'Updated'), ...errors(401, 403, 404, 422) },
  }),
  delete: createRoute({ method: 'delete', path: one, tags, security: secured, summary: 'Delete an inbound webhook; its URL answers 404 from then on (admin)', request: { params: IdParam }, responses: { 204: { description: 'Deleted' }, ...errors(401, 403, 404) } }),
  rotate: createRoute({
    method: 'post',
    path: `${one}/rotate-token`,
    tags,
    security: secured,
    summary: 'Give an inbound webhook a new secret URL; the old one stops working (admin)',
    request: { params: IdParam },
    responses: { 200: json(InboundHookWithToken, 'With the new token'), ...errors(401, 403, 404) },
  }),
  receive: createRoute({
    method: 'post',
    path: `${INBOUND_PATH}/{token}`,
    tags,
    summary: 'Called by another system: its JSON becomes a record as the webhook maps it. The secret token in the path is the credential; an Idempotency-Key header makes repeats safe',
    request: {
      params: InboundTokenParam,
      headers: z.object({ 'idempotency-key': z.string().optional().meta({ description: 'The same key with the same payload gets the first answer again, and nothing is written twice.' }) }),
      body: { required: true, content: { 'application/json': { schema: z.unknown().meta({ description: 'A JSON object; the mapping says where each field is in it.' }) } } },
    },
    responses: { 201: json(InboundResult, 'A record was created'), 200: json(InboundResult, 'A record was updated (upsert)'), ...errors(404, 409, 422) },
  }),
};

export function inboundRoutes() {
  const app = router();
  app.openapi(routes.list, async (c) => c.json(await listInboundHooks(c.get('ctx')), 200));
  app.openapi(routes.create, async (c) => c.json(await createInboundHook(c.get('ctx'), c.req.valid('json')), 201));
  app.openapi(routes.get, async (c) => c.json(await getInboundHook(c.get('ctx'), c.req.valid('param').id), 200));
  app.openapi(routes.update, async (c) => c.json(await updateInboundHook(c.get('ctx'), c.req.valid('param').id, c.req.valid('json')), 200));
  app.openapi(routes.delete, async (c) => {
    await deleteInboundHook(c.get('ctx'), c.req.valid('param').id);
    return c.body(null, 204);
  });
  app.openapi(routes.rotate, async (c) => c.json(await rotateInboundToken(c.get('ctx'), c.req.valid('param').id), 200));
  app.openapi(routes.receive, async (c) => {
    const answer = await receive(c.get('ctx'), c.req.valid('param').token, c.req.valid('json'), c.req.valid('header')['idempotency-key']);
    if (answer.replayed) c.header('idempotent-replayed', 'true');
    return answer.status === 201 ? c.json(answer.body, 201) : c.json(answer.body, 200);
  });
  return app;
}

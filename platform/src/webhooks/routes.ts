import { createRoute } from '@hono/zod-openapi';
import { CreateWebhook, IdParam, UpdateWebhook, Webhook, WebhookDeliveriesQuery, WebhookDelivery, WebhookDeliveryDetail, WebhookDeliveryList, WebhookList, WebhookWithSecret } from '../contracts/index.ts';
import { body, errors, json, router, secured } from '../http/route-helpers.ts';
import { inboundRoutes } from './inbound-routes.ts';
import { getDelivery, listDeliveries, replayDelivery, sendTestEvent } from './deliveries.ts';
import { createWebhook, deleteWebhook, getWebhook, listWebhooks, rotateSecret, updateWebhook } from './subscriptions.ts';

const tags = ['Webhooks'];
const one = '/api/v1/webhooks/{id}';
const delivery = '/api/v1/webhook-deliveries/{id}';

const routes = {
  list: createRoute({ method: 'get', path: '/api/v1/webhooks', tags, security: secured, summary: 'Outbound webhook subscriptions (admin)', responses: { 200: json(WebhookList, 'Subscriptions'), ...errors(401, 403) } }),
  create: createRoute({
    method: 'post',
    path: '/api/v1/webhooks',
    tags,
    security: secured,
    summary: 'Subscribe a URL to record and flow events; the answer shows the signing secret, this once (admin)',
    request: { body: body(CreateWebhook) },
    responses: { 201: json(WebhookWithSecret, 'Created, with its secret'), ...errors(401, 403, 422) },
  }),
  get: createRoute({ method: 'get', path: one, tags, security: secured, summary: 'One subscription (admin)', request: { params: IdParam }, responses: { 200: json(Webhook, 'The subscription'), ...errors(401, 403, 404) } }),
  update: createRoute({
    method: 'patch',
    path: one,
    tags,
    security: secured,
    summary: 'Change a subscription: URL, events, filters, active, retries, timeout (admin)',
    request: { params: IdParam, body: body(UpdateWebhook) },
    responses: { 200: json(Webhook, 'Updated'), ...errors(401, 403, 404, 422) },
  }),
  delete: createRoute({ method: 'delete', path: one, tags, security: secured, summary: 'Delete a subscription with its delivery log (admin)', request: { params: IdParam }, responses: { 204: { description: 'Deleted' }, ...errors(401, 403, 404) } }),
  rotate: createRoute({
    method: 'post',
    path: `${one}/rotate-secret`,
    tags,
    security: secured,
    summary: 'Replace the signing secret; the answer shows the new one, this once (admin)',
    request: { params: IdParam },
    responses: { 200: json(WebhookWithSecret, 'With the new secret'), ...errors(401, 403, 404) },
  }),
  test: createRoute({
    method: 'post',
    path: `${one}/test`,
    tags,
    security: secured,
    summary: 'Send a webhook.test event to this subscription; follow it in the delivery log (admin)',
    request: { params: IdParam },
    responses: { 202: json(WebhookDelivery, 'The delivery, queued'), ...errors(401, 403, 404, 409) },
  }),
  deliveries: createRoute({
    method: 'get',
    path: `${one}/deliveries`,
    tags,
    security: secured,
    summary: "A subscription's delivery log, newest first, optionally by status (admin)",
    request: { params: IdParam, query: WebhookDeliveriesQuery },
    responses: { 200: json(WebhookDeliveryList, 'Deliveries'), ...errors(401, 403, 404) },
  }),
  delivery: createRoute({ method: 'get', path: delivery, tags, security: secured, summary: 'One delivery with its body and every attempt (admin)', request: { params: IdParam }, responses: { 200: json(WebhookDeliveryDetail, 'The delivery'), ...errors(401, 403, 404) } }),
  replay: createRoute({
    method: 'post',
    path: `${delivery}/replay`,
    tags,
    security: secured,
    summary: 'Send a finished delivery again, as a new delivery of the same event (admin)',
    request: { params: IdParam },
    responses: { 202: json(WebhookDelivery, 'The new delivery, queued'), ...errors(401, 403, 404, 409) },
  }),
};

/** Every webhook route; the inbound ones first, so that /webhooks/inbound is never taken for /webhooks/{id}. */
export function webhookRoutes() {
  const app = router();
  app.route('/', inboundRoutes());
  app.openapi(routes.list, async (c) => c.json(await listWebhooks(c.get('ctx')), 200));
  app.openapi(routes.create, async (c) => c.json(await createWebhook(c.get('ctx'), c.req.valid('json')), 201));
  app.openapi(routes.get, async (c) => c.json(await getWebhook(c.get('ctx'), c.req.valid('param').id), 200));
  app.openapi(routes.update, async (c) => c.json(await updateWebhook(c.get('ctx'), c.req.valid('param').id, c.req.valid('json')), 200));
  app.openapi(routes.delete, async (c) => {
    await deleteWebhook(c.get('ctx'), c.req.valid('param').id);
    return c.body(null, 204);
  });
  app.openapi(routes.rotate, async (c) => c.json(await rotateSecret(c.get('ctx'), c.req.valid('param').id), 200));
  app.openapi(routes.test, async (c) => c.json(await sendTestEvent(c.get('ctx'), c.req.valid('param').id), 202));
  app.openapi(routes.deliveries, async (c) => c.json(await listDeliveries(c.get('ctx'), c.req.valid('param').id, c.req.valid('query')), 200));
  app.openapi(routes.delivery, async (c) => c.json(await getDelivery(c.get('ctx'), c.req.valid('param').id), 200));
  app.openapi(routes.replay, async (c) => c.json(await replayDelivery(c.get('ctx'), c.req.valid('param').id), 202));
  return app;
}

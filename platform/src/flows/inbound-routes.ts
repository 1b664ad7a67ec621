import { createRoute, z } from '@hono/zod-openapi';
import { FlowHookAccepted, FlowHookParams, FlowParam, FlowWebhook } from '../contracts/index.ts';
import { AppError } from '../core/app-error.ts';
import { errors, json, router, secured } from '../http/route-helpers.ts';
import { getWebhook, receiveWebhook, rotateWebhook } from './inbound.ts';

const tags = ['Flows'];

const routes = {
  receive: createRoute({
    method: 'post',
    path: '/api/v1/hooks/flows/{flow}/{secret}',
    tags,
    summary: "Start a webhook flow with a JSON payload, checked against the flow's schema; the secret in the URL is the only credential (a wrong one answers 404)",
    request: { params: FlowHookParams, body: { required: false, content: { 'application/json': { schema: z.unknown() } } } },
    responses: { 202: json(FlowHookAccepted, 'The run the payload started'), ...errors(404) },
  }),
  get: createRoute({
    method: 'get',
    path: '/api/v1/flows/{id}/webhook',
    tags,
    security: secured,
    summary: "A webhook flow's secret URL (admin)",
    request: { params: FlowParam },
    responses: { 200: json(FlowWebhook, 'The URL and its secret'), ...errors(401, 403, 404, 409) },
  }),
  rotate: createRoute({
    method: 'post',
    path: '/api/v1/flows/{id}/webhook/rotate',
    tags,
    security: secured,
    summary: 'Give a webhook flow a new secret URL; the old one stops working at once (admin, audited)',
    request: { params: FlowParam },
    responses: { 200: json(FlowWebhook, 'The new URL and its secret'), ...errors(401, 403, 404, 409) },
  }),
};

/** Any JSON value is a payload; an empty body is none (null). */
function parsePayload(raw: string): unknown {
  if (raw.trim() === '') return null;
  try {
    return JSON.parse(raw);
  } catch {
    throw new AppError('INVALID_JSON', 400);
  }
}

export function inboundFlowRoutes() {
  const app = router();
  app.openapi(routes.receive, async (c) => {
    const { flow, secret } = c.req.valid('param');
    return c.json(await receiveWebhook(c.get('ctx'), flow, secret, parsePayload(await c.req.text())), 202);
  });
  app.openapi(routes.get, async (c) => c.json(await getWebhook(c.get('ctx'), c.req.valid('param').id), 200));
  app.openapi(routes.rotate, async (c) => c.json(await rotateWebhook(c.get('ctx'), c.req.valid('param').id), 200));
  return app;
}

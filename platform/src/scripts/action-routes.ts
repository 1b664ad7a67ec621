import { createRoute, z } from '@hono/zod-openapi';
import type { JsonValue } from '@threadbase/sandbox';
import { ButtonResult, ErrorBody, ObjectActionList, ObjectParam, RecordActionParams, ScriptParamName, ScriptRunOutcome, ScriptSummaryList, TestRunRequest } from '../contracts/index.ts';
import { AppError } from '../core/app-error.ts';
import { requireAdmin } from '../core/guards.ts';
import { body, errors, json, router, secured, userCtx } from '../http/route-helpers.ts';
import { callEndpoint, objectActions, pressButton, testRun } from './actions.ts';
import { secretValue } from './secrets.ts';
import { scriptSummaries } from './type-flags.ts';

const tags = ['Scripts'];
/** Where a caller of a `secret` endpoint puts the secret (Authorization carries the platform's own tokens). */
const ENDPOINT_SECRET_HEADER = 'x-threadbase-secret';
const ENDPOINT_METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

const routes = {
  list: createRoute({
    method: 'get',
    path: '/api/v1/scripts',
    tags,
    security: secured,
    summary: 'The published scripts, each with its type check against the published objects; `flagged` ones no longer check (admin)',
    responses: { 200: json(ScriptSummaryList, 'Scripts'), ...errors(401, 403) },
  }),
  testRun: createRoute({
    method: 'post',
    path: '/api/v1/scripts/{name}/test-run',
    tags,
    security: secured,
    summary: "Run the draft's script on a chosen record in a transaction that is rolled back: its logs, result, resource use and what it would change (admin)",
    request: { params: ScriptParamName, body: body(TestRunRequest) },
    responses: { 200: json(ScriptRunOutcome, 'What the run did, undone'), ...errors(401, 403, 404, 422) },
  }),
  actions: createRoute({
    method: 'get',
    path: '/api/v1/objects/{object}/actions',
    tags,
    security: secured,
    summary: "The buttons of an object's records (button scripts), with their labels and confirmation texts",
    request: { params: ObjectParam },
    responses: { 200: json(ObjectActionList, 'Buttons'), ...errors(401, 404) },
  }),
  press: createRoute({
    method: 'post',
    path: '/api/v1/objects/{object}/records/{id}/actions/{name}',
    tags,
    security: secured,
    summary: 'Press a button on a record: run its script on the record, as the user (or as system, if the script says so)',
    request: { params: RecordActionParams },
    responses: { 200: json(ButtonResult, 'The result message'), ...errors(401, 403, 404, 422) },
  }),
};

const endpointRoute = (method: (typeof ENDPOINT_METHODS)[number]) =>
  createRoute({
    method,
    path: '/api/v1/x/{name}',
    tags,
    summary: `A custom endpoint answered by an endpoint script (${method.toUpperCase()}); its own auth rule says who may call it`,
    request: { params: ScriptParamName, ...(method === 'get' || method === 'delete' ? {} : { body: { required: false, content: { 'application/json': { schema: z.unknown() } } } }) },
    responses: { 200: { description: "The script's answer", content: { 'application/json': { schema: z.unknown() } } }, ...errors(401, 403, 404, 422), 405: { description: 'The endpoint does not answer this method (SCRIPT_METHOD_NOT_ALLOWED)', content: { 'application/json': { schema: ErrorBody } } } },
  });

function parseBody(raw: string): JsonValue {
  if (!raw) return null;
  try {
    return JSON.parse(raw) as JsonValue;
  } catch {
    throw new AppError('INVALID_JSON', 400);
  }
}

export function scriptActionRoutes() {
  const app = router();
  app.openapi(routes.list, async (c) => {
    const ctx = c.get('ctx');
    requireAdmin(ctx);
    return c.json(await scriptSummaries(ctx), 200);
  });
  app.openapi(routes.testRun, async (c) => {
    const ctx = c.get('ctx');
    requireAdmin(ctx);
    const outcome = await testRun(ctx, c.req.valid('param').name, c.req.valid('json') as { recordId?: string; input?: JsonValue; source?: string });
    return c.json(outcome, 200);
  });
  app.openapi(routes.actions, async (c) => c.json({ items: await objectActions(userCtx(c), c.req.valid('param').object) }, 200));
  app.openapi(routes.press, async (c) => {
    const { object, id, name } = c.req.valid('param');
    return c.json(await pressButton(userCtx(c), object, id, name), 200);
  });
  for (const method of ENDPOINT_METHODS) {
    app.openapi(endpointRoute(method), async (c) => {
      const ctx = c.get('ctx');
      const name = c.req.valid('param').name;
      const raw = method === 'get' || method === 'delete' ? '' : await c.req.text();
      const request = {
        method: method.toUpperCase(),
        path: c.req.path,
        query: c.req.query(),
        headers: Object.fromEntries([...c.req.raw.headers].filter(([k]) => k !== 'authorization' && k !== 'cookie' && k !== ENDPOINT_SECRET_HEADER)),
        body: parseBody(raw),
      };
      const answer = await callEndpoint(ctx, name, request, c.req.header(ENDPOINT_SECRET_HEADER) ?? null, (secret) => secretValue(ctx, secret));
      return c.json(answer.body as never, answer.status as 200, answer.headers);
    });
  }
  return app;
}

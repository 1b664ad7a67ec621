import { createRoute } from '@hono/zod-openapi';
import { FlowList, FlowParam, FlowRunDetail, FlowRunList, FlowRunsQuery, IdParam, StartFlowRequest } from '../contracts/index.ts';
import { body, errors, json, router, secured } from '../http/route-helpers.ts';
import { cancelRun, getRun, listFlows, listRuns, retryRun, startManually } from './service.ts';

const tags = ['Flows'];
const run = '/api/v1/flow-runs/{id}';

const routes = {
  list: createRoute({ method: 'get', path: '/api/v1/flows', tags, security: secured, summary: 'The published flows with their triggers and open runs (admin)', responses: { 200: json(FlowList, 'Flows'), ...errors(401, 403) } }),
  runs: createRoute({
    method: 'get',
    path: '/api/v1/flows/{id}/runs',
    tags,
    security: secured,
    summary: "A flow's runs, newest first, optionally by status (admin)",
    request: { params: FlowParam, query: FlowRunsQuery },
    responses: { 200: json(FlowRunList, 'Runs'), ...errors(401, 403) },
  }),
  start: createRoute({
    method: 'post',
    path: '/api/v1/flows/{id}/runs',
    tags,
    security: secured,
    summary: 'Start a manual flow: on a record of its object (anyone who may read the record), or on nothing (admin)',
    request: { params: FlowParam, body: body(StartFlowRequest) },
    responses: { 201: json(FlowRunDetail, 'The run, just started'), ...errors(401, 403, 404, 409) },
  }),
  get: createRoute({ method: 'get', path: run, tags, security: secured, summary: "A run with its timeline: every step, its output or error (admin)", request: { params: IdParam }, responses: { 200: json(FlowRunDetail, 'The run'), ...errors(401, 403, 404) } }),
  retry: createRoute({ method: 'post', path: `${run}/retry`, tags, security: secured, summary: 'Try the failed step of a run that needs attention again (admin)', request: { params: IdParam }, responses: { 200: json(FlowRunDetail, 'The run'), ...errors(401, 403, 404, 409) } }),
  cancel: createRoute({ method: 'post', path: `${run}/cancel`, tags, security: secured, summary: 'Cancel an open run (admin)', request: { params: IdParam }, responses: { 200: json(FlowRunDetail, 'The run'), ...errors(401, 403, 404, 409) } }),
};

export function flowRoutes() {
  const app = router();
  app.openapi(routes.list, async (c) => c.json(await listFlows(c.get('ctx')), 200));
  app.openapi(routes.runs, async (c) => c.json(await listRuns(c.get('ctx'), c.req.valid('param').id, c.req.valid('query')), 200));
  app.openapi(routes.start, async (c) => c.json(await startManually(c.get('ctx'), c.req.valid('param').id, c.req.valid('json').recordId), 201));
  app.openapi(routes.get, async (c) => c.json(await getRun(c.get('ctx'), c.req.valid('param').id), 200));
  app.openapi(routes.retry, async (c) => c.json(await retryRun(c.get('ctx'), c.req.valid('param').id), 200));
  app.openapi(routes.cancel, async (c) => c.json(await cancelRun(c.get('ctx'), c.req.valid('param').id), 200));
  return app;
}

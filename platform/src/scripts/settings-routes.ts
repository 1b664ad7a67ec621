import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import {
  IdParam,
  ScriptRun,
  ScriptRunList,
  ScriptRunsQuery,
  ScriptSecret,
  ScriptSecretList,
  ScriptSecretParam,
  ScriptSettings,
  SetScriptSecret,
  UpdateScriptSettings,
} from '../contracts/index.ts';
import { requireAdmin } from '../core/guards.ts';
import type { AppEnv } from '../http/app-env.ts';
import { body, errors, json, router, secured } from '../http/route-helpers.ts';
import { getRun, listRuns } from './run-log.ts';
import { deleteSecret, listSecrets, setSecret } from './secrets.ts';
import { scriptSettings, updateScriptSettings } from './settings.ts';

const tags = ['Scripts'];
const base = '/api/v1/scripts';
const secret = `${base}/secrets/{name}`;

const routes = {
  settings: createRoute({ method: 'get', path: `${base}/settings`, tags, security: secured, summary: 'How the workspace governs its scripts: limits, HTTP allow-list, run log retention (admin)', responses: { 200: json(ScriptSettings, 'The settings'), ...errors(401, 403) } }),
  updateSettings: createRoute({
    method: 'put',
    path: `${base}/settings`,
    tags,
    security: secured,
    summary: 'Change the limits, the HTTP allow-list and the run log retention (admin)',
    description: 'Limits left out of `limits` take their defaults; each has a ceiling no workspace may pass.',
    request: { body: body(UpdateScriptSettings) },
    responses: { 200: json(ScriptSettings, 'The settings'), ...errors(401, 403) },
  }),
  secrets: createRoute({ method: 'get', path: `${base}/secrets`, tags, security: secured, summary: 'The secrets scripts may read, by name, never with their values (admin)', responses: { 200: json(ScriptSecretList, 'The secrets'), ...errors(401, 403) } }),
  setSecret: createRoute({ method: 'put', path: secret, tags, security: secured, summary: 'Set a secret, creating it or replacing its value (admin)', request: { params: ScriptSecretParam, body: body(SetScriptSecret) }, responses: { 200: json(ScriptSecret, 'The secret, without its value'), ...errors(401, 403) } }),
  deleteSecret: createRoute({ method: 'delete', path: secret, tags, security: secured, summary: 'Remove a secret (admin)', request: { params: ScriptSecretParam }, responses: { 204: { description: 'Removed' }, ...errors(401, 403, 404) } }),
  runs: createRoute({ method: 'get', path: `${base}/runs`, tags, security: secured, summary: 'The script run log, newest first (admin)', request: { query: ScriptRunsQuery }, responses: { 200: json(ScriptRunList, 'Runs'), ...errors(401, 403) } }),
  run: createRoute({ method: 'get', path: `${base}/runs/{id}`, tags, security: secured, summary: 'One script run with its logs (admin)', request: { params: IdParam }, responses: { 200: json(ScriptRun, 'The run'), ...errors(401, 403, 404) } }),
};

const adminCtx = (c: Context<AppEnv>) => {
  const ctx = c.get('ctx');
  requireAdmin(ctx);
  return ctx;
};

export function scriptSettingsRoutes() {
  const app = router();
  app.openapi(routes.settings, async (c) => c.json(await scriptSettings(adminCtx(c)), 200));
  app.openapi(routes.updateSettings, async (c) => c.json(await updateScriptSettings(adminCtx(c), c.req.valid('json')), 200));
  app.openapi(routes.secrets, async (c) => c.json(await listSecrets(adminCtx(c)), 200));
  app.openapi(routes.setSecret, async (c) => c.json(await setSecret(adminCtx(c), c.req.valid('param').name, c.req.valid('json').value), 200));
  app.openapi(routes.deleteSecret, async (c) => {
    await deleteSecret(adminCtx(c), c.req.valid('param').name);
    return c.body(null, 204);
  });
  app.openapi(routes.runs, async (c) => c.json(await listRuns(adminCtx(c), c.req.valid('query')), 200));
  app.openapi(routes.run, async (c) => c.json(await getRun(adminCtx(c), c.req.valid('param').id), 200));
  return app;
}

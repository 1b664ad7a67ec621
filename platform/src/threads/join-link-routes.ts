import { createRoute } from '@hono/zod-openapi';
import { CreateJoinLink, JoinCodeParam, JoinLink, JoinPreview, Thread, ThreadParam } from '../contracts/index.ts';
import { body, errors, json, router, secured, userCtx } from '../http/route-helpers.ts';
import { createJoinLink, deleteJoinLink, getJoinLink, joinByLink, previewJoin } from './join-links.ts';

const tags = ['Threads'];
const link = '/api/v1/threads/{id}/join-link';
const byCode = '/api/v1/join-links/{code}';

const routes = {
  get: createRoute({ method: 'get', path: link, tags, security: secured, summary: "The group's or channel's current link to join (owner and admins)", request: { params: ThreadParam }, responses: { 200: json(JoinLink, 'The link'), ...errors(401, 403, 404) } }),
  create: createRoute({ method: 'post', path: link, tags, security: secured, summary: 'Make a new link to join, replacing the earlier one (owner and admins)', request: { params: ThreadParam, body: body(CreateJoinLink) }, responses: { 201: json(JoinLink, 'The new link'), ...errors(401, 403, 404) } }),
  remove: createRoute({ method: 'delete', path: link, tags, security: secured, summary: 'Turn the link to join off (owner and admins)', request: { params: ThreadParam }, responses: { 204: { description: 'Turned off' }, ...errors(401, 403, 404) } }),
  preview: createRoute({ method: 'get', path: byCode, tags, security: secured, summary: 'What a link to join leads to', request: { params: JoinCodeParam }, responses: { 200: json(JoinPreview, 'The conversation'), ...errors(401, 404) } }),
  join: createRoute({ method: 'post', path: byCode, tags, security: secured, summary: 'Join a group or channel by its link', request: { params: JoinCodeParam }, responses: { 200: json(Thread, 'The thread, joined'), ...errors(401, 404) } }),
};

export function joinLinkRoutes() {
  const app = router();
  app.openapi(routes.get, async (c) => c.json(await getJoinLink(userCtx(c), c.req.valid('param').id), 200));
  app.openapi(routes.create, async (c) => c.json(await createJoinLink(userCtx(c), c.req.valid('param').id, c.req.valid('json')), 201));
  app.openapi(routes.remove, async (c) => {
    await deleteJoinLink(userCtx(c), c.req.valid('param').id);
    return c.body(null, 204);
  });
  app.openapi(routes.preview, async (c) => c.json(await previewJoin(userCtx(c), c.req.valid('param').code), 200));
  app.openapi(routes.join, async (c) => c.json(await joinByLink(userCtx(c), c.req.valid('param').code), 200));
  return app;
}

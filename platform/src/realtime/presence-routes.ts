import { createRoute } from '@hono/zod-openapi';
import { PresenceList, PresenceQuery } from '../contracts/index.ts';
import { errors, json, router, secured, userCtx } from '../http/route-helpers.ts';
import { presenceOf } from './presence.ts';

const routes = {
  presence: createRoute({
    method: 'get',
    path: '/api/v1/presence',
    tags: ['Directory'],
    security: secured,
    summary: 'Who of these people is online, away or offline right now (live changes come as the socket event `presence`)',
    request: { query: PresenceQuery },
    responses: { 200: json(PresenceList, 'Their presence'), ...errors(401) },
  }),
};

export function presenceRoutes() {
  const app = router();
  app.openapi(routes.presence, async (c) => {
    const ctx = userCtx(c);
    const { userIds } = c.req.valid('query');
    const found = await presenceOf(ctx, userIds);
    return c.json({ items: userIds.map((userId) => ({ userId, status: found.get(userId)! })) }, 200);
  });
  return app;
}

import { createRoute } from '@hono/zod-openapi';
import { SearchQuery, SearchResult } from '../contracts/index.ts';
import { requireUser } from '../core/guards.ts';
import { errors, json, router, secured } from '../http/route-helpers.ts';
import { search } from './search.ts';

const route = createRoute({
  method: 'get',
  path: '/api/v1/search',
  tags: ['Search'],
  security: secured,
  summary: 'Search messages, records (by name) and files (by name) the user may read; Chinese included',
  request: { query: SearchQuery },
  responses: { 200: json(SearchResult, 'Hits, best first'), ...errors(401) },
});

export function searchRoutes() {
  const app = router();
  app.openapi(route, async (c) => {
    const ctx = c.get('ctx');
    requireUser(ctx);
    return c.json(await search(ctx, c.req.valid('query')), 200);
  });
  return app;
}

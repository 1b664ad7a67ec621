import path from 'node:path';
import { createRequire } from 'node:module';
import { serveStatic } from '@hono/node-server/serve-static';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { publishedObjects } from '../meta/index.ts';
import { withObjectPaths } from '../records/object-openapi.ts';
import type { AppEnv } from './app-env.ts';

const swaggerDir = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/** The interactive reference is served from the installed package: deployments are often air-gapped. */
const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Threadbase API</title><link rel="stylesheet" href="/api/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div><script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script></body></html>`;

const init = `window.ui = SwaggerUIBundle({ url: '/api/v1/openapi.json', dom_id: '#ui', deepLinking: true, withCredentials: true,
  requestInterceptor: (req) => { const m = document.cookie.match(/(?:^|; )tb_csrf=([^;]+)/); if (m) req.headers['X-CSRF-Token'] = decodeURIComponent(m[1]); return req; } });`;

const documentConfig = {
  openapi: '3.1.0',
  info: {
    title: 'Threadbase API',
    version: '1',
    description: 'Errors are `{"error":{"code","message","details"}}`; messages follow the user\'s locale or Accept-Language. See docs/api.md.',
  },
};

export function mountApiDocs(app: OpenAPIHono<AppEnv>): void {
  // A logged-in caller also gets the workspace's published objects as typed paths; their names and
  // fields are the workspace's business, so anonymous callers see only the generic record operations.
  app.get('/api/v1/openapi.json', async (c) => {
    const doc = app.getOpenAPI31Document(documentConfig) as unknown as Parameters<typeof withObjectPaths>[0];
    const ctx = c.get('ctx');
    if (ctx.actor.kind !== 'user') return c.json(doc);
    return c.json(withObjectPaths(doc, (await publishedObjects(ctx)).objects.values()));
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'session', { type: 'apiKey', in: 'cookie', name: 'tb_session' });
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', description: 'A personal API token (tbp_…) or a session token (tbs_…).' });
  app.get('/api/docs', (c) => c.html(page));
  app.get('/api/docs/init.js', (c) => c.body(init, 200, { 'content-type': 'text/javascript; charset=utf-8' }));
  app.use('/api/docs/assets/*', serveStatic({ root: swaggerDir, rewriteRequestPath: (p) => p.replace('/api/docs/assets', '') }));
}

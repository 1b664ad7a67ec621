import { requestId } from 'hono/request-id';
import { accessAdminRoutes } from '../access/admin-routes.ts';
import { accessRecordRoutes } from '../access/record-routes.ts';
import { authRoutes } from '../auth/routes.ts';
import { AppError } from '../core/app-error.ts';
import type { Platform } from '../core/platform.ts';
import { metaRoutes } from '../meta/routes.ts';
import { orgRoutes } from '../org/routes.ts';
import { jobRoutes } from '../jobs/routes.ts';
import { recordRoutes } from '../records/routes.ts';
import { FILES_PATH, fileRoutes } from '../files/routes.ts';
import { joinLinkRoutes } from '../threads/join-link-routes.ts';
import { messageRoutes } from '../threads/message-routes.ts';
import { threadRoutes } from '../threads/routes.ts';
import { searchRoutes } from '../threads/search-routes.ts';
import { presenceRoutes } from '../realtime/presence-routes.ts';
import { notificationRoutes } from '../notifications/index.ts';
import { flowRoutes, inboundFlowRoutes } from '../flows/index.ts';
import { approvalRoutes } from '../approvals/index.ts';
import { webhookRoutes } from '../webhooks/index.ts';
import { scriptActionRoutes, scriptRoutes, scriptSettingsRoutes } from '../scripts/index.ts';
import { mountApiDocs } from './api-docs.ts';
import { errorHandler, renderError } from './error-handler.ts';
import { healthRoutes } from './health-routes.ts';
import { limitBody } from './limit-body.ts';
import { requestContext } from './request-context.ts';
import { router } from './route-helpers.ts';
import { mountSpas } from './spa.ts';

const LARGE_BODY_PATHS = new Set(['/api/v1/org/users/import', '/api/v1/meta/draft', '/api/v1/meta/import']);
const RECORD_IMPORT_PATH = /^\/api\/v1\/objects\/[^/]+\/records\/import$/;


/** Composes the whole HTTP surface of one platform process. */
export function createApp(platform: Platform, options: { spas?: boolean } = {}) {
  const app = router();
  app.onError(errorHandler(platform.log));
  app.notFound((c) => renderError(c, new AppError('ROUTE_NOT_FOUND', 404, { params: { method: c.req.method, path: c.req.path.slice(0, 200) } })));
  app.use('*', requestId());
  const largeBodyLimit = limitBody(8 * 1024 * 1024);
  const csvBodyLimit = limitBody(32 * 1024 * 1024);
  const defaultBodyLimit = limitBody(platform.config.bodyLimitBytes);
  app.use('/api/*', async (c, next) => {
    // Uploads stream to the file store, which enforces the workspace's own limit (see files/upload.ts).
    if (c.req.path === FILES_PATH && c.req.method === 'POST') return next();
    if (RECORD_IMPORT_PATH.test(c.req.path)) return csvBodyLimit(c, next);
    return (LARGE_BODY_PATHS.has(c.req.path) ? largeBodyLimit : defaultBodyLimit)(c, next);
  });
  app.use('/api/v1/*', requestContext(platform));
  app.route('/', healthRoutes(platform));
  app.route('/', authRoutes(platform));
  app.route('/', orgRoutes());
  app.route('/', metaRoutes());
  app.route('/', recordRoutes());
  app.route('/', accessRecordRoutes());
  app.route('/', threadRoutes());
  app.route('/', messageRoutes());
  app.route('/', joinLinkRoutes());
  app.route('/', searchRoutes());
  app.route('/', presenceRoutes());
  app.route('/', notificationRoutes());
  app.route('/', accessAdminRoutes());
  app.route('/', jobRoutes());
  app.route('/', fileRoutes());
  // Before scriptRoutes(): its static paths (settings, secrets, runs) must win over any /scripts/{name}.
  app.route('/', scriptSettingsRoutes());
  app.route('/', scriptRoutes());
  app.route('/', scriptActionRoutes());
  app.route('/', flowRoutes());
  app.route('/', inboundFlowRoutes());
  app.route('/', approvalRoutes());
  app.route('/', webhookRoutes());
  mountApiDocs(app);
  if (options.spas !== false) mountSpas(app);
  return app;
}

export type App = ReturnType<typeof createApp>;

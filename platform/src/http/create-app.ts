import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import { authRoutes } from '../auth/routes.ts';
import { AppError } from '../core/app-error.ts';
import type { Platform } from '../core/platform.ts';
import { metaRoutes } from '../meta/routes.ts';
import { orgRoutes } from '../org/routes.ts';
import { recordRoutes } from '../records/routes.ts';
import { mountApiDocs } from './api-docs.ts';
import { errorHandler, renderError } from './error-handler.ts';
import { healthRoutes } from './health-routes.ts';
import { requestContext } from './request-context.ts';
import { router } from './route-helpers.ts';
import { mountSpas } from './spa.ts';

const LARGE_BODY_PATHS = new Set(['/api/v1/org/users/import', '/api/v1/meta/draft', '/api/v1/meta/import']);

/** Composes the whole HTTP surface of one platform process. */
export function createApp(platform: Platform, options: { spas?: boolean } = {}) {
  const app = router();
  app.onError(errorHandler(platform.log));
  app.notFound((c) => renderError(c, new AppError('ROUTE_NOT_FOUND', 404, { params: { method: c.req.method, path: c.req.path.slice(0, 200) } })));
  app.use('*', requestId());
  app.use('/api/*', async (c, next) => {
    const limit = LARGE_BODY_PATHS.has(c.req.path) ? 8 * 1024 * 1024 : platform.config.bodyLimitBytes;
    return bodyLimit({
      maxSize: limit,
      onError: () => {
        throw new AppError('PAYLOAD_TOO_LARGE', 413, { params: { limit: Math.round(limit / 1024) } });
      },
    })(c, next);
  });
  app.use('/api/v1/*', requestContext(platform));
  app.route('/', healthRoutes(platform));
  app.route('/', authRoutes(platform));
  app.route('/', orgRoutes());
  app.route('/', metaRoutes());
  app.route('/', recordRoutes());
  mountApiDocs(app);
  if (options.spas !== false) mountSpas(app);
  return app;
}

export type App = ReturnType<typeof createApp>;

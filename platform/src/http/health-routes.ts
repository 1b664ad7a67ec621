import { createRoute } from '@hono/zod-openapi';
import { sql } from 'kysely';
import { Health, Readiness } from '../contracts/index.ts';
import { AppError } from '../core/app-error.ts';
import type { Platform } from '../core/platform.ts';
import { globalScope, workspaceScope } from '../db/migration-scopes.ts';
import { pendingMigrations } from '../db/migrate.ts';
import { errors, json, router } from './route-helpers.ts';

const healthRoute = createRoute({
  method: 'get',
  path: '/healthz',
  tags: ['Operations'],
  summary: 'The process is up',
  responses: { 200: json(Health, 'Up') },
});

const readyRoute = createRoute({
  method: 'get',
  path: '/readyz',
  tags: ['Operations'],
  summary: 'The database answers and every migration has run',
  responses: { 200: json(Readiness, 'Ready'), ...errors(503) },
});

export function healthRoutes(platform: Platform) {
  const app = router();
  app.openapi(healthRoute, (c) => c.json({ status: 'ok' as const }, 200));
  app.openapi(readyRoute, async (c) => {
    try {
      await sql`select 1`.execute(platform.db.kysely);
      const scopes = [globalScope(platform.config.schema), ...platform.workspaces.list().map(workspaceScope)];
      const pending = await pendingMigrations(platform.db.kysely, platform.config.schema, scopes);
      if (pending.length > 0 || platform.workspaces.list().length === 0) throw new AppError('NOT_READY', 503, { details: { pendingMigrations: pending.length } });
      return c.json({ status: 'ready' as const, database: platform.db.dialect, pendingMigrations: 0 }, 200);
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new AppError('NOT_READY', 503, { details: { reason: 'database_unreachable' } });
    }
  });
  return app;
}

import { createRoute } from '@hono/zod-openapi';
import { MarkNotificationsRead, NotificationBadge, NotificationPage, NotificationsQuery, SetThreadNotifications, ThreadNotifications, ThreadParam } from '../contracts/index.ts';
import { requireUser } from '../core/guards.ts';
import { body, errors, json, router, secured } from '../http/route-helpers.ts';
import { listNotifications, markNotificationsRead, notificationBadge } from './list.ts';
import { setThreadNotifications, threadNotifications } from './preferences.ts';

const tags = ['Notifications'];
const level = '/api/v1/threads/{id}/notifications';

const routes = {
  list: createRoute({ method: 'get', path: '/api/v1/notifications', tags, security: secured, summary: 'Your notifications, latest activity first', request: { query: NotificationsQuery }, responses: { 200: json(NotificationPage, 'Notifications'), ...errors(401) } }),
  badge: createRoute({ method: 'get', path: '/api/v1/notifications/badge', tags, security: secured, summary: 'How many of your notifications are unread', responses: { 200: json(NotificationBadge, 'The badge'), ...errors(401) } }),
  read: createRoute({ method: 'post', path: '/api/v1/notifications/read', tags, security: secured, summary: 'Mark notifications read: the ones named, or all', request: { body: body(MarkNotificationsRead) }, responses: { 200: json(NotificationBadge, 'The badge after'), ...errors(401, 422) } }),
  getLevel: createRoute({ method: 'get', path: level, tags, security: secured, summary: 'Your notification level in a thread', request: { params: ThreadParam }, responses: { 200: json(ThreadNotifications, 'The level'), ...errors(401, 404) } }),
  setLevel: createRoute({ method: 'put', path: level, tags, security: secured, summary: 'Set your notification level in a thread: all, mentions or none', request: { params: ThreadParam, body: body(SetThreadNotifications) }, responses: { 200: json(ThreadNotifications, 'The level'), ...errors(401, 404) } }),
};

export function notificationRoutes() {
  const app = router();
  app.openapi(routes.list, async (c) => {
    const ctx = c.get('ctx');
    requireUser(ctx);
    return c.json(await listNotifications(ctx, c.req.valid('query')), 200);
  });
  app.openapi(routes.badge, async (c) => {
    const ctx = c.get('ctx');
    requireUser(ctx);
    return c.json(await notificationBadge(ctx), 200);
  });
  app.openapi(routes.read, async (c) => {
    const ctx = c.get('ctx');
    requireUser(ctx);
    return c.json(await markNotificationsRead(ctx, c.req.valid('json')), 200);
  });
  app.openapi(routes.getLevel, async (c) => {
    const ctx = c.get('ctx');
    requireUser(ctx);
    return c.json(await threadNotifications(ctx, c.req.valid('param').id), 200);
  });
  app.openapi(routes.setLevel, async (c) => {
    const ctx = c.get('ctx');
    requireUser(ctx);
    return c.json(await setThreadNotifications(ctx, c.req.valid('param').id, c.req.valid('json').level), 200);
  });
  return app;
}

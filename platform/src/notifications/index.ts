export { registerNotifications } from './consumer.ts';
export { notificationRoutes } from './routes.ts';
export { purgeReadNotifications } from './purge.ts';

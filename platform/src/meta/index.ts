export { META_CHANNEL, forgetPublished, publishedObject, publishedObjects } from './published-objects.ts';
export { publishedMeta } from './service.ts';
export { purgeArchived, PurgeRefusedError, type PurgeItem, type PurgeResult, type PurgeSelection } from './purge.ts';

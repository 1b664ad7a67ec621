export { META_CHANNEL, forgetPublished, publishedObject, publishedObjects } from './published-objects.ts';
export { getDraft, publishedMeta } from './service.ts';
export { purgeArchived, PurgeRefusedError, type PurgeItem, type PurgeResult, type PurgeSelection } from './purge.ts';
export { onPublished } from './publish-listeners.ts';

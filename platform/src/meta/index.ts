export { META_CHANNEL, forgetPublished, publishedObject, publishedObjects } from './published-objects.ts';
export { publishedMeta } from './service.ts';

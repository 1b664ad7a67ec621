export { publishedObject, publishedObjects } from './published-objects.ts';
export { publishedMeta } from './service.ts';

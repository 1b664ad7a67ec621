import type { MetaDocument, MyObjectAccess } from '@threadbase/platform/contracts';
import { request } from './http.ts';

export type PublishedMeta = { version: number; document: MetaDocument };

const name = (value: string) => encodeURIComponent(value);

export const metaApi = {
  /** Every published object with its fields, layouts and list views, labels in both languages. */
  published: () => request<PublishedMeta>('GET', '/api/v1/meta/published'),
  /** What the calling user may do with the object's records, and each field's level (hidden, read, edit). */
  myAccess: (object: string) => request<MyObjectAccess>('GET', `/api/v1/objects/${name(object)}/access`),
};

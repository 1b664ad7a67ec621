import type { ButtonResult, ObjectActionList, RecordOut } from '@threadbase/platform/contracts';
import type { z } from 'zod';
import { request } from './http.ts';

/** A record as the API answers it, with the targets of `expand=` fields under `_expanded`. */
export type RecordData = RecordOut & { _expanded?: Record<string, Record<string, unknown> | null> };
export type RecordPageResult = { items: RecordData[]; nextCursor: string | null; total: number | null };
export type RecordListQuery = {
  filter?: string;
  sort?: string;
  limit?: number;
  offset?: number;
  cursor?: string;
  fields?: string;
  expand?: string;
  count?: boolean;
};
export type ObjectAction = z.infer<typeof ObjectActionList>['items'][number];
export type ActionResult = z.infer<typeof ButtonResult>;

const name = (value: string) => encodeURIComponent(value);
const records = (object: string) => `/api/v1/objects/${name(object)}/records`;

export const recordsApi = {
  list: (object: string, query: RecordListQuery) => request<RecordPageResult>('GET', records(object), { query }),
  get: (object: string, id: string, expand?: string) => request<RecordData>('GET', `${records(object)}/${name(id)}`, { query: { expand } }),
  create: (object: string, values: Record<string, unknown>) => request<RecordData>('POST', records(object), { body: values }),
  /** Sends the version the change was made on: someone else's newer change answers 409 VERSION_CONFLICT. */
  update: (object: string, id: string, version: number, patch: Record<string, unknown>) =>
    request<RecordData>('PATCH', `${records(object)}/${name(id)}`, { body: { ...patch, version } }),
  remove: (object: string, id: string) => request<void>('DELETE', `${records(object)}/${name(id)}`),
  actions: (object: string) => request<{ items: ObjectAction[] }>('GET', `/api/v1/objects/${name(object)}/actions`),
  pressAction: (object: string, id: string, action: string) => request<ActionResult>('POST', `${records(object)}/${name(id)}/actions/${name(action)}`),
  /** A flow's button: starts a run of the flow on the record. */
  startFlow: (flow: string, recordId: string) => request<{ id: string; status: string }>('POST', `/api/v1/flows/${name(flow)}/runs`, { body: { recordId } }),
};

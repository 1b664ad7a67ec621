import type { ButtonResult, Job, ObjectActionList, RecordHistory as RecordHistoryContract, RecordOut } from '@threadbase/platform/contracts';
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
export type RecordHistory = z.infer<typeof RecordHistoryContract>;
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
  /** Old → new values of the record's tracked fields, with who changed them and when. */
  history: (object: string, id: string) => request<RecordHistory>('GET', `${records(object)}/${name(id)}/history`),
};

export type AggregateBucket = 'day' | 'week' | 'month' | 'quarter' | 'year';
export type AggregateGroup = { keys: Record<string, unknown>; count: number; values: Record<string, string | null> };
export type AggregateResult = { groups: AggregateGroup[]; truncated: boolean };
export type AggregateRequest = { groupBy: string; bucket?: AggregateBucket; metrics?: string; filter?: string };
export type ExportRequest = { filter?: string; sort?: string; fields?: string };
export type ImportRequest = { csv: string; mapping: Record<string, string | null>; dryRun: boolean };

/** Charts, CSV import and export of an object's records; the CSV work runs as jobs (see jobsApi). */
export const recordViewsApi = {
  aggregate: (object: string, query: AggregateRequest) => request<AggregateResult>('GET', `/api/v1/objects/${name(object)}/aggregate`, { query }),
  startImport: (object: string, body: ImportRequest) => request<Job>('POST', `${records(object)}/import`, { body }),
  startExport: (object: string, body: ExportRequest) => request<Job>('POST', `${records(object)}/export`, { body }),
};

export const jobsApi = {
  get: (id: string) => request<Job>('GET', `/api/v1/jobs/${name(id)}`),
};

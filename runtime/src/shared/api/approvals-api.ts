import type { Approval, ApprovalAction, ApprovalSummary, SubmitApproval } from '@threadbase/platform/contracts';
import { request } from './http.ts';

export type ApprovalBox = 'pending' | 'done' | 'submitted';
export type ApprovalPage = { items: ApprovalSummary[]; nextCursor: string | null };

const id = (value: string) => encodeURIComponent(value);

/** docs/approvals.md, "The API". */
export const approvalsApi = {
  list: (box: ApprovalBox, query: { limit?: number; cursor?: string | null } = {}) =>
    request<ApprovalPage>('GET', '/api/v1/approvals', { query: { box, ...query } }),
  get: (approvalId: string) => request<Approval>('GET', `/api/v1/approvals/${id(approvalId)}`),
  act: (approvalId: string, action: ApprovalAction) => request<Approval>('POST', `/api/v1/approvals/${id(approvalId)}/actions`, { body: action }),
  submit: (body: SubmitApproval) => request<Approval>('POST', '/api/v1/approvals', { body }),
  ofRecord: (object: string, recordId: string) =>
    request<{ items: ApprovalSummary[] }>('GET', `/api/v1/objects/${id(object)}/records/${id(recordId)}/approvals`),
};

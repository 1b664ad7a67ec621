import type { BulkRequest, BulkResult } from '@threadbase/platform/contracts';
import type { z } from 'zod';
import { request } from '../../../shared/api/http.ts';

type BulkAnswer = z.infer<typeof BulkResult>;

/** Many records changed in one transaction: all of it is applied, or none (the error's `details.index` names the failing item). */
export const bulkApi = {
  apply: (object: string, body: Partial<BulkRequest>) => request<BulkAnswer>('POST', `/api/v1/objects/${encodeURIComponent(object)}/records/bulk`, { body }),
};

import type { PresenceList } from '@threadbase/platform/contracts';
import { request } from '../api/http.ts';

/** The server's most ids per call. */
export const PRESENCE_BATCH = 200;

export const presenceApi = {
  /** One status per id, in the order asked; unknown ids are offline. */
  of: (userIds: readonly string[]) => request<PresenceList>('GET', '/api/v1/presence', { query: { userIds: userIds.join(',') } }),
};

import type { JoinLink, JoinPreview, Thread } from '@threadbase/platform/contracts';
import { request } from '../../shared/api/http.ts';

const id = (value: string) => encodeURIComponent(value);
const link = (threadId: string) => `/api/v1/threads/${id(threadId)}/join-link`;
const byCode = (code: string) => `/api/v1/join-links/${id(code)}`;

/** A group's or channel's name and its link to join (owner and admins), and joining by such a link. */
export const conversationSettingsApi = {
  rename: (threadId: string, title: string) => request<Thread>('PATCH', `/api/v1/threads/${id(threadId)}`, { body: { title } }),
  /** `JOIN_LINK_INVALID` (404) when the conversation has none. */
  joinLink: (threadId: string) => request<JoinLink>('GET', link(threadId)),
  /** Replaces the earlier link, which stops working. `expiresInDays` null: until replaced or turned off. */
  createJoinLink: (threadId: string, expiresInDays: number | null) => request<JoinLink>('POST', link(threadId), { body: { expiresInDays } }),
  deleteJoinLink: (threadId: string) => request<void>('DELETE', link(threadId)),
  /** A wrong, replaced, turned-off or expired code answers `JOIN_LINK_INVALID`. */
  preview: (code: string) => request<JoinPreview>('GET', byCode(code)),
  join: (code: string) => request<Thread>('POST', byCode(code)),
};

/** Where a link to join leads in this app (the server names it `/join/{code}`). */
export function joinUrl(code: string, origin = window.location.origin): string {
  return `${origin}/join/${code}`;
}

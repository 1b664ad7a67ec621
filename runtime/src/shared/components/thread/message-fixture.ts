import type { Message } from '@threadbase/platform/contracts';

/** A person's message in thread `t` for unit tests: seq `n` is `m<n>` saying `#<n>`; `extra` overrides any field. */
export const testMessage = (seq: number, extra: Partial<Message> = {}): Message => ({
  id: `m${seq}`,
  threadId: 't',
  seq,
  kind: 'user',
  authorId: 'u1',
  clientId: null,
  body: `#${seq}`,
  mentions: [],
  replyTo: null,
  payload: null,
  attachments: [],
  links: [],
  reactions: [],
  pinned: false,
  forwardedFrom: null,
  editedAt: null,
  recalled: false,
  createdAt: '2026-03-01T09:00:00.000Z',
  updatedAt: '2026-03-01T09:00:00.000Z',
  ...extra,
});

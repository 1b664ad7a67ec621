import type { Message, MessageReceipts, MessagingSettings, Reactions, SendMessage, Thread } from '@threadbase/platform/contracts';
import type { z } from 'zod';
import { request } from './http.ts';

export type MessagePageResult = { items: Message[]; hasMore: boolean };
export type Receipts = z.infer<typeof MessageReceipts>;
export type ReactionsResult = z.infer<typeof Reactions>;
/** What the composer sends; the server fills in the defaults of the rest. */
export type OutgoingMessage = Pick<SendMessage, 'clientId' | 'body'> & Partial<Pick<z.input<typeof SendMessage>, 'replyTo' | 'mentions' | 'attachments'>>;

const id = (value: string) => encodeURIComponent(value);
const thread = (threadId: string) => `/api/v1/threads/${id(threadId)}`;

export const threadsApi = {
  ofRecord: (object: string, recordId: string) => request<Thread>('GET', `/api/v1/objects/${id(object)}/records/${id(recordId)}/thread`),
  get: (threadId: string) => request<Thread>('GET', thread(threadId)),
  /** `before`: newest first, scrolling back; `after`: oldest first, catching up. */
  messages: (threadId: string, query: { before?: number; after?: number; limit?: number }) =>
    request<MessagePageResult>('GET', `${thread(threadId)}/messages`, { query }),
  message: (threadId: string, messageId: string) => request<Message>('GET', `${thread(threadId)}/messages/${id(messageId)}`),
  /** Idempotent by `clientId`: resending after a lost answer returns the message already stored. */
  send: (threadId: string, message: OutgoingMessage) => request<Message>('POST', `${thread(threadId)}/messages`, { body: message }),
  markRead: (threadId: string, seq: number) => request<Thread>('POST', `${thread(threadId)}/read`, { body: { seq } }),
  /** A record's thread: follow it. A conversation: unmute it. */
  follow: (threadId: string) => request<Thread>('PUT', `${thread(threadId)}/follow`),
  /** A record's thread: stop following it. A conversation: mute it. */
  unfollow: (threadId: string) => request<Thread>('DELETE', `${thread(threadId)}/follow`),
  /** Up to 100 of the thread's messages in one request; ids not in the thread are left out. */
  receipts: (threadId: string, messageIds: string[]) => request<{ items: Receipts[] }>('GET', `${thread(threadId)}/receipts`, { query: { messageIds: messageIds.join(',') } }),
  react: (threadId: string, messageId: string, emoji: string) =>
    request<ReactionsResult>('PUT', `${thread(threadId)}/messages/${id(messageId)}/reactions/${id(emoji)}`),
  unreact: (threadId: string, messageId: string, emoji: string) =>
    request<ReactionsResult>('DELETE', `${thread(threadId)}/messages/${id(messageId)}/reactions/${id(emoji)}`),
  /** Its author only; the replaced text is kept as a version. */
  edit: (threadId: string, messageId: string, body: string) => request<Message>('PATCH', `${thread(threadId)}/messages/${id(messageId)}`, { body: { body } }),
  /** 撤回: within the workspace's window for its author (`RECALL_WINDOW_PASSED` after). */
  recall: (threadId: string, messageId: string) => request<Message>('POST', `${thread(threadId)}/messages/${id(messageId)}/recall`),
  /** The workspace's recall window. */
  settings: () => request<MessagingSettings>('GET', '/api/v1/messaging/settings'),
};

export type InboxKind = Thread['kind'];
export type InboxResult = { items: Thread[]; unread: number };
export type NewConversation = { kind: 'group' | 'announcement'; title: string; memberIds: string[] };
export type MemberRoleName = 'admin' | 'member' | 'publisher' | 'reader';

/** Conversations beyond a record's thread: the inbox, direct messages, groups and announcement channels. */
export const conversationsApi = {
  inbox: (query: { kind?: InboxKind; limit?: number }) => request<InboxResult>('GET', '/api/v1/inbox', { query }),
  /** The one direct thread with this person, made on first use. */
  direct: (userId: string) => request<Thread>('POST', '/api/v1/threads/direct', { body: { userId } }),
  create: (input: NewConversation) => request<Thread>('POST', '/api/v1/threads', { body: input }),
  addMembers: (threadId: string, userIds: string[]) => request<Thread>('POST', `${thread(threadId)}/members`, { body: { userIds } }),
  /** Removing oneself is leaving. */
  removeMember: (threadId: string, userId: string) => request<void>('DELETE', `${thread(threadId)}/members/${id(userId)}`),
  setRole: (threadId: string, userId: string, role: MemberRoleName) => request<Thread>('PUT', `${thread(threadId)}/members/${id(userId)}`, { body: { role } }),
};

import type { Message, MessageReceipts, Reactions, SendMessage, Thread } from '@threadbase/platform/contracts';
import type { z } from 'zod';
import { request } from './http.ts';

export type MessagePageResult = { items: Message[]; hasMore: boolean };
export type Receipts = z.infer<typeof MessageReceipts>;
export type ReactionsResult = z.infer<typeof Reactions>;
/** What the composer sends; the server fills in the defaults of the rest. */
export type OutgoingMessage = Pick<SendMessage, 'clientId' | 'body'> & Partial<Pick<SendMessage, 'replyTo' | 'mentions'>>;

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
  receipts: (threadId: string, messageId: string) => request<Receipts>('GET', `${thread(threadId)}/messages/${id(messageId)}/receipts`),
  react: (threadId: string, messageId: string, emoji: string) =>
    request<ReactionsResult>('PUT', `${thread(threadId)}/messages/${id(messageId)}/reactions/${id(emoji)}`),
  unreact: (threadId: string, messageId: string, emoji: string) =>
    request<ReactionsResult>('DELETE', `${thread(threadId)}/messages/${id(messageId)}/reactions/${id(emoji)}`),
};

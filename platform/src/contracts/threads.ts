import { z } from 'zod';
import { Id, Timestamp, text } from './common.ts';

export const ThreadKind = z.enum(['record', 'direct', 'group', 'announcement']).meta({ id: 'ThreadKind' });
export type ThreadKind = z.infer<typeof ThreadKind>;

export const Message = z
  .object({
    id: Id,
    threadId: Id,
    seq: z.number().int().meta({ description: 'Per thread, assigned at commit order: catch up with `after=<last seq>`.' }),
    kind: z.enum(['user', 'system']),
    authorId: Id.nullable(),
    clientId: z.string().nullable(),
    body: z.string(),
    mentions: z.array(Id).meta({ description: 'Everyone the message mentions, departments and @all resolved to people.' }),
    replyTo: Id.nullable(),
    payload: z.record(z.string(), z.unknown()).nullable().meta({ description: 'System messages: the event (record.created, record.changed with {changes: [{field, old, new}]}).' }),
    createdAt: Timestamp,
  })
  .meta({ id: 'Message' });
export type Message = z.infer<typeof Message>;

export const Thread = z
  .object({
    id: Id,
    kind: ThreadKind,
    title: z.string().nullable(),
    object: z.string().nullable(),
    recordId: Id.nullable(),
    members: z.array(z.object({ userId: Id, role: z.string() })).meta({ description: 'People in a direct, group or announcement thread; followers of a record thread.' }),
    lastSeq: z.number().int(),
    lastReadSeq: z.number().int(),
    unread: z.number().int(),
    following: z.boolean(),
    muted: z.boolean(),
    lastMessage: Message.nullable(),
    lastMessageAt: Timestamp.nullable(),
  })
  .meta({ id: 'Thread' });
export type Thread = z.infer<typeof Thread>;

export const Inbox = z.object({ items: z.array(Thread), unread: z.number().int().meta({ description: 'Unread messages over all listed threads (the badge).' }) }).meta({ id: 'Inbox' });
export const InboxQuery = z.object({ kind: ThreadKind.optional(), limit: z.coerce.number().int().min(1).max(200).default(50) });

export const CreateDirect = z.object({ userId: Id }).strict().meta({ id: 'CreateDirect' });
export const CreateGroup = z
  .object({ kind: z.enum(['group', 'announcement']).default('group'), title: text(100, 1), memberIds: z.array(Id).max(1000).default([]) })
  .strict()
  .meta({ id: 'CreateGroup' });
export type CreateGroup = z.infer<typeof CreateGroup>;

export const SendMessage = z
  .object({
    clientId: text(64, 1).meta({ description: 'Made by the client; sending the same clientId again returns the stored message instead of a second one.' }),
    body: text(10_000, 1),
    replyTo: Id.optional(),
    mentions: z
      .object({ users: z.array(Id).max(100).default([]), departments: z.array(Id).max(20).default([]), all: z.boolean().default(false) })
      .strict()
      .optional()
      .meta({ description: '@people, @departments (everyone in them and below them) and @all (owners and publishers of groups and channels only).' }),
  })
  .strict()
  .meta({ id: 'SendMessage' });
export type SendMessage = z.infer<typeof SendMessage>;

export const MessagesQuery = z.object({
  after: z.coerce.number().int().min(0).optional().meta({ description: 'Messages with seq greater than this, oldest first (catching up).' }),
  before: z.coerce.number().int().min(1).optional().meta({ description: 'Messages with seq less than this, newest first (scrolling back).' }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  system: z.enum(['true', 'false']).optional().transform((v) => v !== 'false').meta({ description: '`false` leaves system messages out.' }),
});
export const MessagePage = z.object({ items: z.array(Message), hasMore: z.boolean() }).meta({ id: 'MessagePage' });

export const MarkRead = z.object({ seq: z.number().int().min(0) }).strict().meta({ id: 'MarkRead' });
export const ThreadParam = z.object({ id: z.uuid() });

export const MessageReceipts = z
  .object({
    messageId: Id,
    seq: z.number().int(),
    readBy: z.array(Id),
    unreadBy: z.array(Id),
    read: z.number().int(),
    total: z.number().int().meta({ description: 'Everyone the message is for: the members (followers of a record thread), its author left out. "3/5 read" is read/total.' }),
  })
  .meta({ id: 'MessageReceipts' });
export const MessageParam = z.object({ id: z.uuid(), messageId: z.uuid() });

export const AddMembers = z.object({ userIds: z.array(Id).min(1).max(500) }).strict().meta({ id: 'AddMembers' });
export const MemberParam = z.object({ id: z.uuid(), userId: z.uuid() });

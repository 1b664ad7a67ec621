import { z } from 'zod';
import { Id, Timestamp, idList, text } from './common.ts';
import { FileOut } from './files.ts';

export const ThreadKind = z.enum(['record', 'direct', 'group', 'announcement']).meta({ id: 'ThreadKind' });
export type ThreadKind = z.infer<typeof ThreadKind>;

export const Attachment = FileOut.pick({ id: true, name: true, size: true, contentType: true, thumbnail: true, width: true, height: true }).meta({ id: 'Attachment' });

export const RecordLink = z.object({ object: text(63, 1), recordId: Id }).strict();
export const LinkCard = RecordLink.extend({
  title: z.string().nullable().meta({ description: "The record's name, for readers who may read it; null otherwise (the card says so)." }),
  readable: z.boolean().nullable().meta({ description: 'Whether this reader may open the record; null in live events (fetch the message to know).' }),
}).meta({ id: 'LinkCard' });
export type RecordLink = z.infer<typeof RecordLink>;
export type LinkCard = z.infer<typeof LinkCard>;

export const Reaction = z.object({ emoji: z.string(), count: z.number().int(), userIds: z.array(Id) }).meta({ id: 'Reaction' });

export const Message = z
  .object({
    id: Id,
    threadId: Id,
    seq: z.number().int().meta({ description: 'Per thread, assigned at commit order: catch up with `after=<last seq>`.' }),
    kind: z.enum(['user', 'system']),
    authorId: Id.nullable(),
    clientId: z.string().nullable(),
    body: z.string().meta({ description: 'Empty once recalled.' }),
    mentions: z.array(Id).meta({ description: 'Everyone the message mentions, departments and @all resolved to people.' }),
    replyTo: Id.nullable(),
    payload: z.record(z.string(), z.unknown()).nullable().meta({ description: 'System messages: the event (record.created, record.changed with {changes: [{field, old, new}]}).' }),
    attachments: z.array(Attachment),
    links: z.array(LinkCard).meta({ description: 'Records the message links to, shown as cards.' }),
    reactions: z.array(Reaction),
    pinned: z.boolean(),
    forwardedFrom: z.object({ authorId: Id.nullable(), createdAt: Timestamp }).nullable(),
    editedAt: Timestamp.nullable(),
    recalled: z.boolean(),
    createdAt: Timestamp,
    updatedAt: Timestamp.meta({ description: 'Moves on every edit, recall, reaction or pin: catch up on changes with `updatedAfter`.' }),
  })
  .meta({ id: 'Message' });
export type Message = z.infer<typeof Message>;

export const Thread = z
  .object({
    id: Id,
    kind: ThreadKind,
    title: z.string().nullable(),
    avatarUrl: z.string().nullable(),
    ownerId: Id.nullable(),
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
    body: text(10_000).default('').meta({ description: 'May be empty when the message carries attachments or record links.' }),
    replyTo: Id.optional(),
    mentions: z
      .object({ users: z.array(Id).max(100).default([]), departments: z.array(Id).max(20).default([]), all: z.boolean().default(false) })
      .strict()
      .optional()
      .meta({ description: '@people, @departments (everyone in them and below them) and @all (owners and publishers of groups and channels only).' }),
    attachments: z.array(Id).max(20).default([]).meta({ description: 'Ids of uploaded files (POST /api/v1/files) the sender may read.' }),
    links: z.array(RecordLink).max(10).default([]).meta({ description: 'Records to show as cards; the sender must be able to read each.' }),
  })
  .strict()
  .meta({ id: 'SendMessage' });
export type SendMessage = z.infer<typeof SendMessage>;

export const MessagesQuery = z.object({
  after: z.coerce.number().int().min(0).optional().meta({ description: 'Messages with seq greater than this, oldest first (catching up).' }),
  before: z.coerce.number().int().min(1).optional().meta({ description: 'Messages with seq less than this, newest first (scrolling back).' }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  system: z.enum(['true', 'false']).optional().transform((v) => v !== 'false').meta({ description: '`false` leaves system messages out.' }),
  updatedAfter: Timestamp.optional().meta({ description: 'Messages edited, recalled, reacted to or pinned after this time, oldest change first (with `after`/`before` ignored).' }),
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
export const ReceiptsQuery = z.object({
  messageIds: idList(100).meta({ description: "Up to 100 of the thread's message ids, comma-separated; ids not in the thread are left out of the answer." }),
});
export const ReceiptsList = z.object({ items: z.array(MessageReceipts) }).meta({ id: 'ReceiptsList' });

export const AddMembers = z.object({ userIds: z.array(Id).min(1).max(500) }).strict().meta({ id: 'AddMembers' });
export const MemberParam = z.object({ id: z.uuid(), userId: z.uuid() });

export const EditMessage = z.object({ body: text(10_000, 1) }).strict().meta({ id: 'EditMessage' });
export const MessageHistory = z
  .object({ items: z.array(z.object({ version: z.number().int(), body: z.string(), writtenAt: Timestamp })) })
  .meta({ id: 'MessageHistory', description: 'Earlier versions of an edited message, oldest first; the current text is the message itself.' });
export const ForwardMessage = z
  .object({ threadIds: z.array(Id).min(1).max(10), clientId: text(64, 1).meta({ description: 'Makes forwarding idempotent per target thread.' }) })
  .strict()
  .meta({ id: 'ForwardMessage' });
export const ForwardResult = z.object({ items: z.array(Message) }).meta({ id: 'ForwardResult' });

/** A single emoji (with modifiers and joiners) or a short code such as `thumbsup`. */
export const Emoji = z
  .string()
  .min(1)
  .max(32)
  .regex(/^(?:[a-z0-9_+-]+|(?:\p{Extended_Pictographic}|\p{Emoji_Component}|\u200d|\ufe0f)+)$/u, 'an emoji or a short code such as thumbsup');
export const ReactionParam = MessageParam.extend({ emoji: Emoji });
export const Reactions = z.object({ messageId: Id, reactions: z.array(Reaction) }).meta({ id: 'Reactions' });
export const UpdateThread = z
  .object({ title: text(100, 1).optional(), avatarUrl: text(2000).regex(/^(https?:\/\/|\/)\S+$/, 'an http(s) URL or a path on this server').nullable().optional() })
  .strict()
  .meta({ id: 'UpdateThread' });
export const MemberRole = z
  .object({ role: z.enum(['admin', 'member', 'publisher', 'reader']).meta({ description: 'Groups: admin or member. Announcement channels: admin, publisher or reader.' }) })
  .strict()
  .meta({ id: 'MemberRole' });
export const Pins = z.object({ items: z.array(Message) }).meta({ id: 'Pins' });
export const Reminded = z.object({ reminded: z.number().int().meta({ description: 'People reminded: those who had not read it.' }) }).meta({ id: 'Reminded' });

export const MessagingSettings = z
  .object({ recallMinutes: z.number().int().min(0).max(10_080).meta({ description: 'How long after sending its author may recall a message (0: never; group owners and admins may recall at any time).' }) })
  .strict()
  .meta({ id: 'MessagingSettings' });
export type MessagingSettings = z.infer<typeof MessagingSettings>;

export const JoinLink = z
  .object({
    code: z.string().meta({ description: 'Whoever has it, in the workspace, may join: share it as `/join/{code}` in the employee app.' }),
    expiresAt: Timestamp.nullable(),
    createdBy: Id,
    createdAt: Timestamp,
  })
  .meta({ id: 'JoinLink' });
export type JoinLink = z.infer<typeof JoinLink>;
export const CreateJoinLink = z
  .object({ expiresInDays: z.number().int().min(1).max(365).nullable().default(7).meta({ description: 'Days it works (default 7); null: until replaced or turned off.' }) })
  .strict()
  .meta({ id: 'CreateJoinLink' });
export const JoinCodeParam = z.object({ code: z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'a join code') });
export const JoinPreview = z
  .object({ threadId: Id, kind: ThreadKind, title: z.string().nullable(), avatarUrl: z.string().nullable(), members: z.number().int(), joined: z.boolean() })
  .meta({ id: 'JoinPreview' });
export type JoinPreview = z.infer<typeof JoinPreview>;

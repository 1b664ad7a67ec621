import { z } from 'zod';
import { Id, Timestamp, text } from './common.ts';
import { ThreadKind } from './threads.ts';

export const NotificationKind = z
  .enum(['mention', 'reply', 'reminder', 'direct', 'message', 'activity'])
  .meta({ id: 'NotificationKind', description: 'mention, reply and reminder (an announcement you have not read yet): one per message; direct, message (groups, channels) and activity (followed records): one per thread until read, counting.' });
export type NotificationKind = z.infer<typeof NotificationKind>;

export const NotificationLevel = z
  .enum(['all', 'mentions', 'none'])
  .meta({ id: 'NotificationLevel', description: 'all: every message; mentions: only mentions of you and replies to you; none: nothing.' });
export type NotificationLevel = z.infer<typeof NotificationLevel>;

/** The latest message as the reader may see it: never a body in the notifications table, rendered at read time. */
export const NotificationPreview = z
  .object({
    seq: z.number().int(),
    kind: z.enum(['user', 'system']),
    authorId: Id.nullable(),
    text: z.string().meta({ description: 'A person\'s message: its body, cut to 100 characters with "…". A system message: empty.' }),
    event: z.string().nullable().meta({ description: 'A system message: its event (record.created, record.changed…).' }),
    fields: z.array(z.string()).meta({ description: 'record.changed: the changed fields the reader may see.' }),
  })
  .meta({ id: 'NotificationPreview' });
export type NotificationPreview = z.infer<typeof NotificationPreview>;

export const Notification = z
  .object({
    id: Id,
    kind: NotificationKind,
    thread: z.object({ id: Id, kind: ThreadKind, title: z.string().nullable(), object: z.string().nullable(), recordId: Id.nullable() }),
    count: z.number().int().meta({ description: 'Messages this notification stands for: "50 updates on Deal X" is one notification with count 50.' }),
    actorId: Id.nullable().meta({ description: 'Who wrote the latest of them.' }),
    firstSeq: z.number().int(),
    lastSeq: z.number().int().meta({ description: 'Open the thread here: `GET /api/v1/threads/{thread.id}/messages?before=<lastSeq + 1>`.' }),
    messageId: Id,
    preview: NotificationPreview.nullable().meta({ description: 'null when the reader may no longer see the latest message (a field became hidden).' }),
    read: z.boolean(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'Notification' });
export type Notification = z.infer<typeof Notification>;

export const NotificationsQuery = z.object({
  unread: z.enum(['true', 'false']).optional().transform((v) => v === 'true').meta({ description: '`true`: unread ones only.' }),
  limit: z.coerce.number().int().min(1).max(100).default(30),
  cursor: text(512).optional(),
});
export type NotificationsQuery = z.infer<typeof NotificationsQuery>;

export const NotificationPage = z
  .object({ items: z.array(Notification).meta({ description: 'Latest activity first.' }), nextCursor: z.string().nullable() })
  .meta({ id: 'NotificationPage' });

export const NotificationBadge = z.object({ unread: z.number().int().meta({ description: 'Unread notifications in threads you may still read.' }) }).meta({ id: 'NotificationBadge' });
export type NotificationBadge = z.infer<typeof NotificationBadge>;

export const MarkNotificationsRead = z
  .object({ ids: z.array(Id).min(1).max(500).optional(), all: z.literal(true).optional() })
  .strict()
  .refine((b) => (b.ids === undefined) !== (b.all === undefined), { message: 'give either ids or all: true' })
  .meta({ id: 'MarkNotificationsRead' });
export type MarkNotificationsRead = z.infer<typeof MarkNotificationsRead>;

export const SetThreadNotifications = z.object({ level: NotificationLevel }).strict().meta({ id: 'SetThreadNotifications' });

export const ThreadNotifications = z
  .object({
    threadId: Id,
    level: NotificationLevel,
    effective: NotificationLevel.meta({ description: 'What applies: a muted conversation notifies as `mentions` at most.' }),
  })
  .meta({ id: 'ThreadNotifications' });
export type ThreadNotifications = z.infer<typeof ThreadNotifications>;

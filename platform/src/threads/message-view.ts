import type { Selectable } from 'kysely';
import { accessTo, readableRecordTitles, type ObjectAccess } from '../access/index.ts';
import type { LinkCard, Message } from '../contracts/threads.ts';
import type { Ctx } from '../core/context.ts';
import { toNumber, type WorkspaceDB } from '../db/tables.ts';
import { describeFiles } from '../files/index.ts';
import { publishedObjects } from '../meta/index.ts';

export type MessageRow = Selectable<WorkspaceDB['messages']>;

/**
 * Who the messages are shown to. A reader sees link cards with the titles of the records she may read;
 * a room (a live event to everyone in the thread) sees the cards without titles, since one payload
 * cannot be right for every reader: clients fetch the message to fill them in.
 */
export type Audience = { reader: Ctx } | 'room';

/** A system message as one reader may see it: field changes she may not read are left out, and a message left empty is omitted. */
export function renderFor(message: Message, access: ObjectAccess | null): Message | null {
  const changes = message.payload?.changes as { field: string }[] | undefined;
  if (message.kind !== 'system' || !access || !changes) return message;
  const visible = changes.filter((c) => !access.hidden.has(c.field));
  if (visible.length === 0) return null;
  return { ...message, payload: { ...message.payload, changes: visible } };
}

/**
 * Messages with what hangs off them (attachments, reactions, link cards), in a fixed number of queries
 * per page. A message just stored (`fresh`) has no reactions yet: sending skips that query.
 */
export async function presentMessages(ctx: Ctx, rows: MessageRow[], audience: Audience, fresh = false): Promise<Message[]> {
  if (rows.length === 0) return [];
  const fileIds = rows.flatMap((r) => r.attachments);
  const [files, reactions, cards] = await Promise.all([
    describeFiles(ctx, fileIds),
    fresh ? [] : ctx.db.selectFrom('message_reactions').select(['message_id', 'emoji', 'user_id']).where('message_id', 'in', rows.map((r) => r.id)).orderBy('created_at').execute(),
    linkCards(rows, audience),
  ]);
  return rows.map((r) => ({
    id: r.id,
    threadId: r.thread_id,
    seq: toNumber(r.seq),
    kind: r.kind,
    authorId: r.author_id,
    clientId: r.client_id,
    body: r.body,
    mentions: r.mentions,
    replyTo: r.reply_to,
    payload: r.payload,
    attachments: r.attachments
      .map((id) => files.get(id))
      .filter((f) => f !== undefined)
      .map(({ id, name, size, contentType, thumbnail, width, height }) => ({ id, name, size, contentType, thumbnail, width, height })),
    links: r.links.map((l) => cards.get(`${l.object}:${l.recordId}`) ?? { ...l, title: null, readable: false }),
    reactions: groupReactions(reactions.filter((x) => x.message_id === r.id)),
    pinned: r.pinned_at !== null,
    forwardedFrom: r.forwarded_from,
    editedAt: r.edited_at ? new Date(r.edited_at).toISOString() : null,
    recalled: r.recalled_at !== null,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  }));
}

export function groupReactions(rows: { emoji: string; user_id: string }[]): Message['reactions'] {
  const byEmoji = Map.groupBy(rows, (r) => r.emoji);
  return [...byEmoji].map(([emoji, list]) => ({ emoji, count: list.length, userIds: list.map((r) => r.user_id) }));
}

/** Link cards keyed `object:recordId`: titles only for records the reader may read, nothing for a room. */
async function linkCards(rows: MessageRow[], audience: Audience): Promise<Map<string, LinkCard>> {
  const links = rows.flatMap((r) => r.links);
  const cards = new Map<string, LinkCard>();
  if (links.length === 0) return cards;
  if (audience === 'room') {
    for (const l of links) cards.set(`${l.object}:${l.recordId}`, { ...l, title: null, readable: null });
    return cards;
  }
  const ctx = audience.reader;
  const { objects } = await publishedObjects(ctx);
  for (const [name, list] of Map.groupBy(links, (l) => l.object)) {
    const object = objects.get(name);
    const titles = object ? await readableRecordTitles(ctx, await accessTo(ctx, object), list.map((l) => l.recordId)) : new Map<string, string | null>();
    for (const l of list) cards.set(`${name}:${l.recordId}`, { ...l, title: titles.get(l.recordId) ?? null, readable: titles.has(l.recordId) });
  }
  return cards;
}

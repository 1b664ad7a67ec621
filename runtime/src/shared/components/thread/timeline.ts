import type { Message } from '@threadbase/platform/contracts';
import type { Receipts } from '../../api/threads-api.ts';

/** A message typed here and not yet confirmed by the server; resent with the same clientId (files and mentions included). */
export type PendingMessage = {
  clientId: string;
  body: string;
  replyTo: string | null;
  failed: boolean;
  createdAt: string;
  attachments?: { id: string; name: string }[];
  mentions?: string[];
};

export type TimelineItem =
  | { kind: 'day'; key: string; day: string }
  /** Where what the reader had not read when she opened the thread begins. */
  | { kind: 'unread'; key: string }
  /** `continued`: the same person's next message within a few minutes, shown without repeating who and when. */
  | { kind: 'message'; key: string; message: Message; continued: boolean }
  | { kind: 'events'; key: string; messages: Message[] };

/** Adds or replaces messages by id and keeps seq order: live events, pages and resends may overlap. */
export function mergeMessages(list: readonly Message[], incoming: readonly Message[]): Message[] {
  if (incoming.length === 0) return list as Message[];
  const byId = new Map(list.map((m) => [m.id, m]));
  for (const message of incoming) byId.set(message.id, message);
  return [...byId.values()].sort((a, b) => a.seq - b.seq);
}

/** Pending messages whose stored copy has arrived (by the socket or the answer) are done. */
export function stillPending(pending: readonly PendingMessage[], messages: readonly Message[]): PendingMessage[] {
  const stored = new Set(messages.map((m) => m.clientId).filter(Boolean));
  return pending.filter((p) => !stored.has(p.clientId));
}

/**
 * What the thread shows: a day line where the date changes, people's messages one by one, and runs
 * of two or more system events (record created, fields changed…) folded into one collapsible item.
 */
const CONTINUE_MS = 5 * 60_000;

/** An approval's card, or a flow's message posted as a card: drawn as a card, never folded away. */
export function isCard(message: Message): boolean {
  const payload = message.payload;
  return payload?.event === 'approval.card' || (payload?.event === 'flow.message' && typeof payload.card === 'object' && payload.card !== null);
}

/**
 * `readUpTo`: the reader's read mark when she opened the thread. The first later message that is not her
 * own gets an "unread" line above it, if she had read anything before (a thread never opened has no line).
 */
export function timeline(messages: readonly Message[], dayOf: (iso: string) => string, readUpTo: { seq: number; me: string } | null = null): TimelineItem[] {
  const items: TimelineItem[] = [];
  const firstUnread = readUpTo && readUpTo.seq > 0 ? messages.find((m) => m.seq > readUpTo.seq) : undefined;
  const unreadAt = firstUnread && firstUnread.authorId !== readUpTo!.me ? firstUnread : undefined;
  let day = '';
  let run: Message[] = [];
  const flush = () => {
    if (run.length === 1) items.push({ kind: 'message', key: run[0]!.id, message: run[0]!, continued: false });
    else if (run.length > 1) items.push({ kind: 'events', key: `events-${run[0]!.id}`, messages: run });
    run = [];
  };
  for (const message of messages) {
    const today = dayOf(message.createdAt);
    if (today !== day) {
      flush();
      day = today;
      items.push({ kind: 'day', key: `day-${message.id}`, day });
    }
    if (message === unreadAt) {
      flush();
      items.push({ kind: 'unread', key: 'unread' });
    }
    // A card stands alone: folded among events, its buttons would be hidden.
    if (message.kind === 'system' && !isCard(message)) run.push(message);
    else {
      flush();
      const previous = items.at(-1);
      const continued =
        previous?.kind === 'message' &&
        previous.message.kind === 'user' &&
        previous.message.authorId === message.authorId &&
        Date.parse(message.createdAt) - Date.parse(previous.message.createdAt) < CONTINUE_MS;
      items.push({ kind: 'message', key: message.id, message, continued });
    }
  }
  flush();
  return items;
}

/**
 * A reader's mark moved to `seq`: every message of ours up to it is now read by her. Applied to the
 * receipts already loaded, so "2/5 read" moves without asking the server again.
 */
export function applyReceipt(receipts: ReadonlyMap<string, Receipts>, userId: string, seq: number): Map<string, Receipts> {
  const next = new Map(receipts);
  for (const [id, receipt] of receipts) {
    if (receipt.seq > seq || !receipt.unreadBy.includes(userId)) continue;
    const readBy = [...receipt.readBy, userId];
    next.set(id, { ...receipt, readBy, unreadBy: receipt.unreadBy.filter((u) => u !== userId), read: readBy.length });
  }
  return next;
}

/** A client id from the browser's random source; crypto.randomUUID needs HTTPS, which an intranet server may lack. */
export function newClientId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

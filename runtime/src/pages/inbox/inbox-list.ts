import type { Message, Thread } from '@threadbase/platform/contracts';

/** What the inbox's kind filter offers; `all` asks the server for every kind. */
export type InboxFilter = 'all' | Thread['kind'];
export const INBOX_FILTERS: readonly InboxFilter[] = ['all', 'record', 'direct', 'group', 'announcement'];

export function matchesFilter(thread: Thread, filter: InboxFilter): boolean {
  return filter === 'all' || thread.kind === filter;
}

/** Latest activity first, as the server orders the inbox; a conversation without messages goes last. */
export function byActivity(a: Thread, b: Thread): number {
  if (a.lastMessageAt !== b.lastMessageAt) {
    if (!a.lastMessageAt) return 1;
    if (!b.lastMessageAt) return -1;
    return a.lastMessageAt < b.lastMessageAt ? 1 : -1;
  }
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Puts a thread fetched afresh in its place: a new one is added, a known one replaced. */
export function upsertThread(list: readonly Thread[], thread: Thread): Thread[] {
  return [...list.filter((t) => t.id !== thread.id), thread].sort(byActivity);
}

export function removeThread(list: readonly Thread[], threadId: string): Thread[] {
  return list.some((t) => t.id === threadId) ? list.filter((t) => t.id !== threadId) : (list as Thread[]);
}

/**
 * A message seen live in a listed thread: a newer one becomes its last message and moves it to the top,
 * counting as unread unless I wrote it (sending reads the thread up to it) or am `reading` that thread
 * now (it is open in front of me, and marks itself read a moment later). An edit or recall of the last
 * message replaces its preview. Returns the same list when nothing changed, including for a thread not
 * listed: the caller fetches that one.
 */
export function applyMessage(list: readonly Thread[], message: Message, me: string, reading = false): Thread[] {
  const thread = list.find((t) => t.id === message.threadId);
  if (!thread) return list as Thread[];
  if (message.seq < thread.lastSeq) return list as Thread[];
  const lastSeq = Math.max(thread.lastSeq, message.seq);
  const lastReadSeq = message.authorId === me || reading ? lastSeq : thread.lastReadSeq;
  const next: Thread = {
    ...thread,
    lastMessage: message,
    lastSeq,
    lastReadSeq,
    unread: lastSeq - lastReadSeq,
    lastMessageAt: message.seq > thread.lastSeq ? message.createdAt : thread.lastMessageAt,
  };
  return upsertThread(list, next);
}

/** My read mark moved (here or in another tab): the thread's unread count follows it, never back. */
export function applyRead(list: readonly Thread[], threadId: string, seq: number): Thread[] {
  const thread = list.find((t) => t.id === threadId);
  if (!thread || seq <= thread.lastReadSeq) return list as Thread[];
  const lastReadSeq = Math.min(seq, thread.lastSeq);
  return list.map((t) => (t.id === threadId ? { ...t, lastReadSeq, unread: Math.max(0, t.lastSeq - lastReadSeq) } : t));
}

/** The navigation's badge: unread messages of the conversations I have not muted, as the server counts them. */
export function totalUnread(list: readonly Thread[]): number {
  return list.reduce((sum, t) => (t.muted ? sum : sum + t.unread), 0);
}

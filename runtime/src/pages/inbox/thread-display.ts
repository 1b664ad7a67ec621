import type { Message, Thread } from '@threadbase/platform/contracts';

/** The person a direct thread is with; a note to myself is with me. Null for other kinds. */
export function counterpartOf(thread: Thread, me: string): string | null {
  if (thread.kind !== 'direct') return null;
  return thread.members.find((m) => m.userId !== me)?.userId ?? me;
}

export type PreviewTexts = {
  nameOf: (userId: string | null) => string;
  /** "Name: text", with the colon of the UI language. */
  by: (name: string, text: string) => string;
  you: string;
  recalled: string;
  system: string;
  attachment: string;
};

/**
 * One line about the last message: its text, or what it is when it has none (recalled, a file, a system
 * event). In a conversation of more than two, who wrote it comes first, "You" for me.
 */
export function previewOf(thread: Thread, me: string, texts: PreviewTexts): string {
  const message = thread.lastMessage;
  if (!message) return '';
  const what = messageText(message, texts);
  if (message.kind === 'system' || thread.kind === 'direct') return what;
  const who = message.authorId === me ? texts.you : texts.nameOf(message.authorId);
  return who ? texts.by(who, what) : what;
}

function messageText(message: Message, texts: PreviewTexts): string {
  if (message.recalled) return texts.recalled;
  if (message.kind === 'system') return texts.system;
  const body = message.body.replace(/\s+/g, ' ').trim();
  if (body) return body;
  return message.attachments.length ? texts.attachment : '';
}

/** When a thread last moved, as short as a list allows: a time today, a date this year, else the full date. */
export function activityTime(iso: string | null, now: Date, locale: string): string {
  if (!iso) return '';
  const at = new Date(iso);
  const sameDay = at.toDateString() === now.toDateString();
  if (sameDay) return new Intl.DateTimeFormat(locale, { timeStyle: 'short' }).format(at);
  const options: Intl.DateTimeFormatOptions = at.getFullYear() === now.getFullYear() ? { month: 'numeric', day: 'numeric' } : { dateStyle: 'short' };
  return new Intl.DateTimeFormat(locale, options).format(at);
}

/** "99+" past what a badge has room for; nothing for zero. */
export function badgeText(count: number): string {
  return count <= 0 ? '' : count > 99 ? '99+' : String(count);
}

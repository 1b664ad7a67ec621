import type { Message, Thread } from '@threadbase/platform/contracts';

export type NotificationTexts = {
  nameOf: (userId: string | null) => string;
  by: (name: string, text: string) => string;
  mentioned: (text: string) => string;
  attachment: string;
  recordThread: string;
};

/**
 * What a notification says: a direct message under its author's name; in a group, channel or record
 * the conversation's name, with who wrote it before the text. A mention of me says so first.
 */
export function notificationText(thread: Pick<Thread, 'kind' | 'title'>, message: Pick<Message, 'authorId' | 'body' | 'attachments' | 'mentions'>, me: string, texts: NotificationTexts) {
  const author = texts.nameOf(message.authorId);
  const text = message.body.replace(/\s+/g, ' ').trim() || (message.attachments.length ? texts.attachment : '');
  const title = thread.kind === 'direct' ? author : (thread.title ?? (thread.kind === 'record' ? texts.recordThread : author));
  const said = thread.kind === 'direct' || !author ? text : texts.by(author, text);
  return { title, body: message.mentions.includes(me) ? texts.mentioned(said) : said };
}

import type { Message, Thread } from '@threadbase/platform/contracts';
import type { NotifySettings } from './notify-settings.ts';

export type NotifyPermission = NotificationPermission | 'unsupported';

export type NotifyCase = {
  message: Pick<Message, 'kind' | 'authorId' | 'mentions' | 'recalled'>;
  thread: Pick<Thread, 'muted'>;
  me: string;
  /** This tab shows the thread (its room delivered the message, or it is the inbox's open conversation). */
  shown: boolean;
  /** The tab is on screen. */
  visible: boolean;
  settings: NotifySettings;
  permission: NotifyPermission;
};

export type NotifyDecision = { desktop: boolean; sound: boolean };

const NONE: NotifyDecision = { desktop: false, sound: false };

/**
 * Whether a new message calls for a desktop notification and the chime: a person's message, not mine,
 * in a thread I am not looking at, not muted — unless it mentions me, which always counts. The desktop
 * notification also needs her setting and the browser's permission; the chime only her setting.
 */
export function notifyDecision(input: NotifyCase): NotifyDecision {
  const { message, me } = input;
  if (message.kind !== 'user' || message.recalled || message.authorId === me) return NONE;
  if (input.shown && input.visible) return NONE;
  if (input.thread.muted && !message.mentions.includes(me)) return NONE;
  return { desktop: input.settings.desktop && input.permission === 'granted', sound: input.settings.sound };
}

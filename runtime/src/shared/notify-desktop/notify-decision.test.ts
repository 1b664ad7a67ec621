import { describe, expect, it } from 'vitest';
import { notificationText, type NotificationTexts } from './notification-text.ts';
import { notifyDecision, type NotifyCase } from './notify-decision.ts';

const base: NotifyCase = {
  message: { kind: 'user', authorId: 'bruce', mentions: [], recalled: false },
  thread: { muted: false },
  me: 'alice',
  shown: false,
  visible: true,
  settings: { desktop: true, sound: true },
  permission: 'granted',
};
const decide = (change: Partial<Omit<NotifyCase, 'message'>> & { message?: Partial<NotifyCase['message']> }) =>
  notifyDecision({ ...base, ...change, message: { ...base.message, ...change.message } });
const BOTH = { desktop: true, sound: true };
const NONE = { desktop: false, sound: false };

describe('whether a new message notifies', () => {
  it('notifies of a colleague’s message in a thread I am not looking at', () => {
    expect(decide({})).toEqual(BOTH);
  });

  it('notifies when the thread is open but the tab is hidden', () => {
    expect(decide({ shown: true, visible: false })).toEqual(BOTH);
  });

  it('stays quiet while I look at the thread', () => {
    expect(decide({ shown: true, visible: true })).toEqual(NONE);
  });

  it('never notifies of my own messages, system messages or recalls', () => {
    expect(decide({ message: { authorId: 'alice' } })).toEqual(NONE);
    expect(decide({ message: { kind: 'system', authorId: null } })).toEqual(NONE);
    expect(decide({ message: { recalled: true } })).toEqual(NONE);
  });

  it('stays quiet in a muted thread, unless I am mentioned', () => {
    expect(decide({ thread: { muted: true } })).toEqual(NONE);
    expect(decide({ thread: { muted: true }, message: { mentions: ['alice'] } })).toEqual(BOTH);
    expect(decide({ thread: { muted: true }, message: { mentions: ['carol'] } })).toEqual(NONE);
  });

  it('shows no desktop notification without the browser’s permission, but still chimes', () => {
    for (const permission of ['default', 'denied', 'unsupported'] as const) expect(decide({ permission })).toEqual({ desktop: false, sound: true });
  });

  it('follows her settings for each of the two', () => {
    expect(decide({ settings: { desktop: false, sound: true } })).toEqual({ desktop: false, sound: true });
    expect(decide({ settings: { desktop: true, sound: false } })).toEqual({ desktop: true, sound: false });
    expect(decide({ settings: { desktop: false, sound: false } })).toEqual(NONE);
  });
});

describe('what a notification says', () => {
  const texts: NotificationTexts = {
    nameOf: (id) => ({ bruce: 'Bruce Lee' })[id ?? ''] ?? '',
    by: (name, text) => `${name}: ${text}`,
    mentioned: (text) => `[@me] ${text}`,
    attachment: '[File]',
    recordThread: 'Record',
  };
  const message = { authorId: 'bruce', body: 'see  you\nsoon', attachments: [], mentions: [] };

  it('names a direct message by its author', () => {
    expect(notificationText({ kind: 'direct', title: null }, message, 'alice', texts)).toEqual({ title: 'Bruce Lee', body: 'see you soon' });
  });

  it('names a group by its title, with the author before the text', () => {
    expect(notificationText({ kind: 'group', title: 'Sales' }, message, 'alice', texts)).toEqual({ title: 'Sales', body: 'Bruce Lee: see you soon' });
  });

  it('says so when I am mentioned, and what a file-only message is', () => {
    const file = { ...message, body: '', attachments: [{}] as never[], mentions: ['alice'] };
    expect(notificationText({ kind: 'record', title: null }, file, 'alice', texts)).toEqual({ title: 'Record', body: '[@me] Bruce Lee: [File]' });
  });
});

import type { Message, Thread } from '@threadbase/platform/contracts';
import { describe, expect, it } from 'vitest';
import { activityTime, badgeText, counterpartOf, previewOf, type PreviewTexts } from './thread-display.ts';

const texts: PreviewTexts = { nameOf: (id) => (id === 'bob' ? 'Bob' : ''), by: (name, text) => `${name}: ${text}`, you: 'You', recalled: 'Recalled', system: 'Update', attachment: '[File]' };
const last = (patch: Partial<Message>) => ({ kind: 'user', authorId: 'bob', body: 'hi', recalled: false, attachments: [], ...patch }) as Message;
const thread = (kind: Thread['kind'], lastMessage: Message | null, members: string[] = []) =>
  ({ kind, lastMessage, members: members.map((userId) => ({ userId, role: 'member' })) }) as Thread;

describe('counterpartOf', () => {
  it('is the other person of a direct thread, me for a note to myself, nobody elsewhere', () => {
    expect(counterpartOf(thread('direct', null, ['me', 'bob']), 'me')).toBe('bob');
    expect(counterpartOf(thread('direct', null, ['me']), 'me')).toBe('me');
    expect(counterpartOf(thread('group', null, ['me', 'bob']), 'me')).toBeNull();
  });
});

describe('previewOf', () => {
  it('names the author in groups, not in direct threads', () => {
    expect(previewOf(thread('group', last({ body: 'hello\n  there' })), 'me', texts)).toBe('Bob: hello there');
    expect(previewOf(thread('group', last({ authorId: 'me' })), 'me', texts)).toBe('You: hi');
    expect(previewOf(thread('direct', last({})), 'me', texts)).toBe('hi');
  });

  it('says what a message without text is', () => {
    expect(previewOf(thread('direct', last({ recalled: true, body: '' })), 'me', texts)).toBe('Recalled');
    expect(previewOf(thread('record', last({ kind: 'system', authorId: null, body: '' })), 'me', texts)).toBe('Update');
    expect(previewOf(thread('direct', last({ body: '', attachments: [{} as Message['attachments'][number]] })), 'me', texts)).toBe('[File]');
    expect(previewOf(thread('direct', null), 'me', texts)).toBe('');
  });
});

describe('activityTime', () => {
  const now = new Date(2026, 11, 3, 15, 0);
  it('shows the time today, the day this year, the date before', () => {
    expect(activityTime(new Date(2026, 11, 3, 9, 5).toISOString(), now, 'en')).toBe('9:05 AM');
    expect(activityTime(new Date(2026, 10, 20, 9, 5).toISOString(), now, 'en')).toBe('11/20');
    expect(activityTime(new Date(2025, 10, 20, 9, 5).toISOString(), now, 'zh-CN')).toBe('2025/11/20');
    expect(activityTime(null, now, 'en')).toBe('');
  });
});

describe('badgeText', () => {
  it('is empty for nothing and caps at 99+', () => {
    expect([badgeText(0), badgeText(7), badgeText(120)]).toEqual(['', '7', '99+']);
  });
});

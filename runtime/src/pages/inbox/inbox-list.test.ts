import type { Message, Thread } from '@threadbase/platform/contracts';
import { describe, expect, it } from 'vitest';
import { testMessage } from '../../shared/components/thread/message-fixture.ts';
import { applyMessage, applyRead, byActivity, matchesFilter, removeThread, totalUnread, upsertThread } from './inbox-list.ts';

const thread = (id: string, patch: Partial<Thread> = {}): Thread => ({
  id,
  kind: 'direct',
  title: null,
  avatarUrl: null,
  ownerId: null,
  object: null,
  recordId: null,
  members: [],
  lastSeq: 3,
  lastReadSeq: 3,
  unread: 0,
  following: true,
  muted: false,
  lastMessage: null,
  lastMessageAt: '2026-12-01T10:00:00.000Z',
  ...patch,
});

const AT = '2026-12-02T09:00:00.000Z';
const message = (threadId: string, seq: number, patch: Partial<Message> = {}): Message =>
  testMessage(seq, { id: `m-${threadId}-${seq}`, threadId, authorId: 'bob', body: `message ${seq}`, createdAt: AT, updatedAt: AT, ...patch });

const ids = (list: Thread[]) => list.map((t) => t.id);

describe('byActivity', () => {
  it('puts the latest activity first and conversations without messages last', () => {
    const list = [thread('a', { lastMessageAt: null }), thread('b', { lastMessageAt: '2026-11-01T00:00:00Z' }), thread('c', { lastMessageAt: '2026-12-01T00:00:00Z' })];
    expect(ids(list.sort(byActivity))).toEqual(['c', 'b', 'a']);
  });
});

describe('applyMessage', () => {
  const list = [thread('a', { lastMessageAt: '2026-12-01T12:00:00Z' }), thread('b')];

  it('moves the thread of a new message to the top and counts it unread', () => {
    const next = applyMessage(list, message('b', 4), 'me');
    expect(ids(next)).toEqual(['b', 'a']);
    expect(next[0]).toMatchObject({ lastSeq: 4, lastReadSeq: 3, unread: 1, lastMessageAt: '2026-12-02T09:00:00.000Z', lastMessage: { body: 'message 4' } });
    expect(applyMessage(next, message('b', 5), 'me')[0]).toMatchObject({ lastSeq: 5, unread: 2 });
  });

  it('counts my own message as read, and one in the thread I am reading', () => {
    expect(applyMessage(list, message('b', 4, { authorId: 'me' }), 'me')[0]).toMatchObject({ lastSeq: 4, lastReadSeq: 4, unread: 0 });
    expect(applyMessage(list, message('b', 4), 'me', true)[0]).toMatchObject({ lastSeq: 4, lastReadSeq: 4, unread: 0 });
  });

  it('replaces the preview when the last message is edited or recalled, without counting it again', () => {
    const sent = applyMessage(list, message('b', 4), 'me');
    const recalled = applyMessage(sent, message('b', 4, { recalled: true, body: '' }), 'me');
    expect(recalled[0]).toMatchObject({ id: 'b', unread: 1, lastMessage: { recalled: true } });
  });

  it('ignores an older message, and leaves a thread it does not list to the caller', () => {
    expect(applyMessage(list, message('b', 2), 'me')).toBe(list);
    expect(applyMessage(list, message('z', 1), 'me')).toBe(list);
  });
});

describe('applyRead', () => {
  it('clears the unread count up to the mark, and never moves it back', () => {
    const list = [thread('a', { lastSeq: 9, lastReadSeq: 4, unread: 5 })];
    expect(applyRead(list, 'a', 7)[0]).toMatchObject({ lastReadSeq: 7, unread: 2 });
    expect(applyRead(list, 'a', 12)[0]).toMatchObject({ lastReadSeq: 9, unread: 0 });
    expect(applyRead(list, 'a', 3)).toBe(list);
  });
});

describe('the rest', () => {
  it('upserts, removes, filters and counts', () => {
    const list = [thread('a', { unread: 2 }), thread('b', { unread: 3, muted: true, kind: 'group' })];
    expect(ids(upsertThread(list, thread('c', { lastMessageAt: '2026-12-03T00:00:00Z' })))).toEqual(['c', 'a', 'b']);
    expect(upsertThread(list, thread('a', { unread: 0 })).find((t) => t.id === 'a')?.unread).toBe(0);
    expect(ids(removeThread(list, 'a'))).toEqual(['b']);
    expect(totalUnread(list)).toBe(2);
    expect(list.filter((t) => matchesFilter(t, 'group')).map((t) => t.id)).toEqual(['b']);
    expect(list.filter((t) => matchesFilter(t, 'all'))).toHaveLength(2);
  });
});

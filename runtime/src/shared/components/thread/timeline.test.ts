import type { Message } from '@threadbase/platform/contracts';
import { describe, expect, it } from 'vitest';
import { testMessage } from './message-fixture.ts';
import type { Receipts } from '../../api/threads-api.ts';
import { applyReceipt, mergeMessages, newClientId, stillPending, timeline } from './timeline.ts';

const message = testMessage;

describe('mergeMessages', () => {
  it('keeps seq order and takes the newer copy of a message it already has', () => {
    const merged = mergeMessages([message(1), message(3)], [message(2), message(3, { body: 'edited' })]);
    expect(merged.map((m) => [m.seq, m.body])).toEqual([[1, '#1'], [2, '#2'], [3, 'edited']]);
  });
});

describe('stillPending', () => {
  it('drops what the server has stored under the same clientId', () => {
    const pending = [{ clientId: 'a', body: 'x', replyTo: null, failed: false, createdAt: '' }, { clientId: 'b', body: 'y', replyTo: null, failed: true, createdAt: '' }];
    expect(stillPending(pending, [message(1, { clientId: 'a' })]).map((p) => p.clientId)).toEqual(['b']);
  });
});

describe('timeline', () => {
  const dayOf = (iso: string) => iso.slice(0, 10);

  it('folds runs of system events and leaves a lone one as it is', () => {
    const items = timeline([message(1, { kind: 'system' }), message(2, { kind: 'system' }), message(3), message(4, { kind: 'system' })], dayOf);
    expect(items.map((i) => (i.kind === 'events' ? `events:${i.messages.length}` : i.kind === 'message' ? i.message.id : i.kind))).toEqual(['day', 'events:2', 'm3', 'm4']);
  });

  it('keeps an approval card out of the runs of events around it, and never continues from it', () => {
    const card = { event: 'approval.card' };
    const items = timeline([message(1, { kind: 'system' }), message(2, { kind: 'system', payload: card }), message(3, { kind: 'system' }), message(4, { kind: 'system' }), message(5, { kind: 'system', authorId: 'u1', payload: card }), message(6)], dayOf);
    expect(items.map((i) => (i.kind === 'events' ? `events:${i.messages.length}` : i.kind === 'message' ? `${i.message.id}${i.continued ? '+' : ''}` : i.kind))).toEqual(['day', 'm1', 'm2', 'events:2', 'm5', 'm6']);
  });

  it('keeps a flow’s card out of the runs of events too, but folds its plain messages', () => {
    const card = { event: 'flow.message', flow: 'escalate', card: { title: 'Escalated', fields: [], links: [] } };
    const plain = { event: 'flow.message', flow: 'escalate' };
    const items = timeline([message(1, { kind: 'system', payload: plain }), message(2, { kind: 'system', payload: card }), message(3, { kind: 'system', payload: plain }), message(4, { kind: 'system' })], dayOf);
    expect(items.map((i) => (i.kind === 'events' ? `events:${i.messages.length}` : i.kind === 'message' ? i.message.id : i.kind))).toEqual(['day', 'm1', 'm2', 'events:2']);
  });

  it('marks the same person’s next message within five minutes as a continuation', () => {
    const items = timeline(
      [message(1), message(2, { createdAt: '2026-03-01T09:04:00.000Z' }), message(3, { authorId: 'u2', createdAt: '2026-03-01T09:04:30.000Z' }), message(4, { authorId: 'u2', createdAt: '2026-03-01T09:10:00.000Z' })],
      dayOf,
    );
    expect(items.flatMap((i) => (i.kind === 'message' ? [i.continued] : []))).toEqual([false, true, false, false]);
  });

  it('starts a new day with a day line, which also ends a run of events', () => {
    const items = timeline([message(1, { kind: 'system' }), message(2, { kind: 'system', createdAt: '2026-03-02T09:00:00.000Z' }), message(3, { createdAt: '2026-03-02T10:00:00.000Z' })], dayOf);
    expect(items.map((i) => (i.kind === 'day' ? i.day : i.kind === 'message' ? i.message.id : 'events'))).toEqual(['2026-03-01', 'm1', '2026-03-02', 'm2', 'm3']);
  });
});

describe('applyReceipt', () => {
  const receipt = (seq: number): Receipts => ({ messageId: `m${seq}`, seq, readBy: [], unreadBy: ['u2', 'u3'], read: 0, total: 2 });

  it('marks the reader on every message up to her mark, and no further', () => {
    const next = applyReceipt(new Map([['m1', receipt(1)], ['m5', receipt(5)]]), 'u2', 3);
    expect(next.get('m1')).toMatchObject({ read: 1, readBy: ['u2'], unreadBy: ['u3'] });
    expect(next.get('m5')).toMatchObject({ read: 0 });
  });

  it('counts nobody twice', () => {
    const once = applyReceipt(new Map([['m1', receipt(1)]]), 'u2', 1);
    expect(applyReceipt(once, 'u2', 2).get('m1')?.read).toBe(1);
  });
});

describe('newClientId', () => {
  it('makes a different 32-character id each time', () => {
    const ids = new Set(Array.from({ length: 100 }, newClientId));
    expect(ids.size).toBe(100);
    expect([...ids][0]).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('the unread line', () => {
  const day = () => 'Mar 1';
  const kinds = (items: ReturnType<typeof timeline>) => items.map((i) => (i.kind === 'message' ? i.message.seq : i.kind));

  it('stands above the first message after the read mark the reader opened the thread with', () => {
    const messages = [message(1), message(2), message(3, { authorId: 'u2' }), message(4)];
    expect(kinds(timeline(messages, day, { seq: 2, me: 'me' }))).toEqual(['day', 1, 2, 'unread', 3, 4]);
  });

  it('is left out when nothing is unread, when the reader had read nothing yet, or when the next message is her own', () => {
    const messages = [message(1), message(2, { authorId: 'me' })];
    expect(kinds(timeline(messages, day, { seq: 2, me: 'me' }))).not.toContain('unread');
    expect(kinds(timeline(messages, day, { seq: 0, me: 'me' }))).not.toContain('unread');
    expect(kinds(timeline(messages, day, { seq: 1, me: 'me' }))).not.toContain('unread');
    expect(kinds(timeline(messages, day))).not.toContain('unread');
  });

  it('breaks a run of record events in two', () => {
    const event = (seq: number) => message(seq, { kind: 'system', authorId: null, payload: { event: 'record.updated' } });
    const items = timeline([message(1), event(2), event(3), event(4), event(5)], day, { seq: 3, me: 'me' });
    expect(items.map((i) => i.kind)).toEqual(['day', 'message', 'events', 'unread', 'events']);
  });
});

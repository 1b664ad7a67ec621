import type { Message } from '@threadbase/platform/contracts';
import { describe, expect, it } from 'vitest';
import { filterMessages } from './thread-filter.ts';

const message = (id: string, kind: 'user' | 'system', payload: Record<string, unknown> | null = null) => ({ id, kind, payload }) as unknown as Message;
const said = message('said', 'user');
const changed = message('changed', 'system', { event: 'record.updated', changes: [] });
const card = message('card', 'system', { event: 'approval.card' });
const flowCard = message('flow-card', 'system', { event: 'flow.message', card: { title: 'Renewal' } });
const flowNote = message('flow-note', 'system', { event: 'flow.message' });
const all = [said, changed, card, flowCard, flowNote];

describe("a record thread's filter", () => {
  it('shows everything by default', () => {
    expect(filterMessages(all, 'all')).toBe(all);
  });

  it("keeps people's messages and the cards they act on as comments", () => {
    expect(filterMessages(all, 'comments').map((m) => m.id)).toEqual(['said', 'card', 'flow-card']);
  });

  it("keeps the record's own events as changes", () => {
    expect(filterMessages(all, 'changes').map((m) => m.id)).toEqual(['changed', 'flow-note']);
  });
});

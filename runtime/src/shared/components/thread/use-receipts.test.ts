import type { Message } from '@threadbase/platform/contracts';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { threadsApi } from '../../api/threads-api.ts';
import { useReceipts } from './use-receipts.ts';

vi.mock('../../api/threads-api.ts', () => ({ threadsApi: { receipts: vi.fn() } }));

const receipts = vi.mocked(threadsApi.receipts);
const mine = (seq: number, authorId = 'me') => ({ id: `m${seq}`, seq, kind: 'user', authorId, recalled: false }) as unknown as Message;
const answered = (ids: string[]) => ({ items: ids.map((id) => ({ messageId: id, seq: Number(id.slice(1)), readBy: [], unreadBy: ['ann'], read: 0, total: 1 })) });

beforeEach(() => {
  receipts.mockReset();
});

describe('read receipts of my messages', () => {
  it('asks for the latest 20 of my own messages in one request, and not again for those it has', async () => {
    receipts.mockImplementation(async (_thread, ids) => answered(ids));
    const state = useReceipts(() => 't1', () => 'me');
    const messages = [...Array.from({ length: 25 }, (_, i) => mine(i + 1)), mine(26, 'ann')];
    await state.track(messages);
    expect(receipts).toHaveBeenCalledTimes(1);
    expect(receipts.mock.calls[0]![1]).toEqual(Array.from({ length: 20 }, (_, i) => `m${i + 6}`));
    await state.track([...messages, mine(27)]);
    expect(receipts.mock.calls[1]![1]).toEqual(['m27']);
    expect(state.receipts.value.get('m27')).toMatchObject({ read: 0, total: 1 });
  });

  it('brings an answer up to a read mark seen while it was on its way', async () => {
    let answer!: () => void;
    receipts.mockImplementation((_thread, ids) => new Promise((resolve) => (answer = () => resolve(answered(ids)))));
    const state = useReceipts(() => 't1', () => 'me');
    const loading = state.track([mine(1)]);
    state.onReceipt('ann', 1);
    answer();
    await loading;
    expect(state.receipts.value.get('m1')).toMatchObject({ read: 1, readBy: ['ann'], unreadBy: [] });
  });

  it('asks again next time when the request failed', async () => {
    receipts.mockRejectedValueOnce(new Error('offline')).mockImplementation(async (_thread, ids) => answered(ids));
    const state = useReceipts(() => 't1', () => 'me');
    await state.track([mine(1)]);
    expect(state.receipts.value.size).toBe(0);
    await state.track([mine(1)]);
    expect(state.receipts.value.get('m1')).toBeDefined();
  });
});

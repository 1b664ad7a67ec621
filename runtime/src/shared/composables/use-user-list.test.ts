import type { User } from '@threadbase/platform/contracts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { nextTick, reactive } from 'vue';
import { orgApi, type UserQuery } from '../api/org-api.ts';
import { useUserList, type UserFilters } from './use-user-list.ts';

vi.mock('../api/org-api.ts', () => ({ orgApi: { listUsers: vi.fn() } }));

const listUsers = vi.mocked(orgApi.listUsers);

function person(id: string): User {
  return {
    id,
    login: id,
    displayName: id,
    email: null,
    phone: null,
    avatarUrl: null,
    locale: 'zh-CN',
    status: 'active',
    isAdmin: false,
    jobTitle: null,
    mainDepartmentId: null,
    departmentIds: [],
    managerId: null,
    createdAt: '2026-01-01T00:00:00.000Z',
  };
}

async function settle(): Promise<void> {
  await vi.runAllTimersAsync();
  await nextTick();
}

beforeEach(() => {
  vi.useFakeTimers();
  listUsers.mockReset();
});
afterEach(() => vi.useRealTimers());

describe('useUserList', () => {
  it('loads the first page at once and appends the next one by cursor', async () => {
    listUsers.mockImplementation(async (q: UserQuery) => (q.cursor ? { items: [person('b')], nextCursor: null } : { items: [person('a')], nextCursor: 'c1' }));
    const list = useUserList({ q: '', departmentId: 'd1', status: null }, { pageSize: 1 });
    await settle();
    expect(listUsers).toHaveBeenCalledWith({ q: '', departmentId: 'd1', status: null, limit: 1, cursor: null });
    expect(list.items.value.map((u) => u.id)).toEqual(['a']);
    await list.loadMore();
    expect(listUsers).toHaveBeenLastCalledWith(expect.objectContaining({ cursor: 'c1' }));
    expect(list.items.value.map((u) => u.id)).toEqual(['a', 'b']);
    expect(list.nextCursor.value).toBeNull();
  });

  it('waits for a pause in typing before searching', async () => {
    listUsers.mockResolvedValue({ items: [], nextCursor: null });
    const filters = reactive<UserFilters>({ q: '', departmentId: null, status: null });
    useUserList(filters, { debounceMs: 200 });
    await settle();
    listUsers.mockClear();
    for (const q of ['z', 'zw', 'zw ']) {
      filters.q = q;
      await nextTick();
      await vi.advanceTimersByTimeAsync(50);
    }
    expect(listUsers).not.toHaveBeenCalled();
    await settle();
    expect(listUsers).toHaveBeenCalledTimes(1);
    expect(listUsers).toHaveBeenCalledWith(expect.objectContaining({ q: 'zw' }));
  });

  it('drops an answer that arrives after a newer query was sent', async () => {
    let resolveSlow: (value: { items: User[]; nextCursor: null }) => void = () => {};
    listUsers.mockImplementationOnce(() => new Promise((resolve) => (resolveSlow = resolve)));
    listUsers.mockResolvedValueOnce({ items: [person('new')], nextCursor: null });
    const filters = reactive<UserFilters>({ q: '', departmentId: null, status: null });
    const list = useUserList(filters);
    filters.departmentId = 'd2';
    await settle();
    resolveSlow({ items: [person('old')], nextCursor: null });
    await settle();
    expect(list.items.value.map((u) => u.id)).toEqual(['new']);
    expect(list.loading.value).toBe(false);
  });

  it('keeps the error of the latest query for the page to show', async () => {
    listUsers.mockRejectedValue(new Error('down'));
    const list = useUserList({ q: '', departmentId: null, status: null });
    await settle();
    expect(list.error.value).toBeInstanceOf(Error);
    expect(list.loading.value).toBe(false);
  });
});

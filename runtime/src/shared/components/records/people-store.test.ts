import type { User } from '@threadbase/platform/contracts';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { orgApi } from '../../api/org-api.ts';
import { usePeopleStore } from './people-store.ts';

vi.mock('../../api/org-api.ts', () => ({ orgApi: { listUsers: vi.fn() } }));

const listUsers = vi.mocked(orgApi.listUsers);
const person = (id: string) => ({ id, displayName: `Name ${id}`, avatarUrl: null }) as unknown as User;
/** Answers with the asked ids that `known` has. */
const answerFrom = (known: string[]) =>
  listUsers.mockImplementation(async (query) => ({ items: (query.ids ?? '').split(',').filter((id) => known.includes(id)).map(person), nextCursor: null }));

beforeEach(() => {
  setActivePinia(createPinia());
  listUsers.mockReset();
});

describe('the people store', () => {
  it('asks for the ids wanted in one tick in one request, and remembers who does not exist', async () => {
    answerFrom(['a', 'b']);
    const people = usePeopleStore();
    await Promise.all([people.ensure(['a', null, 'a']), people.ensure(['b', 'gone'])]);
    expect(listUsers).toHaveBeenCalledTimes(1);
    expect(listUsers.mock.calls[0]![0].ids!.split(',').sort()).toEqual(['a', 'b', 'gone']);
    expect([people.nameOf('a'), people.nameOf('b'), people.nameOf('gone')]).toEqual(['Name a', 'Name b', '']);
    expect(people.byId.get('gone')).toBeNull();
    await people.ensure(['a', 'gone']);
    expect(listUsers).toHaveBeenCalledTimes(1);
  });

  it('splits more than the server takes at once into several requests', async () => {
    const ids = Array.from({ length: 450 }, (_, i) => `u${i}`);
    answerFrom(ids);
    const people = usePeopleStore();
    await people.ensure(ids);
    expect(listUsers.mock.calls.map((c) => c[0].ids!.split(',').length)).toEqual([200, 200, 50]);
    expect(people.nameOf('u449')).toBe('Name u449');
  });

  it('asks again next time when a request failed, and does not mark anyone gone', async () => {
    listUsers.mockRejectedValueOnce(new Error('offline'));
    const people = usePeopleStore();
    await people.ensure(['a']);
    expect(people.byId.has('a')).toBe(false);
    answerFrom(['a']);
    await people.ensure(['a']);
    expect(people.nameOf('a')).toBe('Name a');
    expect(listUsers).toHaveBeenCalledTimes(2);
  });
});

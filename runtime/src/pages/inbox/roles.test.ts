import type { Thread } from '@threadbase/platform/contracts';
import { describe, expect, it } from 'vitest';
import { assignableRoles, canLeave, canManage, canPost, canRemove } from './roles.ts';

const thread = (kind: Thread['kind'], members: [string, string][]) => ({ kind, members: members.map(([userId, role]) => ({ userId, role })) }) as Thread;
const group = thread('group', [['o', 'owner'], ['a', 'admin'], ['m', 'member']]);
const channel = thread('announcement', [['o', 'owner'], ['a', 'admin'], ['p', 'publisher'], ['r', 'reader']]);
const member = (t: Thread, id: string) => t.members.find((m) => m.userId === id)!;

describe('roles', () => {
  it('lets owners and admins manage groups and channels, nobody direct threads', () => {
    expect(['o', 'a', 'm'].map((id) => canManage(group, id))).toEqual([true, true, false]);
    expect(canManage(thread('direct', [['o', 'owner']]), 'o')).toBe(false);
  });

  it('lets only owners, admins and publishers post in a channel', () => {
    expect(['o', 'a', 'p', 'r'].map((id) => canPost(channel, id))).toEqual([true, true, true, false]);
    expect(canPost(group, 'm')).toBe(true);
  });

  it('offers the roles the server accepts from me', () => {
    expect(assignableRoles(group, 'o', member(group, 'm'))).toEqual(['admin']);
    expect(assignableRoles(group, 'o', member(group, 'a'))).toEqual(['member']);
    expect(assignableRoles(group, 'a', member(group, 'a'))).toEqual([]);
    expect(assignableRoles(group, 'a', member(group, 'm'))).toEqual([]);
    expect(assignableRoles(channel, 'a', member(channel, 'r'))).toEqual(['publisher']);
    expect(assignableRoles(channel, 'o', member(channel, 'p'))).toEqual(['admin', 'reader']);
    expect(assignableRoles(channel, 'p', member(channel, 'r'))).toEqual([]);
  });

  it('removes anyone but the owner, and lets everyone but the owner leave', () => {
    expect(canRemove(group, 'a', member(group, 'o'))).toBe(false);
    expect(canRemove(group, 'a', member(group, 'm'))).toBe(true);
    expect(canRemove(group, 'm', member(group, 'a'))).toBe(false);
    expect(['o', 'a', 'm', 'x'].map((id) => canLeave(group, id))).toEqual([false, true, true, false]);
  });
});

import type { Thread } from '@threadbase/platform/contracts';
import type { MemberRoleName } from '../../shared/api/threads-api.ts';

const MANAGERS = ['owner', 'admin'];
const POSTERS = ['owner', 'admin', 'publisher'];

export function roleOf(thread: Thread, userId: string): string | null {
  return thread.members.find((m) => m.userId === userId)?.role ?? null;
}

/** Owners and admins of a group or channel add and remove people (the server has the last word). */
export function canManage(thread: Thread, me: string): boolean {
  return (thread.kind === 'group' || thread.kind === 'announcement') && MANAGERS.includes(roleOf(thread, me) ?? '');
}

/** Everyone posts except in an announcement channel, where its owner, admins and publishers do. */
export function canPost(thread: Thread, me: string): boolean {
  return thread.kind !== 'announcement' || POSTERS.includes(roleOf(thread, me) ?? '');
}

/**
 * The roles I may give this member, as the server allows them: a group's are admin and member, a
 * channel's admin, publisher and reader; only the owner makes or unmakes admins; the owner's own role
 * and my own do not change here.
 */
export function assignableRoles(thread: Thread, me: string, member: { userId: string; role: string }): MemberRoleName[] {
  const mine = roleOf(thread, me);
  if (!canManage(thread, me) || member.role === 'owner' || member.userId === me) return [];
  if (member.role === 'admin' && mine !== 'owner') return [];
  const roles: MemberRoleName[] = thread.kind === 'group' ? ['admin', 'member'] : ['admin', 'publisher', 'reader'];
  return roles.filter((role) => role !== member.role && (role !== 'admin' || mine === 'owner'));
}

/** Owners and admins take out anyone but the owner (admins included); oneself leaves instead. */
export function canRemove(thread: Thread, me: string, member: { userId: string; role: string }): boolean {
  return canManage(thread, me) && member.role !== 'owner' && member.userId !== me;
}

/** Everyone but the owner may leave a group or channel. */
export function canLeave(thread: Thread, me: string): boolean {
  return (thread.kind === 'group' || thread.kind === 'announcement') && roleOf(thread, me) !== null && roleOf(thread, me) !== 'owner';
}

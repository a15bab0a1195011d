import type { ThreadView, User } from '@parley/client';

type WithMembers = Pick<ThreadView, 'members'>;
type IsOnline = (userId: string) => boolean;

/**
 * How many of a thread's members are online, me included: I am here to read it, and the server never
 * tells me about my own presence, so asking would say "offline".
 */
export function onlineMemberCount(thread: WithMembers, me: User, isOnline: IsOnline): number {
  return 1 + thread.members.filter((member) => member.id !== me.id && isOnline(member.id)).length;
}

/** Whether someone besides me is online in a thread: what the thread list's dot means, for a partner or a group. */
export function isAnyoneElseOnline(thread: WithMembers, me: User, isOnline: IsOnline): boolean {
  return thread.members.some((member) => member.id !== me.id && isOnline(member.id));
}

import type { ThreadView, User } from '@parley/client';

/** What a thread is called for me: the other person's name (or, in a group, the others' names). */
export function threadTitle(thread: Pick<ThreadView, 'members'>, me: User): string {
  const others = thread.members.filter((member) => member.id !== me.id).map((member) => member.username);
  return others.length ? others.join(', ') : me.username;
}

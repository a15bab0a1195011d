import type { ThreadView, User } from '@parley/client';

type Labelled = Pick<ThreadView, 'kind' | 'title' | 'members'>;

/** A thread with no one but me in it: `thread.getOrCreate` with my own username makes one. */
export function isNotesToSelf(thread: Labelled, me: User): boolean {
  return thread.kind === 'direct' && thread.members.every((member) => member.id === me.id);
}

/** What a thread is called for me: a group's title, else the others' names; my notes are "Notes to self". */
export function threadTitle(thread: Labelled, me: User): string {
  if (thread.title) return thread.title;
  const others = thread.members.filter((member) => member.id !== me.id).map((member) => member.username);
  return others.length ? others.join(', ') : 'Notes to self';
}

/**
 * The line under a conversation's title: who is in a group and how many of them are online (`onlineCount`,
 * me included), or that notes are private; null for a direct thread, whose header says Online/Offline instead.
 */
export function threadSubtitle(thread: Labelled, me: User, onlineCount: number): string | null {
  if (isNotesToSelf(thread, me)) return 'Only you can see these';
  if (thread.kind !== 'group') return null;
  const others = thread.members.filter((member) => member.id !== me.id).map((member) => member.username);
  return `${[...others, 'you'].join(', ')} · ${onlineCount} online`;
}

/** The first line of a conversation, above its oldest message. */
export function threadIntro(thread: Labelled, me: User): string {
  if (isNotesToSelf(thread, me)) return 'This is the start of your notes. Only you can see them.';
  if (thread.kind === 'group') return `This is the start of the group ${threadTitle(thread, me)}.`;
  return `This is the start of your conversation with ${threadTitle(thread, me)}.`;
}

export const NOTIFICATION_LEVELS = ['all', 'mentions', 'mute'] as const;
export type NotificationLevel = (typeof NOTIFICATION_LEVELS)[number];

/** A member's level: what they chose, or the default for the thread's kind (every message of a direct thread; mentions in a group). */
export function effectiveLevel(chosen: string | null, threadKind: string): NotificationLevel {
  if (chosen === 'all' || chosen === 'mentions' || chosen === 'mute') return chosen;
  return threadKind === 'group' ? 'mentions' : 'all';
}

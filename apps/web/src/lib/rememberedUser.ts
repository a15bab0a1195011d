import type { User } from '@parley/client';

const KEY = 'parley:user';

/**
 * Keeps who is signed in on this browser (id and name, no secret) so that an app opened offline can show
 * their chat and unsent messages; the session cookie is still what the server goes by. null forgets.
 */
export function rememberUser(user: User | null): void {
  try {
    if (user) localStorage.setItem(KEY, JSON.stringify({ id: user.id, username: user.username }));
    else localStorage.removeItem(KEY);
  } catch {
    // Storage refused (private mode, quota): an offline start shows the sign-in screen instead.
  }
}

/** The user last signed in on this browser, or null. */
export function rememberedUser(): User | null {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(KEY) ?? 'null');
    if (value && typeof value === 'object' && 'id' in value && 'username' in value) {
      const { id, username } = value;
      if (typeof id === 'string' && typeof username === 'string') return { id, username };
    }
  } catch {
    // Unreadable: as if nothing were remembered.
  }
  return null;
}

import { errorCodeOf } from '@parley/client';

/** A sentence for a person about why a call failed; `overrides` words the codes a screen expects. */
export function describeError(error: unknown, overrides: Partial<Record<string, string>> = {}): string {
  const code = errorCodeOf(error);
  if (code && overrides[code]) return overrides[code];
  switch (code) {
    case null:
      return 'Could not reach Parley. Check your connection and try again.';
    case 'UNAUTHORIZED':
      return 'Your session has ended. Please log in again.';
    case 'TOO_MANY_REQUESTS':
      return 'Too many attempts. Wait a moment and try again.';
    case 'INTERNAL_SERVER_ERROR':
      return 'Something went wrong on our side. Please try again.';
    default:
      // BAD_REQUEST, CONFLICT, NOT_FOUND, FORBIDDEN carry a message written for people.
      return error instanceof Error && error.message ? firstIssue(error.message) : 'That did not work. Please try again.';
  }
}

// Validation errors arrive as a JSON list of zod issues; the first one's message is the useful part.
function firstIssue(message: string): string {
  if (!message.startsWith('[')) return message;
  try {
    const issues = JSON.parse(message) as { message?: string }[];
    return issues[0]?.message ?? message;
  } catch {
    return message;
  }
}

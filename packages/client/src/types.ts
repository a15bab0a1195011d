// Types only: the server package never reaches a client bundle at run time, and the published
// dist/index.d.ts inlines these (see rollup.types.config.mjs), so apps outside the workspace get them too.
import type { RouterInputs, RouterOutputs } from '@parley/api';

export type {
  AppRouter,
  RouterInputs,
  RouterOutputs,
  AttachmentView,
  MessageView,
  ReactionSummary,
  ReplyPreview,
  UserRef,
  ThreadEvent,
  ThreadView,
  ThreadSummary,
  UserPresence,
} from '@parley/api';

export type User = RouterOutputs['auth']['signUp']['user'];
/** What `logIn`/`signUp` give a program: the user and the session token to connect with. */
export interface Session {
  user: User;
  token: string;
}
export type MessagePage = RouterOutputs['message']['list'];
export type SendMessageInput = RouterInputs['message']['send'];
/**
 * What `thread.onActivity` delivers: a new message in one of my threads, a thread I was added to, someone
 * typing, someone coming online or going offline, or `resync`.
 */
export type ActivityEvent = RouterOutputs['thread']['onActivity'] extends AsyncIterable<infer Event> ? Event : never;

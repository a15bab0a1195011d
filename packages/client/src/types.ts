// Types only: the server package never reaches a client bundle at run time.
import type { RouterInputs, RouterOutputs } from '@parley/api';

export type { AppRouter, RouterInputs, RouterOutputs, MessageView, ThreadView, ThreadSummary } from '@parley/api';

export type User = RouterOutputs['auth']['signUp']['user'];
export type Session = RouterOutputs['auth']['signUp'];
export type MessagePage = RouterOutputs['message']['list'];
export type SendMessageInput = RouterInputs['message']['send'];

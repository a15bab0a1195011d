export { createParleyClient, type ParleyClient, type ParleyClientOptions } from './parleyClient.ts';
export { createParleyHttpClient, logIn, signUp, type ParleyHttpClientOptions } from './httpClient.ts';
export { SESSION_ENDED_CLOSE_CODE, type CloseReason, type ConnectionState } from './connectionState.ts';
export { errorCodeOf } from './errorCode.ts';
export { toHttpUrl, toSocketUrl } from './serverUrl.ts';
export { PresenceBook } from './presenceBook.ts';
export { createTypingNotifier, TypingState, TYPING_SHOWN_MS, type Typist } from './typingState.ts';
export { ThreadTimeline, type HistoryPage, type TimelineEntry, type TimelineStatus } from './threadTimeline.ts';
export type * from './types.ts';

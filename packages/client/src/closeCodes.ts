/**
 * The close code the server uses when a socket has no valid session (logged out, expired, bad token, or none
 * in time). Its one definition: the server imports this file, which needs no DOM types and no tRPC client.
 */
export const SESSION_ENDED_CLOSE_CODE = 4401;

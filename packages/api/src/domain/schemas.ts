import { z } from 'zod';

export const usernameSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_.-]{3,32}$/, 'Usernames are 3–32 letters, digits, _ . or -');

// The upper bound keeps hashing cost bounded for hostile input.
export const passwordSchema = z.string().min(8, 'Passwords need at least 8 characters').max(256);

// Ids are server-made UUIDs; the strict alphabet also keeps NUL and other bytes PostgreSQL refuses
// out of queries, so such input is a BAD_REQUEST rather than a database error.
export const idSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'Not a valid id');

const MESSAGE_MAX_LENGTH = 4000;

// C0 control characters other than tab, line feed and carriage return, and DEL. NUL cannot be stored in
// PostgreSQL text at all; the others have no meaning in a chat message and can corrupt terminals and logs.
// eslint-disable-next-line no-control-regex -- matching control characters is this pattern's purpose
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

// Text rules shared by every body; whether it may be empty depends on what else the message carries.
const bodyTextSchema = z
  .string()
  .max(MESSAGE_MAX_LENGTH * 2, `Messages are at most ${MESSAGE_MAX_LENGTH} characters`)
  .trim()
  .max(MESSAGE_MAX_LENGTH, `Messages are at most ${MESSAGE_MAX_LENGTH} characters`)
  .refine((body) => !CONTROL_CHARACTERS.test(body), 'Messages cannot contain control characters such as NUL')
  // A lone surrogate is not text: PostgreSQL would refuse it and JSON peers would mangle it.
  .refine((body) => body.isWellFormed(), 'Messages must be valid Unicode text');

export const messageBodySchema = bodyTextSchema.refine((body) => body.length > 0, 'A message needs some text');

const SEARCH_QUERY_MAX_LENGTH = 200;
// A query is one line: every C0 and C1 control character, tab and line feed included, is refused.
// eslint-disable-next-line no-control-regex -- matching control characters is this pattern's purpose
const QUERY_CONTROL_CHARACTERS = /[\u0000-\u001F\u007F-\u009F]/;

/** message.search's query: one line of at most SEARCH_QUERY_MAX_LENGTH characters once trimmed. */
export const searchQuerySchema = z
  .string()
  .max(SEARCH_QUERY_MAX_LENGTH * 2, `A search is at most ${SEARCH_QUERY_MAX_LENGTH} characters`)
  .trim()
  .min(1, 'Type something to search for')
  .max(SEARCH_QUERY_MAX_LENGTH, `A search is at most ${SEARCH_QUERY_MAX_LENGTH} characters`)
  .refine((query) => !QUERY_CONTROL_CHARACTERS.test(query), 'A search cannot contain control characters such as a line break')
  .refine((query) => query.isWellFormed(), 'A search must be valid Unicode text');

/** Printable ASCII, as clients make them (UUIDs, counters). */
const clientIdSchema = z.string().regex(/^[\x21-\x7E]{1,64}$/, 'clientId is 1–64 printable ASCII characters');

/** Members of a group besides its creator. */
export const GROUP_MAX_OTHER_MEMBERS = 49;

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });
// One RGI emoji (skin tones, ZWJ families and flags included); text presentation digits and letters are not.
// Built at run time: the `v` flag is newer than the TypeScript target, though Node 20 has it.
const SINGLE_EMOJI = new RegExp('^\\p{RGI_Emoji}$', 'v');

/** A reaction: exactly one emoji grapheme. */
export const emojiSchema = z
  .string()
  .min(1)
  .max(32, 'A reaction is one emoji')
  .refine((value) => {
    const segments = [...graphemes.segment(value)];
    return segments.length === 1 && SINGLE_EMOJI.test(value);
  }, 'A reaction is one emoji');

/** Files one message may carry. */
const MAX_ATTACHMENTS_PER_MESSAGE = 10;

/** message.send: text, files or both; a message of files alone has an empty body. */
export const sendMessageInputSchema = z
  .object({
    threadId: idSchema,
    body: bodyTextSchema.default(''),
    clientId: clientIdSchema.optional(),
    replyToId: idSchema.optional(),
    attachmentIds: z
      .array(idSchema)
      .max(MAX_ATTACHMENTS_PER_MESSAGE, `A message carries at most ${MAX_ATTACHMENTS_PER_MESSAGE} files`)
      .refine((ids) => new Set(ids).size === ids.length, 'Each file can be attached once')
      .optional(),
  })
  .refine((input) => input.body.length > 0 || (input.attachmentIds?.length ?? 0) > 0, {
    message: 'A message needs some text',
    path: ['body'],
  });

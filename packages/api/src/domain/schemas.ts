import { z } from 'zod';

export const usernameSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_.-]{3,32}$/, 'Usernames are 3–32 letters, digits, _ . or -');

// The upper bound keeps hashing cost bounded for hostile input.
export const passwordSchema = z.string().min(8, 'Passwords need at least 8 characters').max(256);

export const idSchema = z.string().min(1).max(64);

export const MESSAGE_MAX_LENGTH = 4000;
export const messageBodySchema = z
  .string()
  .trim()
  .min(1, 'A message needs some text')
  .max(MESSAGE_MAX_LENGTH, `Messages are at most ${MESSAGE_MAX_LENGTH} characters`);

export const clientIdSchema = z.string().min(1).max(64);

/** Members of a group besides its creator. */
export const GROUP_MAX_OTHER_MEMBERS = 49;

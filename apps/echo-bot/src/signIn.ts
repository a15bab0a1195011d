import { errorCodeOf, logIn, signUp, type Session } from '@parley/client';

/** Logs in, creating the account on first run; a wrong password for an existing account stays an error. */
export async function logInOrSignUp(url: string, username: string, password: string): Promise<Session> {
  try {
    return await logIn(url, username, password);
  } catch (loginError) {
    if (errorCodeOf(loginError) !== 'UNAUTHORIZED') throw loginError;
    try {
      return await signUp(url, username, password);
    } catch (signUpError) {
      // CONFLICT: the account exists, so the password was wrong; say that rather than "taken".
      throw errorCodeOf(signUpError) === 'CONFLICT' ? loginError : signUpError;
    }
  }
}

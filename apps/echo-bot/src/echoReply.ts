import { errorCodeOf, type MessageView, type ParleyClient } from '@parley/client';

const MAX_BODY = 4000;
const PREFIX = 'echo: ';
const MAX_ATTEMPTS = 5;

function echoBody(body: string): string {
  return PREFIX + body.slice(0, MAX_BODY - PREFIX.length);
}

/**
 * Answers one message. The clientId is derived from the message, so answering it twice (a resumed
 * subscription, a restart) stores one reply. Rate limits are waited out; other failures are the caller's.
 */
export async function sendEchoReply(client: ParleyClient, message: MessageView): Promise<MessageView> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await client.api.message.send.mutate({
        threadId: message.threadId,
        body: echoBody(message.body),
        clientId: `echo:${message.id}`,
      });
    } catch (error) {
      if (errorCodeOf(error) !== 'TOO_MANY_REQUESTS' || attempt === MAX_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, retryAfterMs(error)));
    }
  }
}

function retryAfterMs(error: unknown): number {
  const data = (error as { data?: { retryAfterMs?: unknown } }).data;
  return typeof data?.retryAfterMs === 'number' ? data.retryAfterMs : 1000;
}

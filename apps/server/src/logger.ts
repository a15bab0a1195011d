import { pino, type Logger } from 'pino';
import type { Config } from './config.ts';

/** JSON lines for machines; pino-pretty when a person reads stdout (LOG_PRETTY=auto) or when forced. */
export function createLogger(config: Pick<Config, 'logLevel' | 'logPretty'>, stdoutIsTerminal: boolean = process.stdout.isTTY === true): Logger {
  const pretty = config.logPretty === 'auto' ? stdoutIsTerminal : config.logPretty;
  return pino({
    level: config.logLevel,
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } } } : {}),
  });
}

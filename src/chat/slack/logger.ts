import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from 'pino';

/** Bolt's logger interface on top of our pino logger, so Bolt's lines are structured too. */
export function boltLogger(log: Logger): BoltLogger {
  const child = log.child({ component: 'bolt' });
  let level = LogLevel.INFO;
  return {
    debug: (...messages: unknown[]) => child.debug(messages.map(String).join(' ')),
    info: (...messages: unknown[]) => child.info(messages.map(String).join(' ')),
    warn: (...messages: unknown[]) => child.warn(messages.map(String).join(' ')),
    error: (...messages: unknown[]) => child.error(messages.map(String).join(' ')),
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

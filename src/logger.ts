import pino, { type DestinationStream, type Logger } from 'pino';

/** Paths pino blanks out wherever they appear in a log line: tokens, keys, secrets. */
export const REDACTED_PATHS = [
  'token',
  '*.token',
  'botToken',
  '*.botToken',
  'appToken',
  '*.appToken',
  'apiToken',
  '*.apiToken',
  'signingSecret',
  '*.signingSecret',
  'secret',
  '*.secret',
  'privateKey',
  '*.privateKey',
  'password',
  '*.password',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'headers.cookie',
  '*.headers.cookie',
];

export function createLogger(options: { level: string; destination?: DestinationStream }): Logger {
  return pino({ level: options.level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, base: { app: 'igor' } }, options.destination);
}

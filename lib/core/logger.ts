import pino from 'pino';

// Structured JSON logs. Secrets never reach a log line: the redaction list is a second line of
// defence behind not logging them in the first place.
export const logger = pino({
  level: process.env.CHARTER_LOG_LEVEL ?? 'info',
  base: { service: 'charter' },
  redact: {
    paths: ['password', '*.password', 'authorization', '*.authorization', 'headers.authorization', 'headers.cookie', 'key', '*.key', 'secret', '*.secret'],
    censor: '[redacted]',
  },
});

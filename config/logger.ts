import pino from 'pino';

/**
 * Keys whose values are credentials (KSeF tokens, API keys, passwords, connection strings with
 * passwords). They are censored at any of the first three nesting levels, so a careless
 * `logger.info({ settings })` cannot leak them.
 */
const SECRET_KEYS = [
  'token',
  'ksefToken',
  'tokens',
  'accessToken',
  'refreshToken',
  'authenticationToken',
  'apiKey',
  'password',
  'secret',
  'authorization',
  'cookie',
  'privateKey',
  // KSeF certificate credentials (config.ksef.certificate, config.offline.certificate): the whole
  // credential object and each of its secret fields
  'certificate',
  'privateKeyPem',
  'privateKeyPassphrase',
  'pkcs12',
  'pkcs12Password',
  'smtpUrl',
  'databaseUrl',
  'connectionString',
];
export const REDACTED_PATHS = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);
export const REDACTED = '[redacted]';

export interface LoggerOptions {
  /** Fields added to every line at the time it is written (e.g. the current activity's workflow id). */
  mixin?: () => Record<string, unknown>;
}

/** Structured JSON logs; every component names itself so logs can be filtered by `component`. */
export function createLogger(component: string, level = process.env.LOG_LEVEL ?? 'info', options: LoggerOptions = {}) {
  return pino({
    level,
    base: { component },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: REDACTED },
    ...(options.mixin ? { mixin: options.mixin } : {}),
  });
}
export type Logger = pino.Logger;

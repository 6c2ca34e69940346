import pino from 'pino';

/** Structured JSON logs; every component names itself so logs can be filtered by `component`. */
export function createLogger(component: string, level = process.env.LOG_LEVEL ?? 'info') {
  return pino({ level, base: { component }, timestamp: pino.stdTimeFunctions.isoTime });
}
export type Logger = pino.Logger;

import { Runtime, type LogLevel, type LogMetadata, type Logger as TemporalLogger } from '@temporalio/worker';
import type { Logger } from '../config/logger';

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** The SDK's own logs (workflow `log`, activity start/finish, core warnings) as our JSON lines. */
export function temporalLoggerFor(logger: Logger): TemporalLogger {
  const write = (level: LogLevel, message: string, meta?: LogMetadata) => logger[LEVELS[level]]({ ...meta }, message);
  return {
    log: write,
    trace: (message, meta) => write('TRACE', message, meta),
    debug: (message, meta) => write('DEBUG', message, meta),
    info: (message, meta) => write('INFO', message, meta),
    warn: (message, meta) => write('WARN', message, meta),
    error: (message, meta) => write('ERROR', message, meta),
  };
}

/**
 * Must run before the first connection: the Runtime is a process-wide singleton. With a bind
 * address the SDK serves its worker metrics (task latencies, slots, poll results, sticky cache) for
 * Prometheus at http://<bind>/metrics.
 */
export function installWorkerRuntime(logger: Logger, metricsBind?: string): void {
  Runtime.install({
    logger: temporalLoggerFor(logger.child({ component: 'temporal-sdk' })),
    telemetryOptions: metricsBind ? { metrics: { prometheus: { bindAddress: metricsBind } } } : {},
  });
}

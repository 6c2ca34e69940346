import type { Logger } from 'pino';
import type { FaultInjector } from './faults';
import type { InvoiceProcessor } from './processing';
import type { RateLimiter } from './rate-limits';
import type { ResolvedOptions } from './options';
import type { SimulatorState } from './state';

/** Everything a route or the processor needs; one per simulator instance (no module-level state). */
export interface SimulatorContext {
  state: SimulatorState;
  options: ResolvedOptions;
  logger: Logger;
  faults: FaultInjector;
  rateLimiter: RateLimiter;
  processor: InvoiceProcessor;
  schedule(run: () => void, delayMs: number): void;
}

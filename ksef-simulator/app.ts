import type { Server } from 'node:http';
import express, { type Express } from 'express';
import pino from 'pino';
import type { SimulatorContext } from './context';
import { availabilityGate } from './availability';
import { adminCrossOriginGuard } from './admin-guard';
import { loadOrCreateKeyMaterial } from './crypto';
import { authContextGuard, invoiceWriteGuard } from './permissions';
import { FaultInjector } from './faults';
import { errorHandler } from './http';
import { faultInjection, rateLimiting, requestCounters } from './middleware';
import { resolveOptions, type KsefSimulatorOptions } from './options';
import { InvoiceProcessor } from './processing';
import { RateLimiter } from './rate-limits';
import { adminRoutes } from './routes/admin';
import { adminCertificateRoutes } from './routes/admin-certificates';
import { authSessionRoutes } from './routes/auth-sessions';
import { certificateRoutes } from './routes/certificates';
import { xadesAuthRoutes } from './routes/xades-auth';
import { authRoutes } from './routes/auth';
import { invoiceRoutes } from './routes/invoices';
import { latarniaRoutes } from './routes/latarnia';
import { securityRoutes } from './routes/security';
import { sessionRoutes, uploadRoutes } from './routes/sessions';
import { statusRoutes, upoDownloadRoutes } from './routes/status';
import { unimplementedRoutes } from './routes/unimplemented';
import { createState, type SimulatorState } from './state';

export type { KsefSimulatorOptions } from './options';

export interface RunningSimulator {
  /** Base URL of the official API, e.g. http://127.0.0.1:3100/v2 */
  url: string;
  /** Root of the simulator (admin endpoints under /_sim, Latarnia under /latarnia). */
  rootUrl: string;
  port: number;
  close(): Promise<void>;
}

export interface KsefSimulator {
  app: Express;
  state: SimulatorState;
  /** For tests that drive the simulator in-process (faults, rate limits, processor). */
  context: SimulatorContext;
  listen(port: number, host?: string): Promise<RunningSimulator>;
}

export function createKsefSimulator(options: KsefSimulatorOptions = {}): KsefSimulator {
  const resolved = resolveOptions(options);
  const logger = options.logger ?? pino({ name: 'ksef-simulator', level: process.env.KSEF_SIM_LOG_LEVEL ?? 'silent' });
  const state = createState(loadOrCreateKeyMaterial(resolved.stateDir), resolved.tokenPolicy, options.ksefTokens ?? [], { tokenAuth: options.tokenAuth, stateDir: resolved.stateDir });
  const timers = new Set<NodeJS.Timeout>();
  const faults = new FaultInjector();
  if (options.faults) faults.set(options.faults);
  const rateLimits = options.rateLimits ?? 'published';
  const context: SimulatorContext = {
    state,
    options: resolved,
    logger,
    faults,
    rateLimiter: new RateLimiter(rateLimits !== 'off', typeof rateLimits === 'object' ? rateLimits : {}),
    processor: new InvoiceProcessor(() => context),
    schedule(run, delayMs) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        run();
      }, delayMs);
      timers.add(timer);
    },
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(requestCounters(context));
  app.use('/_sim', adminCrossOriginGuard(), express.json({ limit: '1mb' }), adminRoutes(context), adminCertificateRoutes(context));
  app.use('/latarnia', latarniaRoutes(context));
  app.use(uploadRoutes(context));
  app.use(upoDownloadRoutes(context));

  const v2 = express.Router();
  v2.use(faultInjection(context));
  v2.use(availabilityGate(() => context.state.availability));
  v2.use(rateLimiting(context));
  // an encrypted invoice is ≤ 3 MB, base64 inflates by a third
  v2.use(express.json({ limit: '5mb' }));
  v2.use(authContextGuard(context));
  v2.use(invoiceWriteGuard(context));
  v2.use(securityRoutes(context));
  v2.use(xadesAuthRoutes(context));
  // before authRoutes: GET /auth/{referenceNumber} would take "sessions" for a reference number
  v2.use(authSessionRoutes(context));
  v2.use(authRoutes(context));
  v2.use(certificateRoutes(context));
  v2.use(sessionRoutes(context));
  v2.use(statusRoutes(context));
  v2.use(invoiceRoutes(context));
  v2.use(unimplementedRoutes());
  app.use('/v2', v2);
  app.use(errorHandler(context));

  return {
    app,
    state,
    context,
    listen(port, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        const server: Server = app.listen(port, host, () => {
          const address = server.address();
          const actualPort = typeof address === 'object' && address ? address.port : port;
          const rootUrl = `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`;
          logger.info({ url: `${rootUrl}/v2` }, 'KSeF simulator listening');
          resolve({
            url: `${rootUrl}/v2`,
            rootUrl,
            port: actualPort,
            close: async () => {
              for (const timer of timers) clearTimeout(timer);
              timers.clear();
              // an in-flight schema check must not outlive the simulator (it would touch a torn-down runtime)
              await context.processor.idle();
              await new Promise<void>((done) => {
                // hanging (fault-injected) requests would otherwise keep close() waiting forever
                server.closeAllConnections();
                server.close(() => done());
              });
            },
          });
        });
        server.once('error', reject);
      });
    },
  };
}

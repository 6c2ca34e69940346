import express from 'express';
import type { Client } from '@temporalio/client';
import type { Logger } from '../config/logger';
import type { PrismaClient } from '../prisma/client';
import type { VatDictionary } from '../domain/validation';
import type { LifecycleSettings } from '../workflows/contracts';
import { InvoiceService } from './invoice-service';
import { problemHandler, sendProblem } from './problem';
import { rejectHostileInput, requireUtf8 } from './input-guard';
import { createApiMetrics } from './metrics';
import { healthRoutes } from './routes/health';
import { metricsRoutes } from './routes/metrics';
import { invoiceRoutes } from './routes/invoices';
import { counterpartyRoutes } from './routes/counterparties';
import { counterpartyReportRoutes } from './routes/counterparty-report';
import { PrismaCounterpartyLookup } from '../prisma/counterparty-repository';
import { mountRegistry } from './registry/mount';
import { mountDocumentRoutes, type AttachmentSettings } from './documents-mount';
import { createAccess } from './access/mount';
import { canonicalPathGate } from './auth/canonical-path';
import { bodyLimitBeforeAuth } from './auth/body-limit';
import { LocalIdentityProvider } from './auth/identity';
import { httpLog } from './http-log';
import { securityHeaders } from './security-headers';
import { routeLiterals } from './route-inventory';
import { ACTION_NAMES } from './registry/actions';
import type { Alerting } from '../activities/alerting';
import type { AuthSettings } from './auth/routes';
import type { KsefCertificateCredential } from '../ksef-client/certificate-credential';
import type { OutboundTargetPolicy } from '../activities/webhooks/target-policy';

export interface ApiDeps {
  prisma: PrismaClient;
  temporal: Client;
  logger: Logger;
  taskQueue: string;
  namespace: string;
  temporalUiUrl: string;
  ksefBaseUrl: string;
  lifecycle: LifecycleSettings;
  vatDictionary?: VatDictionary;
  /** Source systems whose unknown invoice fields are dropped with a warning (UNKNOWN_FIELDS_LENIENT_SOURCE_SYSTEMS); default none. */
  lenientSourceSystems?: readonly string[];
  /** KSeF token per seller NIP (as the worker's), for UPO downloads. */
  ksefTokens?: Record<string, string>;
  /** KSEF_AUTH_METHOD=certificate: UPO downloads authenticate with this certificate (XAdES) instead of the tokens. */
  ksefCertificate?: KsefCertificateCredential | null;
  /** Alerts raised by the API itself (bus factor after a role change); defaults to log-only. */
  alerting?: Alerting;
  auth?: Partial<AuthSettings>;
  alertFallbackChain?: string[];
  /** Where status and chat webhooks may point (config WEBHOOK_ALLOW_INSECURE_TARGETS); default https to public hosts. */
  outboundTargets?: OutboundTargetPolicy;
  /** Attachment storage and upload limits; default: from the environment (config/index.ts). */
  attachments?: Partial<AttachmentSettings>;
  /** Bearer token for /metrics (METRICS_TOKEN); without one only loopback callers may scrape. */
  metricsToken?: string;
}

export function createApp(deps: ApiDeps) {
  const app = express();
  app.disable('x-powered-by');
  // Routing reads paths exactly as the authorisation table does (no case folding, no trailing-slash
  // leniency), and the gate refuses every other spelling before anything else runs.
  app.set('case sensitive routing', true);
  app.set('strict routing', true);
  // Headers first: every answer carries them, the gate's refusals included.
  app.use(securityHeaders());
  const metrics = createApiMetrics(deps.prisma, deps.ksefBaseUrl);
  app.use(metrics.httpMiddleware);
  app.use(httpLog(deps.logger));
  app.use(canonicalPathGate(() => routeLiterals(app, [...ACTION_NAMES, 'cancel-by-correction'])));
  // A large body is read only for a caller whose credentials resolve (api/auth/body-limit.ts).
  const identity = new LocalIdentityProvider(deps.prisma);
  app.use(bodyLimitBeforeAuth(identity));
  // Bytes must be UTF-8 (verified before decoding, which would put U+FFFD in silently), and every
  // string in the JSON body and query string passes the one text rule (api/input-guard.ts).
  app.use(express.json({ limit: '5mb', verify: requireUtf8 }));
  app.use(rejectHostileInput);
  // Authentication and the authorisation matrix before any route (api/auth/route-policy.ts).
  const access = createAccess({ ...deps, identity });
  app.use(access.guard);
  access.mountRoutes(app);

  const service = new InvoiceService(deps.prisma, deps.temporal, deps.taskQueue, deps.lifecycle);
  app.use(metricsRoutes(metrics.registry, deps.metricsToken));
  app.use(healthRoutes({ prisma: deps.prisma, temporal: deps.temporal, taskQueue: deps.taskQueue, ksefBaseUrl: deps.ksefBaseUrl }));
  mountDocumentRoutes(app, deps, service);
  mountRegistry(app, deps);
  app.use('/api/v1/counterparties', counterpartyRoutes({ prisma: deps.prisma }));
  app.use('/api/v1/reports/counterparties', counterpartyReportRoutes({ prisma: deps.prisma, temporal: deps.temporal, taskQueue: deps.taskQueue }));
  app.use('/api/v1/invoices', invoiceRoutes({ prisma: deps.prisma, validation: { vatDictionary: deps.vatDictionary, counterparties: new PrismaCounterpartyLookup(deps.prisma), lenientSourceSystems: deps.lenientSourceSystems }, service, temporalUiUrl: deps.temporalUiUrl, namespace: deps.namespace }));
  app.use((req, res) => sendProblem(res, 404, 'ROUTE_NOT_FOUND', 'Not found', `${req.method} ${req.path} is not an endpoint of this API.`));
  app.use(problemHandler(deps.logger));
  return app;
}

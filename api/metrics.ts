import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { FINAL_STATUSES, INVOICE_STATUSES } from '../domain/lifecycle';
import type { PrismaClient } from '../prisma/client';
import { probeKsef } from './routes/health';

/** Statuses that wait for a person rather than for the system (the "human" part of the backlog). */
const WAITING_ON_HUMAN = new Set(['AWAITING_APPROVAL', 'REJECTED', 'NEEDS_FIX']);

export interface ApiMetrics {
  registry: Registry;
  /** Times every request; the route label is the matched route pattern, never the raw path. */
  httpMiddleware: RequestHandler;
}

/**
 * Business KPIs are read from the registry at scrape time, not counted in memory: every API
 * replica reports the same truth and a restart loses nothing (aggregate with max(), not sum()).
 */
export function createApiMetrics(prisma: PrismaClient, ksefBaseUrl?: string): ApiMetrics {
  // A registry per app (not prom-client's global one): tests and embedders may build several apps.
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'ksefops_api_' });

  const http = new Histogram({
    name: 'ksefops_http_request_duration_seconds',
    help: 'HTTP requests served by the API',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  if (ksefBaseUrl) {
    new Gauge({
      name: 'ksefops_ksef_reachable',
      help: 'KSeF answered this API replica at scrape time (1) or not (0); /readyz stays ready while it is 0',
      registers: [registry],
      async collect() {
        this.set(await probeKsef(ksefBaseUrl).then(() => 1, () => 0));
      },
    });
  }

  new Gauge({
    name: 'ksefops_invoices',
    help: 'Invoices in the registry by lifecycle status',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const rows = await prisma.invoice.groupBy({ by: ['status'], _count: { _all: true } });
      const counts = new Map(rows.map((r) => [r.status as string, r._count._all]));
      // Every status is exported (0 included) so rate() and alerts never see a series vanish.
      for (const status of INVOICE_STATUSES) this.set({ status }, counts.get(status) ?? 0);
    },
  });

  new Gauge({
    name: 'ksefops_invoices_rejected',
    help: 'Invoices whose latest KSeF/validation rejection is still open, by rejection code',
    labelNames: ['code'] as const,
    registers: [registry],
    async collect() {
      const rows = await prisma.invoice.groupBy({
        by: ['rejectionCode'],
        where: { status: { in: ['REJECTED', 'NEEDS_FIX'] } },
        _count: { _all: true },
      });
      this.reset();
      for (const r of rows) this.set({ code: r.rejectionCode ?? 'none' }, r._count._all);
    },
  });

  new Gauge({
    name: 'ksefops_backlog_invoices',
    help: 'Invoices not in a final state, by who has to act next (system or human)',
    labelNames: ['waiting_on'] as const,
    registers: [registry],
    async collect() {
      const rows = await prisma.invoice.groupBy({
        by: ['status'],
        where: { status: { notIn: [...FINAL_STATUSES] } },
        _count: { _all: true },
      });
      let human = 0;
      let system = 0;
      for (const r of rows) {
        if (WAITING_ON_HUMAN.has(r.status)) human += r._count._all;
        else system += r._count._all;
      }
      this.set({ waiting_on: 'human' }, human);
      this.set({ waiting_on: 'system' }, system);
    },
  });

  new Gauge({
    name: 'ksefops_backlog_oldest_age_seconds',
    help: 'Age of the oldest invoice the system is still working on (stuck invoices show up here)',
    registers: [registry],
    async collect() {
      const oldest = await prisma.invoice.findFirst({
        where: { status: { notIn: [...FINAL_STATUSES, ...WAITING_ON_HUMAN] as never } },
        orderBy: { receivedAt: 'asc' },
        select: { receivedAt: true },
      });
      this.set(oldest ? Math.max(0, (Date.now() - oldest.receivedAt.getTime()) / 1000) : 0);
    },
  });

  const httpMiddleware: RequestHandler = (req, res, next) => {
    const stop = http.startTimer();
    res.on('finish', () => {
      // req.route is the innermost matched route; baseUrl is gone after the router unwinds, so it
      // is taken from originalUrl's prefix that the route's mount point accounts for.
      const route = req.route ? routeLabel(req.originalUrl, req.route.path as string) : 'unmatched';
      stop({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };

  return { registry, httpMiddleware };
}

/** "/api/v1/invoices/abc?x=1" with route "/:id" → "/api/v1/invoices/:id" (bounded label values). */
function routeLabel(originalUrl: string, routePath: string): string {
  const path = originalUrl.split('?')[0];
  const routeSegments = routePath === '/' ? 0 : routePath.split('/').length - 1;
  const segments = path.split('/');
  const mount = segments.slice(0, segments.length - routeSegments).join('/');
  return `${mount}${routePath === '/' ? '' : routePath}` || '/';
}

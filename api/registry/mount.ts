import type { Express } from 'express';
import type { ApiDeps } from '../app';
import { actionRoutes } from '../routes/actions';
import { dashboardRoutes } from '../routes/dashboard';
import { openApiDocument } from '../openapi';
import { registryRoutes } from '../routes/registry';
import { uiRoutes } from './ui';
import { UpoService } from './upo';

/**
 * The registry's HTTP surface, mounted by createApp before the submission routes. Reading
 * (`registryRoutes`) and acting (`actionRoutes`) are separate routers so an auth middleware can
 * be put in front of each.
 */
export function mountRegistry(app: Express, deps: ApiDeps): void {
  const upo = new UpoService(deps.ksefBaseUrl, deps.ksefTokens ?? { default: 'local-simulator-token' }, deps.logger, deps.prisma, deps.ksefCertificate ?? null);
  app.use('/api/v1/invoices', actionRoutes({ prisma: deps.prisma, temporal: deps.temporal }));
  app.get('/api/openapi.json', (_req, res) => {
    res.json(openApiDocument());
  });
  app.use('/ui', uiRoutes());
  app.use('/api/v1/dashboard', dashboardRoutes({ prisma: deps.prisma }));
  app.use('/api/v1/invoices', registryRoutes({ prisma: deps.prisma, temporal: deps.temporal, upo, temporalUiUrl: deps.temporalUiUrl, namespace: deps.namespace }));
}

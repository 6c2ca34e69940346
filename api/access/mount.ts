import type { Express } from 'express';
import { createAlerting, type Alerting } from '../../activities/alerting';
import { DEFAULT_CHECK_SETTINGS, checkBusFactor } from '../../activities/alerting/checks';
import type { Logger } from '../../config/logger';
import type { PrismaClient } from '../../prisma/client';
import { LocalIdentityProvider, type IdentityProvider } from '../auth/identity';
import { accessControl } from '../auth/middleware';
import { DEFAULT_AUTH_SETTINGS, authRoutes, type AuthSettings } from '../auth/routes';
import { alertRoutes } from '../routes/alerts';
import { apiKeyRoutes } from '../routes/api-keys';
import { approvalRuleRoutes } from '../routes/approval-rules';
import { auditRoutes } from '../routes/audit';
import { reportRoutes } from '../routes/reports';
import { responsibilityRoutes } from '../routes/responsibility';
import { userRoutes } from '../routes/users';
import { webhookRoutes } from '../routes/webhooks';
import type { OutboundTargetPolicy } from '../../activities/webhooks/target-policy';

export interface AccessDeps {
  prisma: PrismaClient;
  logger: Logger;
  taskQueue: string;
  alerting?: Alerting;
  auth?: Partial<AuthSettings>;
  identity?: IdentityProvider;
  /** Who is told when no responsibility rule matches (config ALERT_ESCALATION_CHAIN). */
  alertFallbackChain?: string[];
  /** Where status and chat webhooks may point (config WEBHOOK_ALLOW_INSECURE_TARGETS); default https to public hosts. */
  outboundTargets?: OutboundTargetPolicy;
}

/**
 * Identities, roles and the operational admin API. `guard` goes in front of every route (auth is
 * on by default, there is no switch to turn it off); `mountRoutes` adds the endpoints.
 */
export function createAccess(deps: AccessDeps) {
  const settings: AuthSettings = { ...DEFAULT_AUTH_SETTINGS, ...deps.auth };
  const identity = deps.identity ?? new LocalIdentityProvider(deps.prisma);
  const alerting = deps.alerting ?? createAlerting({ prisma: deps.prisma, logger: deps.logger, scope: deps.taskQueue, escalationChain: deps.alertFallbackChain });
  const fallbackChain = deps.alertFallbackChain?.length ? deps.alertFallbackChain : ['ksef-process-owner'];
  // A role change can leave a critical role with one person: tell someone now, not at the next sweep.
  const onAccessChange = async () => {
    try {
      await checkBusFactor(deps.prisma, alerting, DEFAULT_CHECK_SETTINGS);
    } catch (error) {
      deps.logger.error({ err: error }, 'bus-factor check after an access change failed');
    }
  };
  return {
    guard: accessControl({ prisma: deps.prisma, identity }),
    mountRoutes(app: Express) {
      app.use('/api/v1/auth', authRoutes({ prisma: deps.prisma, settings }));
      app.use('/api/v1/users', userRoutes({ prisma: deps.prisma, onAccessChange }));
      app.use('/api/v1/api-keys', apiKeyRoutes({ prisma: deps.prisma }));
      app.use('/api/v1/audit', auditRoutes({ prisma: deps.prisma }));
      app.use('/api/v1/reports', reportRoutes({ prisma: deps.prisma }));
      app.use('/api/v1/alerts', alertRoutes({ prisma: deps.prisma }));
      app.use('/api/v1/responsibility-rules', responsibilityRoutes({ prisma: deps.prisma, fallbackChain, targets: deps.outboundTargets }));
      app.use('/api/v1/approval-rules', approvalRuleRoutes({ prisma: deps.prisma }));
      app.use('/api/v1/webhooks', webhookRoutes({ prisma: deps.prisma, targets: deps.outboundTargets }));
    },
  };
}

/**
 * Activities of corrections, offline mode and purchase-invoice import, wired next to the lifecycle's
 * own (worker/create-worker.ts). Settings that only these need travel in `FeatureDeps`.
 */
import type { ActivityDeps } from '.';
import { createCorrectionActivities } from './corrections';
import { createOfflineActivities, type OfflineSettings } from './offline';
import { createImportActivities, type ImportSettings } from './imports';

export interface FeatureDeps {
  offline?: OfflineSettings;
  imports?: ImportSettings;
}

export function createFeatureActivities(deps: ActivityDeps, features: FeatureDeps = {}) {
  return {
    ...createCorrectionActivities({ prisma: deps.prisma }),
    ...createOfflineActivities({ prisma: deps.prisma, offline: features.offline, alerting: deps.alerting }),
    ...createImportActivities({ prisma: deps.prisma, ksef: deps.ksef, logger: deps.logger, imports: features.imports }),
  };
}

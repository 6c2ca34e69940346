/**
 * Activities of corrections, offline mode and purchase-invoice import, wired next to the lifecycle's
 * own (worker/create-worker.ts). Settings that only these need travel in `FeatureDeps`.
 */
import type { ActivityDeps } from '.';
import { createCorrectionActivities } from './corrections';

export interface FeatureDeps {}

export function createFeatureActivities(deps: ActivityDeps, _features: FeatureDeps = {}) {
  return {
    ...createCorrectionActivities({ prisma: deps.prisma }),
  };
}

import path from 'node:path';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import { createAlerting } from '../activities/alerts';
import { createOperationsActivities, type OperationsDeps } from '../activities/operations';
import { createCounterpartyAuditActivities } from '../activities/counterparty-audit';
import { createFeatureActivities, type FeatureDeps } from '../activities/features';
import { withErrorClassification } from '../activities/errors';

export interface WorkerWiring {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** Offline mode (QR, certificate, availability), purchase import settings. */
  features?: FeatureDeps;
  /** Status-webhook delivery and periodic alert checks (activities of the operations sweep). */
  operations?: Pick<OperationsDeps, 'webhooks' | 'checks' | 'stuck'>;
  /** Tuning knobs (documented in docs/OPERATIONS.md with the figures they gave). */
  tuning?: Pick<WorkerOptions, 'maxConcurrentActivityTaskExecutions' | 'maxConcurrentWorkflowTaskExecutions' | 'maxCachedWorkflows'>;
  /** Shown in workflow histories (WorkflowTaskCompleted, ActivityTaskStarted); SDK default pid@host. */
  identity?: string;
  /** In-flight activities get this long to finish after shutdown() before they are cancelled. */
  shutdownGraceMs?: number;
  /** Prebuilt workflow bundle (tests share one to skip repeated webpack runs). */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

export const WORKFLOWS_PATH = path.resolve(__dirname, '..', 'workflows', 'index.ts');

/** Wires workflows and activities into one Temporal worker; `worker/main.ts` and the tests both use it. */
export async function createWorker(w: WorkerWiring): Promise<Worker> {
  // One alerting for the lifecycle and the sweep, so digests fold what the lifecycle raised.
  const alerting = w.deps.alerting ?? createAlerting({ prisma: w.deps.prisma, logger: w.deps.logger, scope: w.taskQueue });
  return Worker.create({
    connection: w.connection,
    namespace: w.namespace,
    taskQueue: w.taskQueue,
    // Deterministic failures (constraint violations, invalid data, 4xx from KSeF) leave every activity
    // as non-retryable with a code, so no policy retries them forever (activities/errors.ts).
    activities: withErrorClassification({
      ...createActivities({ ...w.deps, alerting }),
      ...createOperationsActivities({ ...w.deps, ...w.operations, alerting }),
      ...createFeatureActivities({ ...w.deps, alerting }, w.features),
      ...createCounterpartyAuditActivities(w.deps),
    }),
    ...(w.workflowBundle ? { workflowBundle: w.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    ...w.tuning,
    ...(w.identity ? { identity: w.identity } : {}),
    ...(w.shutdownGraceMs !== undefined ? { shutdownGraceTime: w.shutdownGraceMs } : {}),
  });
}

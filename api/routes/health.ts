import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { PrismaClient } from '../../prisma/client';

export interface HealthDeps {
  prisma: PrismaClient;
  temporal: Client;
  taskQueue: string;
  ksefBaseUrl: string;
}

const REQUIRED = new Set(['database', 'temporal', 'worker']);

async function check(name: string, probe: () => Promise<void>, timeoutMs = 3000) {
  const started = Date.now();
  try {
    await Promise.race([probe(), new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs))]);
    return { name, ok: true, ms: Date.now() - started };
  } catch (error) {
    return { name, ok: false, ms: Date.now() - started, error: (error as Error).message };
  }
}

/** KSeF answers (its public keys): the readiness report and the ksefops_ksef_reachable metric ask the same. */
export async function probeKsef(ksefBaseUrl: string): Promise<void> {
  const response = await fetch(`${ksefBaseUrl}/security/public-key-certificates`, { signal: AbortSignal.timeout(2500) });
  if (!response.ok) throw new Error(`KSeF answered HTTP ${response.status}`);
}

/**
 * /healthz: the process is up. /readyz: what this process needs to take invoices is reachable. KSeF
 * is reported but does not make the API unready: intake, the registry and offline mode are exactly
 * what must keep working while KSeF is down (its reachability is a metric and an alert instead).
 */
export function healthRoutes(deps: HealthDeps): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', uptimeSeconds: Math.round(process.uptime()) });
  });
  router.get('/readyz', async (_req, res) => {
    const checks = await Promise.all([
      check('database', async () => {
        await deps.prisma.$queryRaw`SELECT 1`;
      }),
      check('temporal', async () => {
        // A deadline, not only the race below: without it the SDK keeps retrying an unreachable
        // server in the background long after this probe has answered.
        await deps.temporal.connection.withDeadline(Date.now() + 2500, () => deps.temporal.connection.workflowService.getSystemInfo({}));
      }),
      check('worker', async () => {
        const described = await deps.temporal.connection.withDeadline(Date.now() + 2500, () =>
          deps.temporal.connection.workflowService.describeTaskQueue({
            namespace: deps.temporal.options.namespace,
            taskQueue: { name: deps.taskQueue },
            taskQueueType: 1, // workflow task queue: a worker polling it can run invoices
          }),
        );
        if (!described.pollers?.length) throw new Error(`no worker is polling task queue "${deps.taskQueue}"`);
      }),
      check('ksef', () => probeKsef(deps.ksefBaseUrl)),
    ]);
    const ready = checks.every((c) => c.ok || !REQUIRED.has(c.name));
    const degraded = checks.filter((c) => !c.ok && !REQUIRED.has(c.name)).map((c) => c.name);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not-ready', ...(degraded.length > 0 ? { degraded } : {}), checks });
  });
  return router;
}

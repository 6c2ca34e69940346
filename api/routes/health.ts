import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { PrismaClient } from '../../prisma/client';

export interface HealthDeps {
  prisma: PrismaClient;
  temporal: Client;
  taskQueue: string;
  ksefBaseUrl: string;
}

async function check(name: string, probe: () => Promise<void>, timeoutMs = 3000) {
  const started = Date.now();
  try {
    await Promise.race([probe(), new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs))]);
    return { name, ok: true, ms: Date.now() - started };
  } catch (error) {
    return { name, ok: false, ms: Date.now() - started, error: (error as Error).message };
  }
}

/** /healthz: the process is up. /readyz: everything an invoice needs is reachable right now. */
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
      check('ksef', async () => {
        const response = await fetch(`${deps.ksefBaseUrl}/security/public-key-certificates`, { signal: AbortSignal.timeout(2500) });
        if (!response.ok) throw new Error(`KSeF answered HTTP ${response.status}`);
      }),
    ]);
    const ready = checks.every((c) => c.ok);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not-ready', checks });
  });
  return router;
}

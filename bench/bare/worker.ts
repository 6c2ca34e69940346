/**
 * Worker process for the bare workflow, tuned by the same WORKER_* variables as worker/main.ts so
 * both sides of the comparison run with identical slots and cache.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { loadConfig } from '../../config';
import { createBareActivities } from './activities';

async function main() {
  const config = loadConfig();
  const bundle = process.env.WORKER_WORKFLOW_BUNDLE;
  if (!bundle) throw new Error('WORKER_WORKFLOW_BUNDLE is required');
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    workflowBundle: { codePath: bundle },
    activities: createBareActivities(),
    ...config.worker,
  });
  const stop = () => worker.getState() === 'RUNNING' && worker.shutdown();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.stdout.write(`${JSON.stringify({ msg: 'worker polling' })}\n`);
  await worker.run();
  await connection.close();
}

main().catch((error) => {
  process.stderr.write(`${String(error?.stack ?? error)}\n`);
  process.exit(1);
});

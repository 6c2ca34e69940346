/**
 * Build the workflow bundle ahead of time (the Docker image does this once): a worker given
 * WORKER_WORKFLOW_BUNDLE starts in seconds instead of running webpack on every replica start.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../worker/create-worker';

async function main() {
  const target = path.resolve(process.argv[2] ?? 'dist/workflow-bundle.js');
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH });
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, code);
  process.stdout.write(`workflow bundle: ${target} (${Math.round(code.length / 1024)} KiB)\n`);
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});

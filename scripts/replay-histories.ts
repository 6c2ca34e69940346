/**
 * Replays every recorded history in test/fixtures/histories against the current workflow code
 * (used by test/integration/replay.test.ts; runs in its own process because protobufjs, which the
 * history JSON decoding needs, does not survive jest's module registry).
 *   tsx scripts/replay-histories.ts [bundle.js | workflows/index.ts]
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../worker/create-worker';

async function main() {
  const dir = path.resolve(__dirname, '..', 'test', 'fixtures', 'histories');
  const target = process.argv[2];
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  let failed = 0;
  for (const file of files) {
    const history = historyFromJSON(JSON.parse(readFileSync(path.join(dir, file), 'utf8')));
    const type = history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name;
    try {
      const code = !target ? { workflowsPath: WORKFLOWS_PATH } : target.endsWith('.ts') ? { workflowsPath: path.resolve(target) } : { workflowBundle: { codePath: target } };
      await Worker.runReplayHistory(code, history, `replay-${file}`);
      process.stdout.write(`ok ${file} ${type} ${history.events?.length} events\n`);
    } catch (error) {
      failed += 1;
      process.stdout.write(`FAIL ${file} ${type}: ${(error as Error).message}\n`);
    }
  }
  process.exit(failed ? 1 : 0);
}

void main();

/**
 * How a workflow change is rolled out while invoices are in flight: a change to the sequence of
 * commands breaks running workflows (replay fails), the same change behind `patched()` does not.
 * Both variants are built from a copy of workflows/ and replayed against the recorded histories.
 */
import { execFile } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..');
const NEXT = path.join(ROOT, 'workflows-next');
const ANCHOR = "  upsertSearchAttributes({ KsefStatus: ['RECEIVED'] });";

function variant(change: string) {
  rmSync(NEXT, { recursive: true, force: true });
  cpSync(path.join(ROOT, 'workflows'), NEXT, { recursive: true });
  const file = path.join(NEXT, 'invoice-lifecycle.ts');
  const source = readFileSync(file, 'utf8');
  expect(source).toContain(ANCHOR);
  const changed = source.replace(ANCHOR, `${change}\n${ANCHOR}`);
  // The workflow may already import patched() for earlier changes.
  const importsPatched = /^\s+patched,$/m.test(source.slice(0, source.indexOf("from '@temporalio/workflow'")));
  writeFileSync(file, importsPatched ? changed : changed.replace('import {\n  ActivityFailure,', 'import {\n  patched,\n  ActivityFailure,'));
}

async function replay(): Promise<string> {
  const result = await run(path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/replay-histories.ts', path.join(NEXT, 'index.ts')], { cwd: ROOT }).catch(
    (error: { stdout: string }) => ({ stdout: error.stdout }),
  );
  return result.stdout;
}

describe('rolling out workflow changes with patching', () => {
  afterAll(() => rmSync(NEXT, { recursive: true, force: true }));

  it('an unguarded change to the command sequence fails replay of running invoices', async () => {
    variant('  await sleep(10);');
    const out = await replay();
    expect(out).toMatch(/FAIL happy-path\.json invoiceLifecycleWorkflow: .*nondeterminism/);
  });

  it('the same change behind patched() replays old histories and applies to new runs', async () => {
    variant("  if (patched('pause-before-received')) await sleep(10);");
    const out = await replay();
    expect(out).not.toContain('FAIL');
    expect(out).toMatch(/ok happy-path\.json/);
    expect(out).toMatch(/ok rejection-correction\.json/);
  });
});

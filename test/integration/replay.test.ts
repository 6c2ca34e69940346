/**
 * Replays recorded workflow histories against the current workflow code: a change that would make
 * running invoices non-deterministic fails here, in CI, before it reaches a worker. Intentional
 * changes go behind `patched()` (docs/WORKFLOW-VERSIONING.md); re-record with RECORD_HISTORIES=1
 * only when every old history still replays.
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { testEnv } from '../support/stack';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..');
const DIR = path.join(ROOT, 'test', 'fixtures', 'histories');

describe('recorded workflow histories replay on the current code', () => {
  it('has recorded histories for the invoice lifecycle and the dispatcher', () => {
    expect(readdirSync(DIR)).toEqual(expect.arrayContaining(['happy-path.json', 'rejection-correction.json', 'dispatcher-one-invoice.json']));
  });

  it('replays every history without a non-determinism error', async () => {
    const { stdout } = await run(path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/replay-histories.ts', testEnv().bundle], { cwd: ROOT });
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(readdirSync(DIR).filter((f) => f.endsWith('.json')).length);
    for (const line of lines) expect(line).toMatch(/^ok /);
    expect(stdout).toContain('invoiceLifecycleWorkflow');
    expect(stdout).toContain('ksefDispatcherWorkflow');
  });
});

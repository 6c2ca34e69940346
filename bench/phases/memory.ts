/**
 * Worker memory with many invoices waiting for people at once: the simulator rejects the next N
 * invoices, every one of them ends in REJECTED (triage, waiting for a correction), and the worker
 * process's resident set is read before and after.
 */
import { randomUUID } from 'node:crypto';
import { submitAll, waitForStatus } from '../support/api';
import type { BenchInfra } from '../support/infra';
import { benchInvoice, sellerNips } from '../support/invoices';
import { loadAverage, rssMiB } from '../support/processes';
import { progress, say } from '../support/progress';
import { startProduct } from '../support/product';

export interface MemoryResult {
  label: string;
  waiting: number;
  cachedWorkflows: string;
  idleMiB: number;
  waitingMiB: number;
  perInvoiceKiB: number;
  load: string;
}

export async function waitingMemory(infra: BenchInfra, o: { label: string; invoices: number; concurrency: number; sellerBlock: number; workerEnv?: NodeJS.ProcessEnv }): Promise<MemoryResult> {
  const product = await startProduct(infra, {
    label: `memory-${o.label}`,
    simulator: { faults: { rejectInvoices: { count: o.invoices, code: 450, description: 'Błąd weryfikacji semantyki dokumentu faktury', details: ['bench: forced rejection'] } } },
    workerEnv: o.workerEnv,
  });
  try {
    const [seller] = sellerNips(o.sellerBlock, 1);
    const prefix = `FV/MEM/${randomUUID().slice(0, 6)}/`;
    const pid = product.workers[0].pid;
    // Settle first: the figure is the worker at rest with its sweep running, not mid-start-up.
    await new Promise((r) => setTimeout(r, 5000));
    const idleMiB = rssMiB(pid);
    await submitAll(product.api, (i) => benchInvoice(seller, prefix, i), o.invoices, o.concurrency, (d) => progress(`memory ${o.label}: submit`, d, o.invoices));
    await waitForStatus(product.api.prisma, prefix, o.invoices, 'REJECTED', 30 * 60_000, (d) => progress(`memory ${o.label}: REJECTED`, d, o.invoices));
    await new Promise((r) => setTimeout(r, 5000));
    const waitingMiB = rssMiB(pid);
    const result = {
      label: o.label,
      waiting: o.invoices,
      cachedWorkflows: o.workerEnv?.WORKER_MAX_CACHED_WORKFLOWS ?? '2000 (default)',
      idleMiB,
      waitingMiB,
      perInvoiceKiB: ((waitingMiB - idleMiB) * 1024) / o.invoices,
      load: loadAverage(),
    };
    say(`memory ${o.label}: worker RSS ${idleMiB.toFixed(0)} MiB idle → ${waitingMiB.toFixed(0)} MiB with ${o.invoices} invoices in REJECTED`);
    return result;
  } finally {
    await product.stop();
  }
}

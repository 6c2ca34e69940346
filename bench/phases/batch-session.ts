/**
 * The KSeF-facing part alone at full scale: 10 000 invoices already rendered and queued for one
 * seller (as `enqueueForKsef` leaves them), shipped by the real dispatcher workflow, KSeF client
 * and simulator at the published limits, until every outcome is collected. No invoice workflows
 * take part — the outcome signals go to workflow ids that do not exist, which the dispatcher
 * ignores as it does for a cancelled invoice — so the figure is what the dispatcher, the client and
 * the simulator do with one full batch session, not the end-to-end rate (section 3 above).
 */
import { createHash, randomUUID } from 'node:crypto';
import { InvoiceSchema } from '../../domain/invoice';
import { buildFa3Xml } from '../../fa3/build';
import { loadConfig } from '../../config';
import { DISPATCHER_WORKFLOW_PREFIX, wakeDispatcherSignal } from '../../workflows/contracts';
import type { BenchInfra } from '../support/infra';
import { benchInvoice, sellerNips } from '../support/invoices';
import { cpuSeconds, loadAverage } from '../support/processes';
import { progress, say } from '../support/progress';
import { served429, startProduct } from '../support/product';

export interface BatchSessionResult {
  invoices: number;
  renderSeconds: number;
  /** Dispatcher woken → every outcome delivered. */
  seconds: number;
  /** Dispatcher woken → upload of the last session finished. */
  uploadSeconds: number;
  sessions: number;
  largestSession: number;
  requests: Record<string, number>;
  tooMany: number;
  accepted: number;
  workerCpu: number;
  simulatorCpu: number;
  load: string;
}

export async function fullBatchSession(infra: BenchInfra, o: { invoices: number; sellerBlock: number }): Promise<BatchSessionResult> {
  const product = await startProduct(infra, { label: 'batchsession', simulator: {} });
  try {
    const [seller] = sellerNips(o.sellerBlock, 1);
    const prisma = product.api.prisma;
    const prefix = `FV/B10K/${randomUUID().slice(0, 6)}/`;
    const generatedAt = new Date();
    const renderStarted = Date.now();
    for (let from = 0; from < o.invoices; from += 1000) {
      const rows = Array.from({ length: Math.min(1000, o.invoices - from) }, (_, k) => {
        const xml = buildFa3Xml(InvoiceSchema.parse(benchInvoice(seller, prefix, from + k)), { generatedAt });
        const registryId = randomUUID();
        return {
          registryId,
          workflowId: `bench-no-workflow-${registryId}`,
          sellerNip: seller,
          dispatchId: `${registryId}:1`,
          xml,
          invoiceHash: createHash('sha256').update(xml, 'utf8').digest('base64'),
          queuedAt: new Date(),
        };
      });
      await prisma.ksefDocument.createMany({ data: rows });
      progress('batch session: render + queue', from + rows.length, o.invoices);
    }
    const renderSeconds = (Date.now() - renderStarted) / 1000;

    const cpu0 = { worker: cpuSeconds(product.workers[0].pid), simulator: cpuSeconds(product.simulator.pid) };
    const started = Date.now();
    await product.api.temporal.workflow.signalWithStart('ksefDispatcherWorkflow', {
      workflowId: `${DISPATCHER_WORKFLOW_PREFIX}${seller}`,
      taskQueue: product.taskQueue,
      args: [{ sellerNip: seller, settings: loadConfig().dispatcher }],
      signal: wakeDispatcherSignal,
      signalArgs: [],
    });
    const deadline = started + 60 * 60_000;
    for (;;) {
      const delivered = await prisma.ksefDocument.count({ where: { sellerNip: seller, outcomeDeliveredAt: { not: null } } });
      progress('batch session: outcomes collected', delivered, o.invoices);
      if (delivered >= o.invoices) break;
      if (Date.now() > deadline) throw new Error(`batch session: ${delivered}/${o.invoices} outcomes after 60 min`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const workerCpu = cpuSeconds(product.workers[0].pid) - cpu0.worker;
    const simulatorCpu = cpuSeconds(product.simulator.pid) - cpu0.simulator;
    const times = await prisma.ksefDocument.aggregate({ where: { sellerNip: seller }, _max: { sentAt: true, outcomeDeliveredAt: true } });
    const sessions = await prisma.ksefDocument.groupBy({ by: ['sessionRef'], where: { sellerNip: seller }, _count: { _all: true } });
    const accepted = await prisma.ksefDocument.count({ where: { sellerNip: seller, finalCode: 200 } });
    const requests = await product.simRequests();
    const result: BatchSessionResult = {
      invoices: o.invoices,
      renderSeconds,
      seconds: (times._max.outcomeDeliveredAt!.getTime() - started) / 1000,
      uploadSeconds: (times._max.sentAt!.getTime() - started) / 1000,
      sessions: sessions.length,
      largestSession: Math.max(...sessions.map((s) => s._count._all)),
      requests: Object.fromEntries(Object.entries(requests).map(([group, c]) => [group, c.total])),
      tooMany: served429(requests),
      accepted,
      workerCpu,
      simulatorCpu,
      load: loadAverage(),
    };
    say(`batch session: ${o.invoices} queued invoices through ${result.sessions} session(s) in ${result.seconds.toFixed(1)} s (${(o.invoices / result.seconds).toFixed(0)}/s), ${accepted} accepted`);
    return result;
  } finally {
    await product.stop();
  }
}

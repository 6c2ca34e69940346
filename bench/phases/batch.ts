/**
 * KSeF batch mode at the published limits: one seller's 10 000 invoices, the latency of single
 * invoices at low volume, and several sellers at once with one worker process against two.
 */
import { randomUUID } from 'node:crypto';
import { acceptLatencies, submitAll, waitForStatus } from '../support/api';
import type { BenchInfra } from '../support/infra';
import { benchInvoice, sellerNips } from '../support/invoices';
import { cpuSeconds, loadAverage } from '../support/processes';
import { percentile, progress, say } from '../support/progress';
import { served429, startProduct } from '../support/product';
import { PUBLISHED_LIMITS } from '../../workflows/rate-budget';

const MAX_INVOICES_PER_SESSION = 10_000;
/** Open and close of a batch session both count in the batch-session group (as the simulator counts them). */
export const CEILING_PER_SECOND = ((PUBLISHED_LIMITS.batchSession.perHour / 2) * MAX_INVOICES_PER_SESSION) / 3600;
/** The reading in the issue: 60 sessions an hour. */
export const CEILING_IF_60_SESSIONS = (PUBLISHED_LIMITS.batchSession.perHour * MAX_INVOICES_PER_SESSION) / 3600;

export interface BatchResult {
  invoices: number;
  seconds: number;
  perSecond: number;
  submitSeconds: number;
  requests: Record<string, number>;
  tooMany: number;
  sendModes: Record<string, number>;
  batchSessions: number;
  largestSession: number;
  /** The largest batch session, KSeF side only: upload finished → every outcome delivered to its workflow. */
  largestSessionSeconds: number;
  acceptP50: number;
  acceptP95: number;
  acceptMax: number;
  single: { count: number; p50: number; max: number; modes: Record<string, number> };
  workerCpu: number;
  load: string;
}

export async function batchOneSeller(infra: BenchInfra, o: { invoices: number; singles: number; concurrency: number; sellerBlock: number; workerEnv?: NodeJS.ProcessEnv }): Promise<BatchResult> {
  const product = await startProduct(infra, { label: 'batch', simulator: {}, workerEnv: o.workerEnv });
  try {
    const [seller, singleSeller] = sellerNips(o.sellerBlock, 2);
    const prisma = product.api.prisma;
    const prefix = `FV/BATCH/${randomUUID().slice(0, 6)}/`;
    const cpu0 = cpuSeconds(product.workers[0].pid);
    const started = Date.now();
    await submitAll(product.api, (i) => benchInvoice(seller, prefix, i), o.invoices, o.concurrency, (d) => progress('batch: submit', d, o.invoices));
    const submitSeconds = (Date.now() - started) / 1000;
    await waitForStatus(prisma, prefix, o.invoices, 'ACCEPTED', 90 * 60_000, (d) => progress('batch: ACCEPTED', d, o.invoices));
    const { ms, last } = await acceptLatencies(prisma, prefix);
    const seconds = (last - started) / 1000;
    const workerCpu = cpuSeconds(product.workers[0].pid) - cpu0;
    const load = loadAverage();
    const modes = await prisma.ksefDocument.groupBy({ by: ['sendMode'], where: { sellerNip: seller }, _count: { _all: true } });
    const sessions = await prisma.ksefDocument.groupBy({
      by: ['sessionRef'],
      where: { sellerNip: seller, sendMode: 'BATCH' },
      _count: { _all: true },
      _min: { sentAt: true },
      _max: { outcomeDeliveredAt: true },
    });
    const largest = [...sessions].sort((a, b) => b._count._all - a._count._all)[0];
    say(`batch: ${o.invoices} invoices of one seller ACCEPTED in ${seconds.toFixed(1)} s (${(o.invoices / seconds).toFixed(1)}/s), ${sessions.length} batch sessions`);

    // Low volume: one invoice at a time, each waited for, through a seller with an untouched budget.
    const singlePrefix = `FV/ONE/${randomUUID().slice(0, 6)}/`;
    const single: number[] = [];
    for (let i = 0; i < o.singles; i++) {
      await submitAll(product.api, () => benchInvoice(singleSeller, singlePrefix, i), 1, 1);
      await waitForStatus(prisma, singlePrefix, i + 1, 'ACCEPTED', 5 * 60_000);
      progress('batch: single invoices', i + 1, o.singles);
    }
    const singles = await acceptLatencies(prisma, singlePrefix);
    single.push(...singles.ms);
    const singleModes = await prisma.ksefDocument.groupBy({ by: ['sendMode'], where: { sellerNip: singleSeller }, _count: { _all: true } });

    const requests = await product.simRequests();
    return {
      invoices: o.invoices,
      seconds,
      perSecond: o.invoices / seconds,
      submitSeconds,
      requests: Object.fromEntries(Object.entries(requests).map(([group, c]) => [group, c.total])),
      tooMany: served429(requests),
      sendModes: Object.fromEntries(modes.map((m) => [m.sendMode ?? 'none', m._count._all])),
      batchSessions: sessions.length,
      largestSession: largest?._count._all ?? 0,
      largestSessionSeconds: largest?._min.sentAt && largest._max.outcomeDeliveredAt ? (largest._max.outcomeDeliveredAt.getTime() - largest._min.sentAt.getTime()) / 1000 : NaN,
      acceptP50: percentile(ms, 0.5),
      acceptP95: percentile(ms, 0.95),
      acceptMax: Math.max(...ms),
      single: { count: single.length, p50: percentile(single, 0.5), max: Math.max(...single), modes: Object.fromEntries(singleModes.map((m) => [m.sendMode ?? 'none', m._count._all])) },
      workerCpu,
      load,
    };
  } finally {
    await product.stop();
  }
}

export interface SellersResult {
  workers: number;
  sellers: number;
  invoices: number;
  seconds: number;
  perSecond: number;
  tooMany: number;
  workerCpu: number[];
  load: string;
}

export async function severalSellers(infra: BenchInfra, o: { workers: number; sellers: number; perSeller: number; concurrency: number; sellerBlock: number; workerEnv?: NodeJS.ProcessEnv }): Promise<SellersResult> {
  const product = await startProduct(infra, { label: `sellers${o.workers}w`, simulator: {}, workers: o.workers, workerEnv: o.workerEnv });
  try {
    const nips = sellerNips(o.sellerBlock, o.sellers);
    const prefix = `FV/MS${o.workers}/${randomUUID().slice(0, 6)}/`;
    const total = o.sellers * o.perSeller;
    const cpu0 = product.workers.map((w) => cpuSeconds(w.pid));
    const started = Date.now();
    await submitAll(product.api, (i) => benchInvoice(nips[i % nips.length], prefix, i), total, o.concurrency, (d) => progress(`${o.workers} worker(s): submit`, d, total));
    await waitForStatus(product.api.prisma, prefix, total, 'ACCEPTED', 90 * 60_000, (d) => progress(`${o.workers} worker(s): ACCEPTED`, d, total));
    const { last } = await acceptLatencies(product.api.prisma, prefix);
    const seconds = (last - started) / 1000;
    const result = {
      workers: o.workers,
      sellers: o.sellers,
      invoices: total,
      seconds,
      perSecond: total / seconds,
      tooMany: served429(await product.simRequests()),
      workerCpu: product.workers.map((w, k) => cpuSeconds(w.pid) - cpu0[k]),
      load: loadAverage(),
    };
    say(`${o.sellers} sellers, ${o.workers} worker process(es): ${total} invoices in ${seconds.toFixed(1)} s (${result.perSecond.toFixed(1)}/s)`);
    return result;
  } finally {
    await product.stop();
  }
}

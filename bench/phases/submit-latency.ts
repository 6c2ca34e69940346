/**
 * API submit latency at a fixed request rate (autocannon, every request a new invoice number), with
 * the worker processing what comes in — the load a source system puts on the API in production.
 */
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import type { BenchInfra } from '../support/infra';
import { benchInvoice, sellerNips } from '../support/invoices';
import { loadAverage } from '../support/processes';
import { percentile, progress, say } from '../support/progress';
import { startProduct } from '../support/product';

export interface SubmitLatencyResult {
  rate: number;
  durationSeconds: number;
  connections: number;
  requests: number;
  accepted202: number;
  other: number;
  errors: number;
  timeouts: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** autocannon's own histogram, corrected for coordinated omission (it has no p95). */
  correctedP50: number;
  correctedP99: number;
  acceptedByEnd: number;
  load: string;
}

export async function submitLatency(infra: BenchInfra, o: { rate: number; durationSeconds: number; connections: number; sellerBlock: number }): Promise<SubmitLatencyResult> {
  const product = await startProduct(infra, { label: 'latency', simulator: {} });
  try {
    const [seller] = sellerNips(o.sellerBlock, 1);
    const prefix = `FV/LAT/${randomUUID().slice(0, 6)}/`;
    let n = 0;
    const times: number[] = [];
    let accepted202 = 0;
    let other = 0;
    const started = Date.now();
    const result = await new Promise<autocannon.Result>((resolve, reject) => {
      const instance = autocannon(
        {
          url: product.api.url,
          connections: o.connections,
          overallRate: o.rate,
          duration: o.durationSeconds,
          timeout: 30,
          requests: [
            {
              method: 'POST',
              path: '/api/v1/invoices',
              headers: product.api.headers,
              setupRequest: (request: any) => ({ ...request, body: JSON.stringify(benchInvoice(seller, prefix, n++)) }),
            },
          ],
        },
        (error, r) => (error ? reject(error) : resolve(r)),
      );
      instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
        times.push(responseTime);
        if (statusCode === 202) accepted202 += 1;
        else other += 1;
        progress('submit latency', Math.min(o.durationSeconds, Math.round((Date.now() - started) / 1000)), o.durationSeconds, `s, ${times.length} requests`);
      });
    });
    const load = loadAverage();
    // How far the worker got with them when the load stopped (they are not waited for: this is about the API).
    const acceptedByEnd = await product.api.prisma.invoice.count({ where: { invoiceNumber: { startsWith: prefix }, status: 'ACCEPTED' } });
    const out: SubmitLatencyResult = {
      rate: o.rate,
      durationSeconds: o.durationSeconds,
      connections: o.connections,
      requests: times.length,
      accepted202,
      other,
      errors: result.errors,
      timeouts: result.timeouts,
      p50: percentile(times, 0.5),
      p95: percentile(times, 0.95),
      p99: percentile(times, 0.99),
      max: Math.max(...times),
      correctedP50: result.latency.p50,
      correctedP99: result.latency.p99,
      acceptedByEnd,
      load,
    };
    say(`submit latency at ${o.rate} req/s: p50 ${out.p50.toFixed(1)} ms, p95 ${out.p95.toFixed(1)} ms, p99 ${out.p99.toFixed(1)} ms (${accepted202} × 202, ${other} other)`);
    return out;
  } finally {
    await product.stop();
  }
}

/**
 * Production shape on this machine: the Temporal server (not the dev server) on PostgreSQL with 4
 * history shards, 2 API processes, 2 worker processes, the simulator answering 10 % 5xx. Invoices
 * from 3 source systems; during the load a worker is killed with SIGKILL, the Temporal server
 * process restarts and one API restarts. Then: every invoice final, each in KSeF once, none stuck.
 * `npm test` runs a small load (SHAPE_INVOICES, default 45); `npm run test:production-shape` runs
 * 300 and writes the throughput of the same clean load on both Temporal servers to SHAPE_REPORT.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { sampleInvoice } from '../support/invoices';
import { eventually } from '../support/stack';
import { SOURCE_SYSTEMS, startCluster, type Cluster } from './cluster';

const N = Number(process.env.SHAPE_INVOICES ?? 45);
const REPORT = process.env.SHAPE_REPORT;
jest.setTimeout(Number(process.env.SHAPE_TIMEOUT_MS ?? 1_500_000));

const FINAL = ['ACCEPTED', 'REJECTED', 'CANCELLED', 'MANUAL_EXCEPTION'];

function invoicesFor(cluster: Cluster, label: string, count: number) {
  return Array.from({ length: count }, (_, i) => ({
    source: SOURCE_SYSTEMS[i % SOURCE_SYSTEMS.length],
    invoice: sampleInvoice({
      sourceSystem: SOURCE_SYSTEMS[i % SOURCE_SYSTEMS.length],
      invoiceNumber: `SHAPE/${label}/${Date.now()}/${i}`,
      seller: { nip: cluster.sellerNip, name: 'Kształt Produkcyjny Sp. z o.o.', address: { countryCode: 'PL', line1: 'ul. Klastrowa 4' } },
    }),
  }));
}

/**
 * Submits with a few in flight, alternating the APIs. A refused connection or a 5xx while an API or
 * Temporal restarts is retried with the same body: intake is idempotent, so nothing is doubled.
 */
async function submitAll(cluster: Cluster, items: ReturnType<typeof invoicesFor>, onProgress: (done: number) => Promise<void> = async () => undefined) {
  const ids: string[] = new Array(items.length);
  let next = 0;
  let done = 0;
  const lane = async () => {
    for (let i = next++; i < items.length; i = next++) {
      const { source, invoice } = items[i];
      ids[i] = await eventually(async () => {
        const api = cluster.apis[i % cluster.apis.length];
        const response = await fetch(`${api.url}/api/v1/invoices`, { method: 'POST', headers: { ...cluster.keys[source], 'content-type': 'application/json' }, body: JSON.stringify(invoice) }).catch(() => null);
        if (!response || response.status >= 500) return undefined;
        const body = (await response.json()) as { id?: string };
        if (response.status !== 202 && response.status !== 200) throw new Error(`submit answered ${response.status}: ${JSON.stringify(body)}`);
        return body.id;
      }, 300_000, 500);
      await onProgress(++done);
    }
  };
  await Promise.all(Array.from({ length: 6 }, lane));
  return ids;
}

async function waitAllFinal(cluster: Cluster, ids: string[]): Promise<number> {
  await eventually(async () => (await cluster.prisma.invoice.count({ where: { id: { in: ids }, status: { in: FINAL as never } } })) === ids.length, 1_200_000, 1000);
  return Date.now();
}

async function verifyOnceInKsef(cluster: Cluster, ids: string[], numbers: string[]) {
  const rows = await cluster.prisma.invoice.findMany({ where: { id: { in: ids } }, select: { invoiceNumber: true, status: true, ksefNumber: true } });
  expect(rows.filter((r) => r.status !== 'ACCEPTED')).toEqual([]);
  const ledger = (await (await fetch(`${cluster.simulatorRootUrl}/_sim/ledger?sellerNip=${cluster.sellerNip}`)).json()) as { accepted: Array<{ invoiceNumber: string; ksefNumber: string }> };
  const timesInKsef = new Map<string, number>();
  for (const entry of ledger.accepted) timesInKsef.set(entry.invoiceNumber, (timesInKsef.get(entry.invoiceNumber) ?? 0) + 1);
  expect(numbers.filter((n) => timesInKsef.get(n) !== 1)).toEqual([]);
  for (const row of rows) expect(row.ksefNumber).toBe(ledger.accepted.find((e) => e.invoiceNumber === row.invoiceNumber)?.ksefNumber);
}

describe('production shape: Temporal server on PostgreSQL, 2 APIs, 2 workers', () => {
  let cluster: Cluster;
  const throughput: Record<string, { invoices: number; seconds: number }> = {};

  beforeAll(async () => {
    cluster = await startCluster('server-on-postgresql');
  }, 900_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 120_000);

  it('survives a killed worker, a Temporal server restart and an API restart under load: every invoice final, once in KSeF, none stuck', async () => {
    await cluster.faults({ serverErrorRate: 0.1, seed: 7 });
    const items = invoicesFor(cluster, 'chaos', N);
    const events: string[] = [];
    const ids = await submitAll(cluster, items, async (done) => {
      if (done === Math.ceil(N / 4)) {
        await cluster.killWorker(0);
        events.push(`worker killed with SIGKILL after ${done} submits`);
      } else if (done === Math.ceil(N / 2)) {
        await cluster.restartTemporal();
        events.push(`Temporal server restarted after ${done} submits`);
      } else if (done === Math.ceil((3 * N) / 4)) {
        await cluster.restartApi(1);
        events.push(`API 2 restarted after ${done} submits`);
      }
    });
    expect(events).toHaveLength(3);
    expect(new Set(ids).size).toBe(N);
    await waitAllFinal(cluster, ids);
    await cluster.faults({});
    await verifyOnceInKsef(cluster, ids, items.map((i) => i.invoice.invoiceNumber));
  });

  it('the same clean load on the server on PostgreSQL and on the dev server (throughput, same run)', async () => {
    const count = Math.max(15, Math.round(N / 3));
    for (const target of [cluster, await startCluster('dev-server')]) {
      const items = invoicesFor(target, `clean-${target.temporalKind}`, count);
      const started = Date.now();
      const ids = await submitAll(target, items);
      const finished = await waitAllFinal(target, ids);
      await verifyOnceInKsef(target, ids, items.map((i) => i.invoice.invoiceNumber));
      throughput[target.temporalKind] = { invoices: count, seconds: (finished - started) / 1000 };
      if (target !== cluster) await target.stop();
    }
    expect(Object.keys(throughput).sort()).toEqual(['dev-server', 'server-on-postgresql']);
    if (REPORT) writeReport(REPORT, throughput);
  });
});

function writeReport(file: string, figures: Record<string, { invoices: number; seconds: number }>) {
  const row = (name: string, f: { invoices: number; seconds: number }) => `| ${name} | ${f.invoices} | ${f.seconds.toFixed(1)} | ${(f.invoices / f.seconds).toFixed(2)} |`;
  writeFileSync(
    file,
    [
      '# Production shape: throughput on the Temporal server on PostgreSQL vs the dev server',
      '',
      `Generated by \`npm run test:production-shape\` (SHAPE_INVOICES=${N}) on ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')} when written.`,
      'Same topology for both (2 API processes, 2 worker processes, the simulator, the same PostgreSQL server),',
      'a clean load submitted by 6 concurrent clients from 3 source systems, timed from the first submit to',
      'the last invoice ACCEPTED. The chaos part of the run (SIGKILLed worker, Temporal restart, API restart,',
      '10 % KSeF 5xx) passed before these figures were taken.',
      '',
      '| Temporal | invoices | seconds | invoices/s |',
      '|---|---:|---:|---:|',
      row('server 1.29.1 on PostgreSQL, 4 history shards', figures['server-on-postgresql']),
      row('dev server (CLI 1.5.1, SQLite in memory)', figures['dev-server']),
      '',
    ].join('\n'),
  );
}

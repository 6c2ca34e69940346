import { randomBytes } from 'node:crypto';
import { nipWithChecksum } from '../../domain/nip';
import { InvoiceSchema, type Invoice, type InvoiceInput } from '../../domain/invoice';
import { buildFa3Xml } from '../../fa3/build';
import { KsefClient, type KsefClientOptions } from '../../ksef-client';
import { createKsefSimulator, type KsefSimulatorOptions, type RunningSimulator } from '../../ksef-simulator/app';
import { SAMPLE_INPUTS } from '../unit/fa3-samples';

/** The simulator started in-process on a random port: the client talks real HTTP to it. */
export async function startSimulator(options: KsefSimulatorOptions = {}): Promise<RunningSimulator> {
  return createKsefSimulator({ processingDelayMs: 20, ...options }).listen(0);
}

export function clientFor(sim: RunningSimulator, contextNip: string, extra: Partial<KsefClientOptions> = {}): KsefClient {
  return new KsefClient({
    baseUrl: sim.url,
    contextNip,
    ksefToken: `test-token-${contextNip}`,
    timeoutMs: 5_000,
    ...extra,
    retry: { baseDelayMs: 50, maxDelayMs: 400, ...extra.retry },
  });
}

export async function admin(sim: RunningSimulator, method: 'GET' | 'PUT' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${sim.rootUrl}/_sim${path}`, {
    method,
    headers: body === undefined ? undefined : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`admin ${method} ${path} → ${res.status}: ${await res.text()}`);
  return res.status === 204 ? undefined : res.json();
}

export async function requestCounters(sim: RunningSimulator): Promise<Record<string, { total: number; tooManyRequests: number; byStatus: Record<string, number> }>> {
  return (await admin(sim, 'GET', '/requests')) as never;
}

/** Random checksum-valid NIPs keep tests independent (duplicate detection is global per seller NIP). */
export function randomNip(): string {
  for (;;) {
    const prefix = String(100_000_000 + (randomBytes(4).readUInt32BE() % 899_999_999));
    const nip = nipWithChecksum(prefix);
    if (nip && /^[1-9]((\d[1-9])|([1-9]\d))\d{7}$/.test(nip)) return nip;
  }
}

export const today = () => new Date().toISOString().slice(0, 10);

let counter = 0;

/** A VAT invoice issued today (so KSeF classifies it Online, not Offline) with a unique number. */
export function freshInvoice(sellerNip: string, buyerNip: string, overrides: Partial<InvoiceInput> = {}): Invoice {
  counter += 1;
  return InvoiceSchema.parse({
    ...SAMPLE_INPUTS.VAT,
    invoiceNumber: `IT/${Date.now()}/${counter}`,
    issueDate: today(),
    saleDate: today(),
    seller: { ...SAMPLE_INPUTS.VAT.seller, nip: sellerNip },
    buyer: { ...SAMPLE_INPUTS.VAT.buyer, identifier: { type: 'NIP', nip: buyerNip } },
    ...overrides,
  });
}

export function xmlOf(invoice: Invoice): string {
  return buildFa3Xml(invoice, { generatedAt: new Date(), systemInfo: 'ksef-ops integration test' });
}

/**
 * Fills the registry with synthetic invoices, fast: rows are generated deterministically (the
 * tests regenerate them to know the expected answers) and inserted 5 000 at a time through one
 * `INSERT … SELECT FROM unnest(arrays)` per batch — one round trip and 26 parameters per batch.
 *
 *   DATABASE_URL=… npx tsx bench/seed-registry.ts 100000 [prefix]
 */
import pg from 'pg';
import { invoiceWorkflowId, registryIdFor } from '../domain/identity';
import type { InvoiceStatusName } from '../domain/lifecycle';
import { nipWithChecksum } from '../domain/nip';

export interface SeedOptions {
  count: number;
  /** Makes invoice numbers (and so ids) unique per seeding run. */
  prefix: string;
  /** Every row gets this source system; default rotates erp / shop / crm. */
  sourceSystem?: string;
  /** receivedAt of row 0; row i is `stepMs` later than row i-1. */
  start?: Date;
  stepMs?: number;
}

export interface SeedRow {
  id: string;
  workflowId: string;
  direction: 'OUTGOING' | 'INCOMING';
  sourceSystem: string;
  sellerNip: string;
  sellerName: string;
  buyerIdentifier: string;
  buyerName: string;
  invoiceNumber: string;
  invoiceType: string;
  issueDate: string;
  currency: string;
  grossAmount: string;
  status: InvoiceStatusName;
  step: string;
  nextAction: string | null;
  attempts: number;
  rejectionCode: string | null;
  rejectionReason: string | null;
  ksefNumber: string | null;
  receivedAt: Date;
  sentAt: Date | null;
  acceptedAt: Date | null;
}

// Roughly what a healthy installation looks like: most accepted, a tail of problems.
const STATUS_MIX: InvoiceStatusName[] = [
  ...Array<InvoiceStatusName>(12).fill('ACCEPTED'),
  'REJECTED', 'REJECTED', 'NEEDS_FIX', 'NEEDS_FIX', 'SENT', 'SENDING', 'MANUAL_EXCEPTION', 'CANCELLED',
];
const REJECTIONS: Array<[string, string]> = [
  ['KSEF_450', 'Błąd weryfikacji semantyki dokumentu faktury'],
  ['KSEF_430', 'Błąd weryfikacji pliku faktury'],
  ['KSEF_440', 'Duplikat faktury'],
];
const FIXES: Array<[string, string]> = [
  ['SCHEMA_REQUIRED', 'buyer.name: is required'],
  ['NIP_CHECKSUM', 'buyer.identifier.nip: invalid checksum'],
];

function nipNumber(n: number): string {
  for (let k = 0; ; k++) {
    const nip = nipWithChecksum(String(526000100 + n * 37 + k));
    if (nip) return nip;
  }
}
export const SEED_SELLERS = [0, 1, 2, 3, 4].map(nipNumber);
export const SEED_BUYERS = Array.from({ length: 50 }, (_, i) => nipNumber(100 + i));

export function seedRow(i: number, o: SeedOptions): SeedRow {
  const start = o.start ?? new Date('2026-01-01T08:00:00Z');
  const receivedAt = new Date(start.getTime() + i * (o.stepMs ?? 60_000));
  const issue = new Date(receivedAt.getTime() - (i % 5) * 86_400_000);
  const status = STATUS_MIX[i % STATUS_MIX.length];
  const sourceSystem = o.sourceSystem ?? ['erp', 'shop', 'crm'][i % 3];
  const sellerIndex = i % SEED_SELLERS.length;
  const buyerIndex = (i * 7) % SEED_BUYERS.length;
  const sellerNip = SEED_SELLERS[sellerIndex];
  const invoiceNumber = `FV/${o.prefix}/${String(i).padStart(7, '0')}`;
  const workflowId = invoiceWorkflowId(sellerNip, sourceSystem, invoiceNumber);
  const id = registryIdFor(workflowId);
  const rejection = status === 'REJECTED' ? REJECTIONS[i % REJECTIONS.length] : status === 'NEEDS_FIX' ? FIXES[i % FIXES.length] : null;
  const accepted = status === 'ACCEPTED';
  const sent = accepted || status === 'SENT' || status === 'REJECTED';
  return {
    id,
    workflowId,
    direction: i % 7 === 6 ? 'INCOMING' : 'OUTGOING',
    sourceSystem,
    sellerNip,
    sellerName: `Sprzedawca ${sellerIndex} Sp. z o.o.`,
    buyerIdentifier: SEED_BUYERS[buyerIndex],
    buyerName: `Nabywca ${buyerIndex} ${buyerIndex % 2 ? 'S.A.' : 'Łódź'}`,
    invoiceNumber,
    invoiceType: i % 25 === 24 ? 'ZAL' : i % 10 === 9 ? 'KOR' : 'VAT',
    issueDate: issue.toISOString().slice(0, 10),
    currency: 'PLN',
    grossAmount: (((i * 7919) % 1_000_000) / 100 + 1).toFixed(2),
    status,
    step: accepted || status === 'MANUAL_EXCEPTION' || status === 'CANCELLED' ? 'closed' : rejection ? 'triage' : 'confirm',
    nextAction: status === 'REJECTED' ? 'Correct the data or force a retry' : status === 'NEEDS_FIX' ? 'Fix the data, retry or raise a manual exception' : null,
    attempts: sent ? 1 : 0,
    rejectionCode: rejection?.[0] ?? null,
    rejectionReason: rejection?.[1] ?? null,
    // Unique per id: the registry id's hex is as unique as the id itself.
    ksefNumber: accepted ? `${sellerNip}-${issue.toISOString().slice(0, 10).replace(/-/g, '')}-${id.replace(/-/g, '').slice(0, 12).toUpperCase()}-00` : null,
    receivedAt,
    sentAt: sent ? new Date(receivedAt.getTime() + 2000) : null,
    acceptedAt: accepted ? new Date(receivedAt.getTime() + 5000) : null,
  };
}

export function seedRows(o: SeedOptions): SeedRow[] {
  return Array.from({ length: o.count }, (_, i) => seedRow(i, o));
}

const BATCH = 5000;

export async function seedRegistry(client: pg.ClientBase | pg.Pool, o: SeedOptions, onProgress?: (done: number) => void): Promise<number> {
  for (let from = 0; from < o.count; from += BATCH) {
    const rows = Array.from({ length: Math.min(BATCH, o.count - from) }, (_, k) => seedRow(from + k, o));
    const col = <K extends keyof SeedRow>(k: K) => rows.map((r) => r[k]);
    await client.query(
      `INSERT INTO "invoices" ("id","workflowId","direction","sourceSystem","sellerNip","sellerName","buyerIdentifier","buyerName","invoiceNumber",
         "invoiceType","issueDate","currency","grossAmount","status","step","nextAction","attempts","rejectionCode","rejectionReason","ksefNumber",
         "contentHash","payload","receivedAt","updatedAt","sentAt","acceptedAt")
       SELECT u.id, u.wf, u.dir::"InvoiceDirection", u.src, u.snip, u.sname, u.bid, u.bname, u.num, u.typ, u.idate, u.cur, u.gross,
              u.st::"InvoiceStatus", u.step, u.next, u.att, u.rcode, u.rreason, u.ksef, 'seed', '{"seeded":true}'::jsonb, u.recv, u.recv, u.sent, u.acc
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
                   $11::date[], $12::text[], $13::numeric[], $14::text[], $15::text[], $16::text[], $17::int[], $18::text[], $19::text[], $20::text[],
                   $21::timestamp[], $22::timestamp[], $23::timestamp[])
         AS u(id, wf, dir, src, snip, sname, bid, bname, num, typ, idate, cur, gross, st, step, next, att, rcode, rreason, ksef, recv, sent, acc)
       ON CONFLICT DO NOTHING`,
      [
        col('id'), col('workflowId'), col('direction'), col('sourceSystem'), col('sellerNip'), col('sellerName'), col('buyerIdentifier'),
        col('buyerName'), col('invoiceNumber'), col('invoiceType'), col('issueDate'), col('currency'), col('grossAmount'), col('status'),
        col('step'), col('nextAction'), col('attempts'), col('rejectionCode'), col('rejectionReason'), col('ksefNumber'),
        // timestamp(3) without zone holds UTC: send UTC text, not Date (pg would format it in local time).
        rows.map((r) => utc(r.receivedAt)), rows.map((r) => (r.sentAt ? utc(r.sentAt) : null)), rows.map((r) => (r.acceptedAt ? utc(r.acceptedAt) : null)),
      ],
    );
    onProgress?.(from + rows.length);
  }
  return o.count;
}

function utc(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '');
}

if (require.main === module) {
  const count = Number(process.argv[2] ?? 10000);
  const prefix = process.argv[3] ?? `S${Date.now().toString(36).toUpperCase()}`;
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1 });
  const started = Date.now();
  seedRegistry(pool, { count, prefix }, (done) => process.stderr.write(`\r${done}/${count}`))
    .then(() => process.stderr.write(`\nseeded ${count} invoices (prefix ${prefix}) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`))
    .finally(() => pool.end());
}

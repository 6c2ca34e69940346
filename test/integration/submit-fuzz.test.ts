/**
 * Bad input never hurts: thousands of random and mutated payloads at the real submit endpoint.
 * Every answer is a 2xx or a 4xx naming field paths, never a 5xx, and a refused request leaves
 * nothing behind (registry rows, KSeF / webhook outbox rows, workflows).
 *
 * Size: RUNS batches × BATCH concurrent requests = 3 000 payloads (concurrent so the XSD validator
 * pools its runs, as it does under real traffic); FUZZ_RUNS=<n> runs more or fewer. Measured: 1 000
 * payloads in 91 s wall / 42 s CPU on a 2-core machine at load average ~17, and in 18 s wall / 20 s CPU
 * on a quieter one (≈ 20–40 ms CPU per payload: XSD runs and the accepted invoices' workflows).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { freshDatabase } from '../support/fresh-database';
import { sampleInvoice, SELLER_NIP } from '../support/invoices';
import { eventually, startStack, type TestStack } from '../support/stack';

const RUNS = Number(process.env.FUZZ_RUNS ?? 75);
const BATCH = 40;

const MF_XML = readFileSync(path.resolve(__dirname, '..', 'fixtures', 'ksef-examples', 'mf-fa3-01_VAT_basic_rates-23-5_FP_payment.xml'), 'utf8');

interface Case {
  kind: string;
  body: string;
  contentType?: string;
  query?: string;
}

const freshXml = () => MF_XML.replace(/<P_2>[^<]*<\/P_2>/, `<P_2>FUZZ/${randomUUID()}</P_2>`).replace(/<NIP>\d+<\/NIP>/, `<NIP>${SELLER_NIP}</NIP>`);
const freshInvoice = () => sampleInvoice({ invoiceNumber: `FUZZ/${randomUUID()}` }) as Record<string, unknown>;

const nasty = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '0', '-1', '1e309', 'NaN', '2026-02-30', '9999-99-99', '\u0000', '\uFFFF', '\uD800', '𝄞', '<x/>', '&amp;', 'PL 0000000000', '5260001247', null, true, 0, -0.01, 1e21, [], {}),
  fc.constant('x'.repeat(100_000)),
  fc.constant(undefined),
);

// Paths a source system actually fills, so mutations land on fields that matter.
const FIELDS: (string | number)[][] = [
  ['sourceSystem'], ['type'], ['invoiceNumber'], ['issueDate'], ['saleDate'], ['currency'], ['exchangeRate'], ['grossAmount'],
  ['seller'], ['seller', 'nip'], ['seller', 'address'], ['buyer', 'identifier'], ['buyer', 'identifier', 'type'], ['buyer', 'identifier', 'nip'],
  ['lines'], ['lines', 0], ['lines', 0, 'quantity'], ['lines', 0, 'netAmount'], ['lines', 0, 'vatRate'], ['lines', 1, 'unitNetPrice'], ['lines', 5],
  ['payment'], ['payment', 'dueDate'], ['correction'], ['advanceInvoices'], ['exemption'], ['notes'], ['reverseCharge'], ['splitPayment'], ['unknownField'],
];

function setPath(target: Record<string, unknown>, at: (string | number)[], value: unknown) {
  let node: any = target;
  for (const key of at.slice(0, -1)) {
    if (node[key] === null || typeof node[key] !== 'object') node[key] = typeof key === 'number' ? [] : {};
    node = node[key];
  }
  const last = at[at.length - 1];
  if (value === undefined) delete node[last];
  else node[last] = value;
}

const mutatedInvoice = fc.array(fc.tuple(fc.constantFrom(...FIELDS), nasty), { minLength: 1, maxLength: 4 }).map((mutations): Case => {
  const invoice = freshInvoice();
  for (const [at, value] of mutations) setPath(invoice, at, value);
  return { kind: 'mutated-json', body: JSON.stringify(invoice) };
});

const randomJson = fc.jsonValue({ maxDepth: 4 }).map((v): Case => ({ kind: 'random-json', body: JSON.stringify(v) }));

const brokenJson = fc.tuple(fc.nat(), fc.string({ unit: 'binary', maxLength: 5 }), fc.boolean()).map(([at, insert, truncate]): Case => {
  const text = JSON.stringify(freshInvoice());
  const i = at % text.length;
  return { kind: 'broken-json', body: truncate ? text.slice(0, i) : text.slice(0, i) + insert + text.slice(i + 1) };
});

const wrongContentType = fc
  .tuple(
    fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', 'application/json; charset=bogus', 'application/octet-stream', 'image/png', 'application/xml+json', 'text/html', 'application/problem+json'),
    fc.oneof(fc.constant(null), fc.string({ maxLength: 60 })),
  )
  .map(([contentType, text]): Case => ({ kind: 'content-type', contentType, body: text ?? JSON.stringify(freshInvoice()) }));

const xmlGarbage = fc.string({ unit: 'binary', maxLength: 300 }).map((body): Case => ({ kind: 'xml-garbage', body, contentType: 'application/xml', query: '?sourceSystem=erp' }));

const mutatedXml = fc
  .tuple(fc.nat(), fc.nat(), fc.constantFrom('truncate', 'replace', 'drop-line', 'dup-line', 'text'), fc.string({ unit: 'binary', maxLength: 12 }), fc.constantFrom('?sourceSystem=erp', '', '?sourceSystem=Bad System', '?sourceSystem=erp&sourceSystem=crm'))
  .map(([a, b, how, text, query]): Case => {
    const xml = freshXml();
    const lines = xml.split('\n');
    const i = a % xml.length;
    const li = b % lines.length;
    const body =
      how === 'truncate' ? xml.slice(0, i)
      : how === 'replace' ? xml.slice(0, i) + text + xml.slice(i + 1)
      : how === 'drop-line' ? lines.filter((_, k) => k !== li).join('\n')
      : how === 'dup-line' ? [...lines.slice(0, li + 1), lines[li], ...lines.slice(li + 1)].join('\n')
      // Replace the text of one element: XSD-valid more often, so the model and rules are reached.
      : xml.replace(new RegExp(`(<[A-Za-z_0-9]+>)[^<]*(</)`, 'g'), (m, open, close, offset: number) => (offset >= i && offset < i + 40 ? `${open}${text.replace(/[<&]/g, '')}${close}` : m));
    return { kind: `xml-${how}`, body, contentType: 'application/xml', query };
  });

const anyCase = fc.oneof(
  { arbitrary: mutatedInvoice, weight: 4 },
  { arbitrary: randomJson, weight: 2 },
  { arbitrary: brokenJson, weight: 2 },
  { arbitrary: wrongContentType, weight: 1 },
  { arbitrary: xmlGarbage, weight: 1 },
  { arbitrary: mutatedXml, weight: 2 },
);

let db: Awaited<ReturnType<typeof freshDatabase>>;
let stack: TestStack;
beforeAll(async () => {
  // A database of its own: row counts are then facts about this test alone.
  db = await freshDatabase();
  // Accepted invoices wait for an approver instead of running to KSeF: the API contract is what is under test.
  stack = await startStack({ databaseUrl: db.url, lifecycle: { approvalThresholdGross: '0.00' } });
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  await db?.drop();
});

const counts = async () => ({
  invoices: await stack.prisma.invoice.count(),
  ksefOutbox: await stack.prisma.ksefDocument.count(),
  webhookOutbox: await stack.prisma.webhookDelivery.count(),
});

async function lifecycleWorkflows(): Promise<number> {
  let n = 0;
  for await (const _ of stack.temporal.workflow.list({ query: `TaskQueue = '${stack.taskQueue}' AND WorkflowType = 'invoiceLifecycleWorkflow'` })) n++;
  return n;
}

function answerProblems(c: Case, res: { status: number; body: any }): string | null {
  if (res.status >= 500) return `5xx ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`;
  if (res.status >= 200 && res.status < 300) return typeof res.body?.id === 'string' ? null : 'a 2xx without an id';
  if (res.status < 400) return `unexpected status ${res.status}`;
  const errors = res.body?.errors;
  if (!Array.isArray(errors) || errors.length === 0) return `4xx without errors[]: ${JSON.stringify(res.body).slice(0, 300)}`;
  if (!errors.every((e: any) => Array.isArray(e.path) && typeof e.code === 'string' && typeof e.message === 'string')) return `errors without path/code/message: ${JSON.stringify(errors).slice(0, 300)}`;
  return null;
}

describe('POST /api/v1/invoices never breaks on bad input', () => {
  it(`answers ${RUNS * BATCH} random and mutated payloads with 2xx or 4xx + field paths, and refused ones leave nothing behind`, async () => {
    const accepted = new Set<string>();
    const seen = new Map<string, number>();
    const started = Date.now();
    const cpu0 = process.cpuUsage();
    const before = await counts();
    const workflowsBefore = await lifecycleWorkflows();

    await fc.assert(
      fc.asyncProperty(fc.array(anyCase, { minLength: BATCH, maxLength: BATCH }), async (cases) => {
        const start = await counts();
        const answers = await Promise.all(
          cases.map((c) => stack.api(`/api/v1/invoices${c.query ?? ''}`, { rawBody: c.body, contentType: c.contentType ?? 'application/json', as: 'sender' })),
        );
        const newlyCreated = answers.filter((r) => r.status === 202 && r.body?.created === true).length;
        answers.forEach((res, i) => {
          const problem = answerProblems(cases[i], res);
          if (problem) throw new Error(`${cases[i].kind}: ${problem}\npayload: ${cases[i].body.slice(0, 500)}`);
          seen.set(`${cases[i].kind} ${res.status}`, (seen.get(`${cases[i].kind} ${res.status}`) ?? 0) + 1);
          if (res.status < 300) accepted.add(res.body.id);
        });
        // Refused requests add no registry row: the only new rows are the ones the API said it created.
        const end = await counts();
        if (end.invoices - start.invoices !== newlyCreated) throw new Error(`registry grew by ${end.invoices - start.invoices}, API created ${newlyCreated}`);
      }),
      { numRuns: RUNS, endOnFailure: true },
    );

    const after = await counts();
    expect(after.invoices - before.invoices).toBe(accepted.size);
    // Outbox rows exist only for invoices the API accepted.
    const strayKsef = await stack.prisma.ksefDocument.count({ where: { registryId: { notIn: [...accepted] } } });
    const strayWebhooks = await stack.prisma.webhookDelivery.count({ where: { registryId: { notIn: [...accepted] } } });
    expect({ strayKsef, strayWebhooks }).toEqual({ strayKsef: 0, strayWebhooks: 0 });
    // One workflow per accepted invoice and none for refused ones (visibility catches up shortly).
    await eventually(async () => (await lifecycleWorkflows()) - workflowsBefore === accepted.size, 20_000, 250);

    // The run really went through every family of payload and mostly got refusals.
    const kinds = new Set([...seen.keys()].map((k) => k.split(' ')[0]));
    expect([...kinds].sort()).toEqual(expect.arrayContaining(['broken-json', 'content-type', 'mutated-json', 'random-json', 'xml-garbage']));
    const statuses = new Set([...seen.keys()].map((k) => Number(k.split(' ')[1])));
    expect([...statuses].filter((s) => s >= 400).length).toBeGreaterThanOrEqual(2);
    // eslint-disable-next-line no-console
    console.log(`fuzz: ${RUNS * BATCH} payloads in ${Date.now() - started} ms (cpu ${Math.round((process.cpuUsage(cpu0).user + process.cpuUsage(cpu0).system) / 1000)} ms), ${accepted.size} accepted`, Object.fromEntries([...seen.entries()].sort()));
  }, 600_000);

  it('answers bodies over the size limit and fields far over their length with 4xx and paths', async () => {
    const huge = await stack.api('/api/v1/invoices', { rawBody: JSON.stringify({ ...freshInvoice(), notes: [{ key: 'k', value: 'x'.repeat(6 * 1024 * 1024) }] }), as: 'sender' });
    expect(huge.status).toBe(413);
    expect(huge.body.errors[0].path).toEqual([]);
    const hugeXml = await stack.api('/api/v1/invoices?sourceSystem=erp', { rawBody: `<a>${'x'.repeat(6 * 1024 * 1024)}</a>`, contentType: 'application/xml', as: 'sender' });
    expect(hugeXml.status).toBe(413);
    const longName = await stack.api('/api/v1/invoices', { body: { ...freshInvoice(), invoiceNumber: 'N'.repeat(1024 * 1024) }, as: 'sender' });
    expect(longName.status).toBe(400);
    expect(longName.body.errors).toEqual([expect.objectContaining({ path: ['invoiceNumber'], code: 'SCHEMA_TOO_LONG' })]);
  });
});

import fc from 'fast-check';
import { INVOICE_TYPES, InvoiceSchema, VAT_RATES, type Invoice } from '../../domain/invoice';
import {
  issuesFromZodError,
  RULE_CODES,
  validateInvoice,
  validateInvoiceInput,
  type ValidationContext,
  type ValidationIssue,
} from '../../domain/validation';
import { FIXTURE_NAMES, fixtureInput, TODAY } from '../fixtures/invoices/load';

/**
 * Whatever arrives — truncated JSON from an ERP, wrong types, megabyte strings, emoji, lone
 * surrogates — validation must answer with well-formed issues and never throw: it runs inside a
 * Temporal activity where an exception means retries, not a message to the user.
 */

const CODES = new Set<string>(RULE_CODES);
const CONTEXT: ValidationContext = { today: TODAY, vatDictionary: { erp: { A: '23', B: '8', ZW: 'zw' } } };

/** Plain checks rather than expect(): hundreds of thousands of expect calls would dominate the run time. */
function assertWellFormed(issues: ValidationIssue[]) {
  for (const issue of issues) {
    const problems = [
      !CODES.has(issue.code) && 'unknown code',
      !Array.isArray(issue.path) && 'path is not an array',
      Array.isArray(issue.path) && !issue.path.every((p) => typeof p === 'string' || (typeof p === 'number' && Number.isInteger(p))) && 'path has a non-key element',
      !(issue.path.length > 0 || issue.field.length > 0) && 'neither path nor field',
      issue.field !== (issue.path.length ? issue.path.join('.') : '(invoice)') && 'field does not match path',
      !(typeof issue.message?.en === 'string' && issue.message.en.length > 0) && 'no English message',
      !(typeof issue.message?.pl === 'string' && issue.message.pl.length > 0) && 'no Polish message',
      issue.severity !== 'error' && issue.severity !== 'warning' && 'bad severity',
    ].filter(Boolean);
    if (problems.length > 0) throw new Error(`malformed issue (${problems.join(', ')}): ${JSON.stringify(issue).slice(0, 500)}`);
  }
}

async function checkPayload(payload: unknown) {
  const parsed = InvoiceSchema.safeParse(payload);
  if (parsed.success) {
    const result = await validateInvoice(parsed.data, CONTEXT);
    assertWellFormed(result.issues);
    if (result.valid === result.issues.some((i) => i.severity === 'error')) throw new Error('valid flag disagrees with severities');
  } else {
    const issues = issuesFromZodError(parsed.error, { input: payload, vatDictionary: CONTEXT.vatDictionary });
    if (issues.length === 0) throw new Error('schema failure produced no issue');
    assertWellFormed(issues);
  }
  // Callers may also hand over unchecked data directly.
  assertWellFormed((await validateInvoice(payload as Invoice, CONTEXT)).issues);
  assertWellFormed((await validateInvoiceInput(payload, CONTEXT)).issues);
}

type Path = (string | number)[];

function allPaths(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const key = Array.isArray(value) ? Number(k) : k;
      out.push([...prefix, key]);
      allPaths(v, [...prefix, key], out);
    }
  }
  return out;
}

function setAt(root: any, path: Path, value: unknown, remove: boolean) {
  let cur = root;
  for (const key of path.slice(0, -1)) cur = cur[key];
  const last = path[path.length - 1];
  if (remove) {
    if (Array.isArray(cur) && typeof last === 'number') cur.splice(last, 1);
    else delete cur[last];
  } else cur[last] = value;
}

const nastyString = fc.oneof(
  fc.string(),
  fc.fullUnicodeString(),
  fc.string({ unit: 'binary' } as never),
  fc.constantFrom('', ' ', '\u0000', '\uD800', '\uFFFE', 'ZAŻÓŁĆ GĘŚLĄ JAŹŃ', '😀'.repeat(300), '<![CDATA[x]]>&<>', '-0', '1e309', 'NaN', '__proto__'),
  fc.integer({ min: 257, max: 200_000 }).map((n) => 'x'.repeat(n)),
);

const nastyValue = fc.oneof(
  nastyString,
  fc.anything(),
  fc.constantFrom(null, undefined, true, 0, -1, Number.NaN, Infinity, [], {}, [[]], { nip: '5260001246' }),
  fc.double(),
  fc.bigInt().map(String),
);

const fixtureName = fc.constantFrom(...FIXTURE_NAMES);

const mutated = fc
  .tuple(fixtureName, fc.array(fc.tuple(fc.nat(), nastyValue, fc.boolean()), { minLength: 1, maxLength: 5 }))
  .map(([name, edits]) => {
    const payload: any = structuredClone(fixtureInput(name));
    for (const [pick, value, remove] of edits) {
      const paths = allPaths(payload);
      if (paths.length === 0) break;
      setAt(payload, paths[pick % paths.length], value, remove);
    }
    return payload;
  });

/** Schema-valid but semantically random: this is what exercises the business rules, not the schema. */
const digits = (max: number) => fc.integer({ min: 0, max }).map(String);
const amount = fc.tuple(fc.boolean(), digits(99999), digits(99)).map(([neg, w, f]) => `${neg ? '-' : ''}${w}.${f.padStart(2, '0')}`);
const isoDate = fc.date({ min: new Date('1999-01-01T00:00:00Z'), max: new Date('2060-12-31T00:00:00Z'), noInvalidDate: true } as never).map((d) => (d as Date).toISOString().slice(0, 10));
const line = fc.record({
  name: nastyString.filter((s) => s.length > 0 && s.length <= 512),
  quantity: fc.tuple(digits(9999), digits(999)).map(([w, f]) => `${w}.${f}`),
  unitNetPrice: fc.tuple(digits(99999), digits(9999)).map(([w, f]) => `${w}.${f}`),
  netAmount: amount,
  vatRate: fc.constantFrom(...VAT_RATES),
  beforeCorrection: fc.option(fc.boolean(), { nil: undefined }),
});
const plausible = fc
  .record({
    name: fixtureName,
    type: fc.constantFrom(...INVOICE_TYPES),
    issueDate: isoDate,
    saleDate: fc.option(isoDate, { nil: undefined }),
    dueDate: fc.option(isoDate, { nil: undefined }),
    currency: fc.constantFrom('PLN', 'EUR', 'USD', 'XXX'),
    exchangeRate: fc.option(fc.tuple(digits(9), digits(9999)).map(([w, f]) => `${w}.${f}`), { nil: undefined }),
    lines: fc.array(line, { minLength: 1, maxLength: 6 }),
    grossAmount: fc.option(amount, { nil: undefined }),
    flags: fc.tuple(fc.boolean(), fc.boolean(), fc.boolean()),
    dropCorrection: fc.boolean(),
    dropAdvances: fc.boolean(),
  })
  .map((r) => {
    const base: any = structuredClone(fixtureInput(r.name));
    const donor: any = fixtureInput('kor-roz');
    Object.assign(base, {
      type: r.type,
      issueDate: r.issueDate,
      saleDate: r.saleDate,
      currency: r.currency,
      exchangeRate: r.exchangeRate,
      lines: r.lines,
      grossAmount: r.grossAmount,
      splitPayment: r.flags[0],
      reverseCharge: r.flags[1],
      correction: r.dropCorrection ? undefined : donor.correction,
      advanceInvoices: r.dropAdvances ? undefined : donor.advanceInvoices,
    });
    if (r.flags[2]) base.exemption = undefined;
    if (r.dueDate) base.payment = { ...(base.payment ?? {}), dueDate: r.dueDate };
    return base;
  });

describe('validation never throws and always answers in the issue shape', () => {
  it('mutated fixtures (wrong types, deletions, huge and unicode strings)', async () => {
    await fc.assert(fc.asyncProperty(mutated, checkPayload), { numRuns: 2500, seed: 20260630 });
  });

  it('schema-valid random invoices through every business rule', async () => {
    let parsedCount = 0;
    await fc.assert(
      fc.asyncProperty(plausible, async (payload) => {
        if (InvoiceSchema.safeParse(payload).success) parsedCount++;
        await checkPayload(payload);
      }),
      { numRuns: 2000, seed: 4242 },
    );
    // Guard against the generator drifting into schema failures only, which would test nothing here.
    expect(parsedCount).toBeGreaterThan(1000);
  });

  it('arbitrary JSON-ish values', async () => {
    await fc.assert(fc.asyncProperty(fc.oneof(fc.anything(), fc.object(), fc.jsonValue()), checkPayload), { numRuns: 1000, seed: 7 });
  });
});

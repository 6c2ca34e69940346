/**
 * Every operation of the OpenAPI document the API serves, fuzzed (issue #15 item 7): random and
 * mutated path ids, query strings, headers and bodies (NUL, lone surrogates, non-characters, huge
 * strings, wrong types, deep nesting, __proto__/constructor keys, invalid UTF-8, broken JSON/XML/CSV/
 * multipart), sent as the operator (every role) and anonymously. Never a 5xx; every 4xx is
 * problem+json with a `code`. The operation list is read from the served document, so a new route
 * is fuzzed without touching this file — or the file fails, naming the seed it needs.
 *
 * Size: FUZZ_ROUTE_RUNS (default 12) authorised cases per operation + a quarter of that anonymous;
 * FUZZ_SEED reproduces a run (printed on failure).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { newSessionToken, sha256Hex } from '../../../api/auth/tokens';
import { createSession } from '../../../prisma/access-repository';
import { freshDatabase } from '../../support/fresh-database';
import { sampleInvoice, SELLER_NIP } from '../../support/invoices';
import { startStack, type TestStack } from '../../support/stack';

const RUNS = Number(process.env.FUZZ_ROUTE_RUNS ?? 12);
const ANON_RUNS = Math.max(2, Math.ceil(RUNS / 4));
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const CONCURRENCY = 4;

/**
 * Operations fuzzed differently, each with its reason (nothing is left out silently):
 * - the counterparty audit run executes a whole workflow per call and takes no input but the caller;
 * - logout ends the session it is called with, so each authorised call gets a session of its own;
 * - /readyz answers 503 (its own Readiness JSON, not a problem) when a dependency is down: that is its contract.
 */
const FEWER_RUNS: Record<string, { runs: number; reason: string }> = {
  'POST /api/v1/reports/counterparties/run': { runs: 3, reason: 'runs the audit workflow per call; no input besides the caller' },
};
const OWN_SESSION_PER_CALL = new Set(['POST /api/v1/auth/logout']);
const DOCUMENTED_5XX: Record<string, number[]> = { 'GET /readyz': [503] };
/** A 4xx that is a documented report rather than a problem: checked for its own shape (errors with codes) instead. */
const DOCUMENTED_REPORT_4XX: Record<string, { status: number; reason: string }> = {
  'POST /api/v1/counterparties/import': { status: 422, reason: 'an import with no good row answers its per-row report (status "rejected", rows, errors[].code), as documented' },
};

const MF_XML = readFileSync(path.resolve(__dirname, '..', '..', 'fixtures', 'ksef-examples', 'mf-fa3-01_VAT_basic_rates-23-5_FP_payment.xml'), 'utf8');

let db: Awaited<ReturnType<typeof freshDatabase>>;
let stack: TestStack;
let doc: any;
const seeds: Record<string, string> = {};

beforeAll(async () => {
  // A database of its own: the fuzz creates users, keys and rules that other files must not see.
  db = await freshDatabase();
  stack = await startStack({ databaseUrl: db.url, lifecycle: { approvalThresholdGross: '0.00' } });
  doc = (await stack.api('/api/openapi.json')).body;
  // Real ids behind every {id}, so mutations reach the code behind the lookup, not only the 404.
  const created = async (url: string, body: unknown, as: 'admin' | 'corrector' | 'sender-key' = 'admin') => {
    const res = await stack.api(url, { body, as });
    if (res.status !== 201 && res.status !== 202) throw new Error(`seed ${url}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    return (res.body.id ?? res.body.counterparty?.id) as string;
  };
  seeds.invoice = await created('/api/v1/invoices', sampleInvoice(), 'sender-key');
  seeds.user = await created('/api/v1/users', { email: `fuzz-${randomUUID().slice(0, 8)}@example.com`, name: 'Fuzz target', roles: ['monitor'] });
  seeds.apiKey = await created('/api/v1/api-keys', { name: 'fuzz target', sourceSystem: 'fuzz', sellerNips: [SELLER_NIP] });
  seeds.responsibilityRule = await created('/api/v1/responsibility-rules', { owner: 'fuzz@example.com' });
  seeds.approvalRule = await created('/api/v1/approval-rules', { name: 'fuzz target', minGross: '999999.00' });
  seeds.webhook = await created('/api/v1/webhooks', { sourceSystem: 'fuzz', url: 'https://hooks.example.com/fuzz' });
  seeds.counterparty = await created('/api/v1/counterparties', { name: 'Fuzz Sp. z o.o.', nip: '5260250995' }, 'corrector');
  const form = new FormData();
  form.append('file', new Blob([Buffer.from('%PDF-1.4 fuzz')], { type: 'application/pdf' }), 'fuzz.pdf');
  const upload = await fetch(`${stack.apiUrl}/api/v1/attachments`, { method: 'POST', body: form, headers: await stack.auth.headersFor('corrector') });
  seeds.attachment = ((await upload.json()) as { id: string }).id;
}, 180_000);
afterAll(async () => {
  await stack?.stop();
  await db?.drop();
});

/** Which seed stands behind {id} of a path; a path without one fails the test by name. */
const PATH_SEEDS: Array<[RegExp, string]> = [
  [/^\/api\/v1\/invoices\/\{id\}/, 'invoice'],
  [/^\/api\/v1\/users\/\{id\}/, 'user'],
  [/^\/api\/v1\/api-keys\/\{id\}/, 'apiKey'],
  [/^\/api\/v1\/responsibility-rules\/\{id\}/, 'responsibilityRule'],
  [/^\/api\/v1\/approval-rules\/\{id\}/, 'approvalRule'],
  [/^\/api\/v1\/webhooks\/\{id\}/, 'webhook'],
  [/^\/api\/v1\/counterparties\/\{id\}/, 'counterparty'],
  [/^\/api\/v1\/attachments\/\{id\}/, 'attachment'],
];

/** A well-formed body per request component, the starting point of mutations. */
function bodySeed(component: string): unknown {
  const seedsByComponent: Record<string, () => unknown> = {
    Invoice: () => sampleInvoice(),
    ActionNote: () => ({ note: 'checked' }),
    ManualExceptionRequest: () => ({ reason: 'outside KSeF', note: 'n' }),
    LoginRequest: () => ({ email: 'nobody@example.com', password: 'not the password' }),
    UserCreate: () => ({ email: `f-${randomUUID().slice(0, 8)}@example.com`, name: 'Fuzz', roles: ['monitor'] }),
    UserUpdate: () => ({ name: 'Fuzz renamed', active: true }),
    ApiKeyCreate: () => ({ name: 'fuzz', sourceSystem: 'fuzz', sellerNips: [SELLER_NIP] }),
    ResponsibilityRuleCreate: () => ({ owner: 'fuzz@example.com', errorClass: 'ksef-rejection', note: 'n' }),
    ResponsibilityRuleUpdate: () => ({ note: 'n', escalation: ['lead@example.com'] }),
    ApprovalRuleCreate: () => ({ name: 'fuzz', minGross: '999999.00', sourceSystems: ['fuzz'] }),
    ApprovalRuleUpdate: () => ({ description: 'd' }),
    WebhookCreate: () => ({ sourceSystem: 'fuzz', url: 'https://hooks.example.com/f' }),
    WebhookUpdate: () => ({ active: true }),
    AttachmentUpdate: () => ({ owner: 'ops', dueDate: '2027-01-31' }),
    CancelByCorrection: () => ({ reason: 'Anulowanie' }),
    BackfillRequest: () => ({ buyerNip: SELLER_NIP, from: '2026-11-01', to: '2026-11-02' }),
    CounterpartyInput: () => ({ name: 'Kontrahent', nip: '5260250995' }),
    CounterpartyDeactivate: () => ({ reason: 'closed' }),
  };
  const make = seedsByComponent[component];
  if (!make) throw new Error(`no body seed for request component ${component}: add one to route-fuzz.test.ts`);
  return make();
}

const NAUGHTY = [
  '', ' ', '\u0000', 'a\u0000b', '\uD800', '\uDFFF', 'x\uDBFFy', '\uFFFE', '\uFDD0', '\u0085', '\u009B', '\u0007', '\t\n\r', '%00', '%', '%E0%A4%A',
  '../../etc/passwd', '..', '<script>alert(1)</script>', "' OR 1=1 --", '${jndi:ldap://x/a}', '__proto__', 'constructor', 'prototype', 'null', 'NaN',
  '-1', '0', '1e309', '99999999999999999999999', '2026-02-30', '0000-01-01', '+275760-09-13', 'zzz', '00000000-0000-0000-0000-000000000000',
  '💥', 'Zażółć gęślą jaźń', 'A'.repeat(5000),
];
const nastyString = fc.oneof(
  { arbitrary: fc.constantFrom(...NAUGHTY), weight: 4 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 24 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 16 }), weight: 1 },
  { arbitrary: fc.constant('x'.repeat(300_000)), weight: 1 },
);
const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: nastyString, weight: 4 },
  { arbitrary: fc.jsonValue({ maxDepth: 2 }), weight: 2 },
  { arbitrary: fc.constantFrom<unknown>(null, true, false, 0, -1, 1.5, 1e21, -0.001, [], {}, [[[]]]), weight: 2 },
  { arbitrary: fc.constantFrom<unknown>(withOwnKey('__proto__', { polluted: true }), withOwnKey('constructor', { prototype: { polluted: true } })), weight: 1 },
);

/** Deep copy keeping own "__proto__"/"constructor" keys as data. */
function cloneOwn(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(cloneOwn);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) Object.defineProperty(out, k, { value: cloneOwn(v), enumerable: true, writable: true, configurable: true });
  return out;
}

function withOwnKey(key: string, value: unknown): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  return o;
}

function valueAt(root: unknown, at: (string | number)[]): unknown {
  return at.reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string | number, unknown>)[key] : undefined), root);
}

function paths(value: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (value && typeof value === 'object' && at.length < 4) for (const [k, v] of Object.entries(value)) paths(v, [...at, Array.isArray(value) ? Number(k) : k], out);
  return out;
}

/** Sets (or deletes, for undefined) `at` in `root`; keys are defined as own properties, so "__proto__" stays data. */
function mutate(root: unknown, at: (string | number)[], value: unknown): unknown {
  if (at.length === 0) return value;
  let node = root as Record<string | number, unknown>;
  for (const key of at.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = at[at.length - 1];
  if (value === undefined) delete node[last];
  else Object.defineProperty(node, last, { value, enumerable: true, writable: true, configurable: true });
  return root;
}

interface Wire {
  contentType?: string;
  body?: string | Buffer;
}

const jsonBody = (component: string | null) =>
  fc.oneof(
    {
      weight: 6,
      arbitrary: fc.array(fc.tuple(fc.nat(), fc.oneof(fc.constant(null), fc.constantFrom('__proto__', 'constructor', 'prototype', 'unknownField', '', '\u0000')), fc.option(nastyValue, { nil: undefined })), { minLength: 1, maxLength: 4 }).map(
        (muts): Wire => {
          let body = component ? bodySeed(component) : {};
          for (const [pick, newKey, value] of muts) {
            const all = paths(body);
            const at = all[pick % all.length];
            const parent = valueAt(body, at);
            // A new key goes into an object; otherwise an existing value is replaced or deleted.
            const target = newKey !== null && parent && typeof parent === 'object' && !Array.isArray(parent) ? [...at, newKey] : at;
            // A copy: generated values may be shared instances, and inserting one into itself would loop.
            body = mutate(body, target, target.length === 0 && value === undefined ? {} : cloneOwn(value));
          }
          return { contentType: 'application/json', body: JSON.stringify(body) ?? 'null' };
        },
      ),
    },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v): Wire => ({ contentType: 'application/json', body: JSON.stringify(v) })) },
    { weight: 1, arbitrary: fc.tuple(fc.nat(), fc.string({ unit: 'binary', maxLength: 4 })).map(([i, s]): Wire => {
      const text = JSON.stringify(component ? bodySeed(component) : { a: 1 });
      return { contentType: 'application/json', body: text.slice(0, i % text.length) + s };
    }) },
    { weight: 1, arbitrary: fc.constantFrom(10, 33, 2000, 100_000).map((n): Wire => ({ contentType: 'application/json', body: `${'['.repeat(n)}${']'.repeat(n)}` })) },
    { weight: 1, arbitrary: fc.constantFrom([0xf3], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xff], [0xe2, 0x82]).map((bytes): Wire => {
      const text = JSON.stringify(component ? bodySeed(component) : { a: 'x' });
      const at = text.lastIndexOf('"');
      return { contentType: 'application/json', body: Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from(bytes), Buffer.from(text.slice(at))]) };
    }) },
    { weight: 1, arbitrary: fc.constantFrom<Wire>(
      { contentType: 'text/plain', body: 'hello' },
      { contentType: 'application/x-www-form-urlencoded', body: 'a=1&__proto__[x]=1&constructor[prototype][y]=2' },
      { contentType: 'multipart/form-data', body: '--x\r\n' },
      { contentType: 'application/json; charset=utf-16', body: Buffer.from('{"a":"b"}', 'utf16le') },
      { contentType: 'application/json; charset=bogus', body: '{}' },
      { contentType: 'application/xml', body: '<?xml version="1.0" encoding="ISO-8859-2"?><a/>' },
      { contentType: 'text/csv', body: 'name;nip\r\n"unclosed;1\r\n' },
      { contentType: 'application/json', body: '' },
      { contentType: 'application/json', body: ' '.repeat(6 * 1024 * 1024) },
      {},
    ) },
  );

const xmlBody = fc.tuple(fc.nat(), fc.string({ unit: 'binary', maxLength: 8 }), fc.constantFrom('truncate', 'replace', 'encoding', 'bytes', 'same')).map(([i, s, how]): Wire => {
  const xml = MF_XML.replace(/<P_2>[^<]*<\/P_2>/, `<P_2>FUZZ/${randomUUID()}</P_2>`).replace(/<NIP>\d+<\/NIP>/, `<NIP>${SELLER_NIP}</NIP>`);
  const at = i % xml.length;
  const body =
    how === 'truncate' ? xml.slice(0, at)
    : how === 'replace' ? xml.slice(0, at) + s + xml.slice(at + 1)
    : how === 'encoding' ? xml.replace('encoding="UTF-8"', 'encoding="windows-1250"')
    : how === 'bytes' ? Buffer.concat([Buffer.from(xml.slice(0, at)), Buffer.from([0xf3, 0x00]), Buffer.from(xml.slice(at))])
    : xml;
  return { contentType: 'application/xml', body };
});

const csvBody = fc.array(fc.tuple(nastyString, nastyString), { minLength: 0, maxLength: 4 }).map((rows): Wire => ({
  contentType: 'text/csv',
  body: `name;nip\r\n${rows.map(([a, b]) => `${a.slice(0, 200)};${b.slice(0, 200)}`).join('\r\n')}\r\n`,
}));

const multipartBody = fc
  .tuple(fc.constantFrom('ok', 'no-boundary', 'wrong-boundary', 'truncated', 'bad-header', 'proto-field', 'two-files'), fc.dictionary(fc.constantFrom('owner', 'dueDate', 'invoiceId', 'extra'), nastyString, { maxKeys: 3 }), nastyString, fc.constantFrom('application/pdf', 'image/png', 'text/html', ''))
  .map(([how, fields, filename, type]): Wire => {
    const b = `----fuzz${randomUUID().slice(0, 8)}`;
    const part = (name: string, value: string) => `--${b}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
    const file = (name: string) => `--${b}\r\nContent-Disposition: form-data; name="${name}"; filename="${filename.slice(0, 300).replace(/["\r\n]/g, '_')}"\r\nContent-Type: ${type}\r\n\r\n%PDF-1.4 fuzz\r\n`;
    const text = Object.entries(fields).map(([k, v]) => part(k, v.slice(0, 5000))).join('') + file('file') + (how === 'two-files' ? file('file') : '') + (how === 'proto-field' ? part('__proto__', '{"x":1}') : '') + `--${b}--\r\n`;
    if (how === 'no-boundary') return { contentType: 'multipart/form-data', body: text };
    if (how === 'wrong-boundary') return { contentType: 'multipart/form-data; boundary=other', body: text };
    if (how === 'truncated') return { contentType: `multipart/form-data; boundary=${b}`, body: text.slice(0, Math.floor(text.length / 2)) };
    if (how === 'bad-header') return { contentType: `multipart/form-data; boundary=${b}`, body: text.replace('Content-Disposition', 'Content-Disposition\u0000 broken') };
    return { contentType: `multipart/form-data; boundary=${b}`, body: text };
  });

/** Percent-encodes UTF-8 bytes (lone surrogates become U+FFFD's bytes: the wire has only bytes). */
const pct = (s: string) => Array.from(Buffer.from(s, 'utf8')).map((c) => (/[A-Za-z0-9\-_.~]/.test(String.fromCharCode(c)) ? String.fromCharCode(c) : `%${c.toString(16).toUpperCase().padStart(2, '0')}`)).join('');

const GOOD_QUERY: Record<string, string> = { limit: '5', from: '2026-01-01', to: '2026-12-31', errorClass: 'ksef-rejection', sort: 'receivedAt', order: 'asc', format: 'json', status: 'pending', state: 'FAILED', active: 'true' };
const queryString = (names: string[]) =>
  fc.tuple(fc.array(fc.tuple(fc.constantFrom(...(names.length ? names : ['x'])), fc.oneof(nastyString, fc.constant('@good'))), { maxLength: 5 }), fc.constantFrom('', '&%00=1', '&%zz=%zz', '&a[b]=c', '&__proto__=1', '&constructor[prototype][x]=1', '&limit=1&limit=2', '&unknownParam=1'))
    .map(([pairs, junk]) => {
      const q = pairs.map(([k, v]) => `${pct(k)}=${pct(v === '@good' ? GOOD_QUERY[k] ?? 'x' : v.slice(0, 3000))}`).join('&') + junk;
      return q ? `?${q.replace(/^&/, '')}` : '';
    });

const headerSafe = fc.string({ unit: fc.integer({ min: 0x21, max: 0xff }).filter((c) => c !== 0x7f).map((c) => String.fromCharCode(c)), maxLength: 40 });
const extraHeaders = fc.record(
  {
    'x-source-system': fc.oneof(headerSafe, fc.constantFrom('erp', 'ERP', 'a'.repeat(500))),
    cookie: fc.oneof(fc.constantFrom('ksefops_session=%E0%A4%A', 'ksefops_session=', '=;;;', `ksefops_session=${'a'.repeat(5000)}`), headerSafe.map((v) => `ksefops_session=${v}`)),
    'x-api-key': headerSafe,
    accept: fc.constantFrom('*/*', 'text/csv', 'application/xml', '\u00ff'),
    origin: fc.constantFrom('http://evil.example', 'null'),
  },
  { requiredKeys: [] },
);
const anonymousAuth = fc.option(fc.oneof(headerSafe.map((t) => `Bearer ${t}`), fc.constantFrom('Bearer ', 'Basic Zm9vOmJhcg==', 'Bearer ksefops_' + 'x'.repeat(600))), { nil: undefined });

interface Operation {
  key: string;
  method: string;
  path: string;
  op: any;
}

function operations(): Operation[] {
  return Object.entries(doc.paths).flatMap(([p, item]: [string, any]) => Object.entries(item).map(([method, op]) => ({ key: `${method.toUpperCase()} ${p}`, method: method.toUpperCase(), path: p, op })));
}

function bodyArbitrary(o: Operation): fc.Arbitrary<Wire> {
  const content = (o.op.requestBody?.content ?? {}) as Record<string, { schema?: any }>;
  const ref = (s: any): string | null => (typeof s?.$ref === 'string' ? s.$ref.split('/').pop() : null);
  const options: fc.Arbitrary<Wire>[] = [];
  for (const [type, media] of Object.entries(content)) {
    if (type === 'application/json') options.push(jsonBody(ref(media.schema) ?? ref(media.schema?.items) ?? null).map((w) => (media.schema?.type === 'array' && typeof w.body === 'string' && w.body.startsWith('{') ? { ...w, body: `[${w.body}]` } : w)));
    else if (type === 'application/xml') options.push(xmlBody);
    else if (type === 'text/csv') options.push(csvBody);
    else if (type === 'multipart/form-data') options.push(multipartBody);
    else throw new Error(`${o.key}: no generator for request content ${type}: add one to route-fuzz.test.ts`);
  }
  // Operations without a body get unexpected ones too: an ignored body must not break them either.
  if (options.length === 0) options.push(jsonBody(null), fc.constant<Wire>({}));
  return fc.oneof(...options);
}

function pathArbitrary(o: Operation): fc.Arbitrary<string> {
  if (!o.path.includes('{')) return fc.constant(o.path);
  const seed = PATH_SEEDS.find(([re]) => re.test(o.path))?.[1];
  if (!seed) throw new Error(`${o.key}: no seed id for its path parameter: add one to PATH_SEEDS in route-fuzz.test.ts`);
  const id = fc.oneof(
    { weight: 5, arbitrary: fc.constant('@seed') },
    { weight: 1, arbitrary: fc.uuid() },
    { weight: 2, arbitrary: fc.constantFrom('zzz', '..', '.', '0', '-1', '__proto__', 'constructor', 'A'.repeat(3000), '00000000-0000-0000-0000-000000000000', '%00', '%2e%2e', '%ZZ', '%E0%A4%A', 'ZZZZZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZZZZZZZZZ') },
    { weight: 1, arbitrary: nastyString.map((s) => pct(s.slice(0, 200)) || 'x') },
  );
  return id.map((v) => o.path.replace(/\{[^}]+\}/g, v === '@seed' ? seeds[seed] : v));
}

interface Case {
  url: string;
  method: string;
  wire: Wire;
  headers: Record<string, string>;
  authorised: boolean;
}

function caseArbitrary(o: Operation, authorised: boolean): fc.Arbitrary<Case> {
  const names = ((o.op.parameters ?? []) as Array<{ name: string; in: string }>).filter((p) => p.in === 'query').map((p) => p.name);
  return fc.record({ path: pathArbitrary(o), query: queryString(names), wire: bodyArbitrary(o), extra: extraHeaders, auth: anonymousAuth }).map(({ path: p, query, wire, extra, auth }) => ({
    url: `${p}${query}`,
    method: o.method,
    wire,
    headers: { ...extra, ...(!authorised && auth ? { authorization: auth } : {}) },
    authorised,
  }));
}

async function send(o: Operation, c: Case): Promise<{ status: number; type: string; body: any }> {
  let auth: Record<string, string> = {};
  if (c.authorised) {
    if (OWN_SESSION_PER_CALL.has(o.key)) {
      const token = newSessionToken();
      await createSession(stack.prisma, stack.auth.users.operator.id, sha256Hex(token), new Date(Date.now() + 60_000));
      auth = { authorization: `Bearer ${token}` };
    } else auth = await stack.auth.headersFor('operator');
  }
  const headers: Record<string, string> = { ...c.headers, ...(c.wire.contentType ? { 'content-type': c.wire.contentType } : {}), ...auth };
  const init = { method: c.method, headers, body: c.wire.body !== undefined && c.method !== 'GET' && c.method !== 'HEAD' ? c.wire.body : undefined };
  let response: Response;
  try {
    response = await fetch(`${stack.apiUrl}${c.url}`, init);
  } catch (error) {
    // The client refuses some header bytes before sending; then the case goes without the extras.
    if (!(error instanceof TypeError) || !/header/i.test(String((error as Error).message) + String((error as { cause?: Error }).cause?.message))) throw error;
    response = await fetch(`${stack.apiUrl}${c.url}`, { ...init, headers: { ...(c.wire.contentType ? { 'content-type': c.wire.contentType } : {}), ...auth } });
  }
  const text = await response.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: response.status, type: response.headers.get('content-type') ?? '', body };
}

function verdict(o: Operation, res: { status: number; type: string; body: any }): string | null {
  if (res.status >= 500 && !DOCUMENTED_5XX[o.key]?.includes(res.status)) return `${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`;
  if (res.status >= 400 && res.status < 500) {
    const report = DOCUMENTED_REPORT_4XX[o.key];
    if (report?.status === res.status && res.type.startsWith('application/json')) {
      return Array.isArray(res.body?.errors) && res.body.errors.length > 0 && res.body.errors.every((e: { code?: unknown }) => typeof e.code === 'string') ? null : `${res.status} report without coded errors`;
    }
    if (!res.type.startsWith('application/problem+json')) return `${res.status} is not problem+json (${res.type})`;
    if (typeof res.body?.code !== 'string') return `${res.status} problem without a code: ${JSON.stringify(res.body).slice(0, 200)}`;
  }
  return null;
}

describe('every operation of the OpenAPI document survives hostile input', () => {
  it(`never answers 5xx; every 4xx is problem+json with a code (${RUNS} authorised + ${ANON_RUNS} anonymous cases per operation, seed ${SEED})`, async () => {
    const ops = operations();
    expect(ops.length).toBeGreaterThan(40);
    const failures: string[] = [];
    const sent = new Map<string, { authorised: number; anonymous: number; statuses: Set<number> }>();
    const started = Date.now();
    for (const [index, o] of ops.entries()) {
      const runs = FEWER_RUNS[o.key]?.runs ?? RUNS;
      let cases: Case[];
      try {
        cases = [
          ...fc.sample(caseArbitrary(o, true), { numRuns: runs, seed: SEED + index }),
          ...fc.sample(caseArbitrary(o, false), { numRuns: ANON_RUNS, seed: SEED + index + 10_000 }),
        ];
      } catch (error) {
        failures.push(`${o.key}: ${(error as Error).message}`);
        continue;
      }
      const tally = { authorised: 0, anonymous: 0, statuses: new Set<number>() };
      sent.set(o.key, tally);
      for (let i = 0; i < cases.length; i += CONCURRENCY) {
        await Promise.all(
          cases.slice(i, i + CONCURRENCY).map(async (c) => {
            try {
              const res = await send(o, c);
              tally.statuses.add(res.status);
              if (c.authorised) tally.authorised++;
              else tally.anonymous++;
              const wrong = verdict(o, res);
              if (wrong) failures.push(`${o.key} ${c.authorised ? 'operator' : 'anonymous'} ${c.method} ${c.url.slice(0, 200)} [${c.wire.contentType ?? 'no body'} ${String(c.wire.body ?? '').slice(0, 120)}] → ${wrong}`);
            } catch (error) {
              failures.push(`${o.key} ${c.method} ${c.url.slice(0, 200)}: request failed (${(error as Error).message})`);
            }
          }),
        );
      }
    }
    const seconds = (Date.now() - started) / 1000;
    const total = [...sent.values()].reduce((n, t) => n + t.authorised + t.anonymous, 0);
    console.log(`route fuzz: ${ops.length} operations, ${total} requests in ${seconds.toFixed(1)} s, seed ${SEED}`);
    expect(failures.slice(0, 25)).toEqual([]);
    // Nothing skipped: every operation got authorised and anonymous cases.
    expect(ops.filter((o) => !(sent.get(o.key)?.authorised && sent.get(o.key)?.anonymous)).map((o) => o.key)).toEqual([]);
    // The authorised cases got past authentication somewhere for each operation (not only 401s).
    expect(ops.filter((o) => [...(sent.get(o.key)?.statuses ?? [])].every((s) => s === 401)).map((o) => o.key)).toEqual([]);
    expect((await stack.api('/healthz')).status).toBe(200);
  }, 600_000);
});

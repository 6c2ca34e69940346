/**
 * Issue #15.7 and #16.2, case by case on the real stack: every input the issue found breaking the
 * server (a 500, or an action hanging past 60 s while PostgreSQL refused a NUL in the audit write)
 * is a 400 problem+json naming the field, and leaves nothing behind. Invalid UTF-8 in JSON and XML
 * declaring another encoding are refused (they used to be stored as "Odbi�rca" and sent to KSeF).
 * The route-by-route sweep is route-fuzz.test.ts; this file pins each named case.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sampleInvoice, SELLER_NIP } from '../../support/invoices';
import type { CallAs } from '../../support/auth';
import { eventually, startStack, type TestStack } from '../../support/stack';

let stack: TestStack;
beforeAll(async () => {
  // Every invoice waits for an approver: a stable state in which to try the actions.
  stack = await startStack({ lifecycle: { approvalThresholdGross: '0.00' } });
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

const NUL = '\u0000';

/** The answer is a 400 problem+json whose errors name `field` with `code`. */
function expectFieldProblem(res: { status: number; body: any; headers: Headers }, field: string, code = 'TEXT_INVALID_CHARACTER') {
  expect({ status: res.status, type: res.headers.get('content-type')?.split(';')[0] }).toEqual({ status: 400, type: 'application/problem+json' });
  expect(typeof res.body.code).toBe('string');
  expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, code, message: expect.any(String) })]));
}

async function raw(pathAndQuery: string, init: { method?: string; body: Uint8Array | string; contentType: string; as?: CallAs }) {
  const response = await fetch(`${stack.apiUrl}${pathAndQuery}`, {
    method: init.method ?? 'POST',
    headers: { 'content-type': init.contentType, ...(await stack.auth.headersFor(init.as ?? 'operator')) },
    body: init.body,
  });
  const text = await response.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* keep the text */
  }
  return { status: response.status, body, headers: response.headers };
}

async function lifecycleWorkflows(): Promise<number> {
  let n = 0;
  for await (const _ of stack.temporal.workflow.list({ query: `TaskQueue = '${stack.taskQueue}' AND WorkflowType = 'invoiceLifecycleWorkflow'` })) n++;
  return n;
}

describe('NUL and control characters are a 400 naming the field, never a 500', () => {
  it('login e-mail', async () => {
    const res = await stack.api('/api/v1/auth/login', { body: { email: `a${NUL}@example.com`, password: 'x' }, as: 'anonymous' });
    expectFieldProblem(res, 'email');
    expect(await stack.prisma.auditEvent.count({ where: { action: 'auth.login', targetId: { contains: 'example.com' }, result: 'failed' } })).toBe(0);
  });

  it('API key, webhook, user and rule names; nothing is stored', async () => {
    const tag = randomUUID().slice(0, 8);
    const cases: Array<[string, unknown, string]> = [
      ['/api/v1/api-keys', { name: `key ${tag}${NUL}`, sourceSystem: 'erp', sellerNips: [SELLER_NIP] }, 'name'],
      ['/api/v1/webhooks', { sourceSystem: `erp${NUL}`, url: 'https://hooks.example.com/ksef' }, 'sourceSystem'],
      ['/api/v1/users', { email: `u-${tag}@example.com`, name: `User${NUL}`, roles: ['monitor'] }, 'name'],
      ['/api/v1/approval-rules', { name: `rule ${tag}${NUL}`, minGross: '100.00' }, 'name'],
      ['/api/v1/responsibility-rules', { owner: `owner-${tag}${NUL}@example.com` }, 'owner'],
      // Invisible C1 control and a lone surrogate: the same rule, not only NUL.
      ['/api/v1/approval-rules', { name: `rule ${tag}\u0085x\u009b`, minGross: '100.00' }, 'name'],
      ['/api/v1/approval-rules', { name: `rule ${tag} \uD800`, minGross: '100.00' }, 'name'],
    ];
    for (const [url, body, field] of cases) expectFieldProblem(await stack.api(url, { body, as: 'admin' }), field);
    expect(await stack.prisma.apiKey.count({ where: { name: { startsWith: `key ${tag}` } } })).toBe(0);
    expect(await stack.prisma.user.count({ where: { email: `u-${tag}@example.com` } })).toBe(0);
    expect(await stack.prisma.approvalRule.count({ where: { name: { startsWith: `rule ${tag}` } } })).toBe(0);
    expect(await stack.prisma.responsibilityRule.count({ where: { owner: { startsWith: `owner-${tag}` } } })).toBe(0);
  });

  it('a field name with a control character, deep nesting and prototype keys', async () => {
    expectFieldProblem(await stack.api('/api/v1/approval-rules', { body: { [`na${NUL}me`]: 'x' }, as: 'admin' }), `na${NUL}me`);
    const deep = `${'['.repeat(5000)}"x"${']'.repeat(5000)}`;
    const nested = await stack.api('/api/v1/approval-rules', { rawBody: `{"name":"deep","buyerNips":${deep}}`, as: 'admin' });
    expect({ status: nested.status, code: nested.body.code }).toEqual({ status: 400, code: 'KSEFOPS_BODY_TOO_DEEP' });
    const proto = await stack.api('/api/v1/webhooks', { rawBody: '{"sourceSystem":"erp","url":"https://h.example.com","__proto__":{"admin":true}}', as: 'admin' });
    expectFieldProblem(proto, '__proto__', 'KSEFOPS_FORBIDDEN_KEY');
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('attachment owner: multipart field and PATCH; nothing stored', async () => {
    const before = await stack.prisma.attachment.count();
    const form = new FormData();
    form.append('owner', `ops${NUL}`);
    form.append('file', new Blob([Buffer.from('%PDF-1.4 hostile')], { type: 'application/pdf' }), 'a.pdf');
    const upload = await fetch(`${stack.apiUrl}/api/v1/attachments`, { method: 'POST', body: form, headers: await stack.auth.headersFor('corrector') });
    expectFieldProblem({ status: upload.status, body: await upload.json(), headers: upload.headers }, 'owner');
    // The file name is stored and shown too (a NUL there breaks the part header itself: a 400 of its own below).
    const named = new FormData();
    named.append('file', new Blob([Buffer.from('%PDF-1.4 hostile')], { type: 'application/pdf' }), 'faktura\u009b.pdf');
    const byName = await fetch(`${stack.apiUrl}/api/v1/attachments`, { method: 'POST', body: named, headers: await stack.auth.headersFor('corrector') });
    expectFieldProblem({ status: byName.status, body: await byName.json(), headers: byName.headers }, 'file.filename');
    expect(await stack.prisma.attachment.count()).toBe(before);

    const ok = new FormData();
    ok.append('file', new Blob([Buffer.from('%PDF-1.4 fine')], { type: 'application/pdf' }), 'Faktura źródłowa.pdf');
    const created = await fetch(`${stack.apiUrl}/api/v1/attachments`, { method: 'POST', body: ok, headers: await stack.auth.headersFor('corrector') });
    expect(created.status).toBe(201);
    const { id, name } = (await created.json()) as { id: string; name: string };
    // A UTF-8 file name is read as UTF-8, not as Latin-1 ("Å\u00ba" for "ź").
    expect(name).toBe('Faktura źródłowa.pdf');
    expectFieldProblem(await stack.api(`/api/v1/attachments/${id}`, { method: 'PATCH', body: { owner: `x${NUL}` }, as: 'corrector' }), 'owner');
    expect((await stack.prisma.attachment.findUniqueOrThrow({ where: { id } })).owner).toBeNull();
  });

  it('malformed multipart bodies are a 400, never a 500', async () => {
    const bodies: Array<[string, string]> = [
      ['multipart/form-data', 'no boundary at all'],
      ['multipart/form-data; boundary=', '--\r\n'],
      ['multipart/form-data; boundary=XyZ', '--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF cut short'],
      ['multipart/form-data; boundary=XyZ', `--XyZ\r\n${'X-Junk: y\r\n'.repeat(2000)}\r\n\r\nvalue\r\n--XyZ--\r\n`],
      ['multipart/form-data; boundary=XyZ', '--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\nContent-Type: application/pdf\r\nbroken header line without colon\r\n\r\n%PDF\r\n--XyZ--\r\n'],
      ['multipart/form-data; boundary=XyZ', '--XyZ\r\nContent-Disposition: form-data; name="__proto__"\r\n\r\n{"admin":true}\r\n--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF\r\n--XyZ--\r\n'],
    ];
    for (const [contentType, body] of bodies) {
      const res = await raw('/api/v1/attachments', { contentType, body, as: 'corrector' });
      expect({ contentType, status: res.status, type: res.headers.get('content-type')?.split(';')[0], code: typeof res.body.code }).toEqual({ contentType, status: 400, type: 'application/problem+json', code: 'string' });
    }
  });
});

describe('ids, cursors and filters in the query string', () => {
  it.each([
    ['/api/v1/audit?targetId=%00', 'targetId'],
    ['/api/v1/audit?cursor=zzz', 'cursor'],
    ['/api/v1/audit?cursor=99999999999999999999', 'cursor'],
    ['/api/v1/audit?cursor=9999999999999999999', 'cursor'],
    ['/api/v1/audit?from=0000-01-01', 'from'],
    ['/api/v1/audit/export.csv?actor=%00', 'actor'],
    ['/api/v1/webhooks/deliveries?invoiceId=zzz', 'invoiceId'],
    ['/api/v1/webhooks/deliveries?cursor=zzz', 'cursor'],
    ['/api/v1/webhooks/deliveries?subscriptionId=zzz', 'subscriptionId'],
    ['/api/v1/alerts?cursor=zzz', 'cursor'],
    ['/api/v1/alerts?invoiceId=zzz', 'invoiceId'],
    ['/api/v1/alerts?state=bogus', 'state'],
    ['/api/v1/alerts?owner=a%00b', 'owner'],
    ['/api/v1/api-keys?sourceSystem=%00', 'sourceSystem'],
    ['/api/v1/responsibility-rules/resolve?errorClass=ksef-rejection&sellerNip=%00', 'sellerNip'],
    ['/api/v1/invoices?q=ab%00', 'q'],
    ['/api/v1/invoices?receivedFrom=0000-01-01', 'receivedFrom'],
    ['/api/v1/invoices?issueDateFrom=0000-01-01', 'issueDateFrom'],
    [`/api/v1/invoices?cursor=${Buffer.from(JSON.stringify(['receivedAt', 'desc', 'zzz', 'zzz'])).toString('base64url')}`, 'cursor'],
    [`/api/v1/invoices?cursor=${Buffer.from(JSON.stringify(['receivedAt', 'desc', '2026-01-01T00:00:00.000Z', 'zzz'])).toString('base64url')}`, 'cursor'],
    ['/api/v1/dashboard?from=0000-01-01', 'from'],
    ['/api/v1/counterparties?q=%00', 'q'],
  ])('%s → 400 naming %s', async (url, field) => {
    const res = await stack.api(url, { as: 'operator' });
    expect({ status: res.status, type: res.headers.get('content-type')?.split(';')[0], code: typeof res.body.code }).toEqual({ status: 400, type: 'application/problem+json', code: 'string' });
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it.each([
    ['PATCH', '/api/v1/webhooks/zzz'],
    ['POST', '/api/v1/webhooks/zzz/rotate-secret'],
    ['PATCH', '/api/v1/responsibility-rules/zzz'],
    ['DELETE', '/api/v1/responsibility-rules/zzz'],
    ['PATCH', '/api/v1/approval-rules/zzz'],
    ['DELETE', '/api/v1/approval-rules/zzz'],
    ['POST', '/api/v1/api-keys/zzz/revoke'],
    ['DELETE', '/api/v1/api-keys/zzz'],
  ])('%s %s → 400 INVALID_ID naming the id', async (method, url) => {
    const res = await stack.api(url, { method, body: method === 'PATCH' ? {} : undefined, as: 'admin' });
    expectFieldProblem(res, 'id', 'INVALID_ID');
  });

  it('a UI vendor file named like a prototype property is a 404, not a 500', async () => {
    for (const name of ['__proto__', 'constructor', 'hasOwnProperty']) {
      const res = await stack.api(`/ui/vendor/${name}`, { as: 'anonymous' });
      expect({ name, status: res.status }).toEqual({ name, status: 404 });
    }
  });

  it('a cookie that is not percent-encoding is no credential, not a 500', async () => {
    const res = await stack.api('/api/v1/invoices', { as: 'anonymous', headers: { cookie: 'ksefops_session=%E0%A4%A' } });
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 401, code: 'KSEFOPS_UNAUTHENTICATED' });
  });
});

describe('a poisoned action never freezes the invoice (#16.2)', () => {
  it('a NUL in note or reason is a 400 at once; the invoice still takes a clean action', async () => {
    const submit = await stack.api('/api/v1/invoices', { body: sampleInvoice() });
    expect(submit.status).toBe(202);
    const id = submit.body.id as string;
    await eventually(async () => (await stack.api(`/api/v1/invoices/${id}`)).body.status === 'AWAITING_APPROVAL', 90_000);

    const started = Date.now();
    const poisoned: Array<[string, unknown, string]> = [
      ['approve', { note: `ok${NUL}` }, 'note'],
      ['reject-approval', { note: `no\u0001` }, 'note'],
      ['cancel', { note: `\uDC00` }, 'note'],
      ['request-manual-exception', { reason: `outside KSeF${NUL}` }, 'reason'],
      ['request-manual-exception', { reason: 'outside KSeF', note: `x${NUL}` }, 'note'],
    ];
    for (const [action, body, field] of poisoned) expectFieldProblem(await stack.api(`/api/v1/invoices/${id}/actions/${action}`, { body }), field);
    // Refused at the door: no workflow update, no audit retry loop — seconds, not the 60 s the issue saw.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await stack.prisma.auditEvent.count({ where: { targetId: id, action: { in: ['invoice.approve', 'invoice.reject-approval', 'invoice.cancel', 'invoice.request-manual-exception'] } } })).toBe(0);
    expect((await stack.api(`/api/v1/invoices/${id}`)).body.status).toBe('AWAITING_APPROVAL');

    // Prose keeps its line breaks and tabs.
    const approved = await stack.api(`/api/v1/invoices/${id}/actions/approve`, { body: { note: 'checked\n\twith the buyer' }, as: 'approver' });
    expect(approved.status).toBe(200);
    await eventually(async () => (await stack.prisma.auditEvent.count({ where: { targetId: id, action: 'invoice.approve' } })) === 1, 30_000);
  });
});

describe('text that is not UTF-8 is refused, not guessed (#16.2)', () => {
  const MF_XML = readFileSync(path.resolve(__dirname, '..', '..', 'fixtures', 'ksef-examples', 'mf-fa3-01_VAT_basic_rates-23-5_FP_payment.xml'), 'utf8');
  const xmlWithNumber = (number: string) => MF_XML.replace(/<P_2>[^<]*<\/P_2>/, `<P_2>${number}</P_2>`).replace(/<NIP>\d+<\/NIP>/, `<NIP>${SELLER_NIP}</NIP>`);

  it('JSON in ISO-8859-2, XML declaring ISO-8859-2, XML with broken bytes: 400 KSEFOPS_INVALID_ENCODING, nothing stored, no workflow', async () => {
    const workflowsBefore = await lifecycleWorkflows();
    const numbers: string[] = [];

    const json = sampleInvoice();
    numbers.push(json.invoiceNumber!);
    (json.buyer as { name?: string }).name = 'Odbiórca Sp. z o.o.';
    // "ó" is 0xF3 in ISO-8859-2 and Latin-1: not UTF-8.
    const latin2 = Buffer.from(JSON.stringify(json), 'latin1');
    const asJson = await raw('/api/v1/invoices', { body: latin2, contentType: 'application/json', as: 'sender-key' });
    expectFieldProblem(asJson, '(body)', 'KSEFOPS_INVALID_ENCODING');
    expect(asJson.body.code).toBe('KSEFOPS_INVALID_ENCODING');

    const declared = `FV/ENC/${randomUUID().slice(0, 8)}`;
    numbers.push(declared);
    const xmlDeclared = xmlWithNumber(declared).replace('encoding="UTF-8"', 'encoding="ISO-8859-2"');
    const asDeclared = await raw('/api/v1/invoices', { body: Buffer.from(xmlDeclared, 'latin1'), contentType: 'application/xml', as: 'sender-key' });
    expect({ status: asDeclared.status, code: asDeclared.body.code }).toEqual({ status: 400, code: 'KSEFOPS_INVALID_ENCODING' });
    expect(asDeclared.body.detail).toMatch(/ISO-8859-2/);
    // Declared ISO-8859-2 but every byte ASCII-compatible UTF-8 (no Polish letters): still refused on the declaration.
    const asciiDeclared = await raw('/api/v1/invoices', { body: xmlDeclared.replace(/[^\x00-\x7F]/g, 'o'), contentType: 'application/xml', as: 'sender-key' });
    expect({ status: asciiDeclared.status, code: asciiDeclared.body.code }).toEqual({ status: 400, code: 'KSEFOPS_INVALID_ENCODING' });

    const broken = `FV/ENC/${randomUUID().slice(0, 8)}`;
    numbers.push(broken);
    const brokenText = xmlWithNumber(broken);
    const at = brokenText.indexOf('</P_2>');
    const xmlBroken = Buffer.concat([Buffer.from(brokenText.slice(0, at)), Buffer.from([0xf3]), Buffer.from(brokenText.slice(at))]);
    const asBroken = await raw('/api/v1/invoices', { body: xmlBroken, contentType: 'application/xml', as: 'sender-key' });
    expect({ status: asBroken.status, code: asBroken.body.code }).toEqual({ status: 400, code: 'KSEFOPS_INVALID_ENCODING' });

    const charset = await raw('/api/v1/invoices', { body: Buffer.from(xmlWithNumber(broken), 'utf8'), contentType: 'application/xml; charset=iso-8859-2', as: 'sender-key' });
    expect({ status: charset.status, code: charset.body.code }).toEqual({ status: 400, code: 'KSEFOPS_INVALID_ENCODING' });

    expect(await stack.prisma.invoice.count({ where: { invoiceNumber: { in: numbers } } })).toBe(0);
    expect(await lifecycleWorkflows()).toBe(workflowsBefore);

    // The same documents in UTF-8 are taken: the refusal is about the encoding only.
    const utf8 = await raw('/api/v1/invoices', { body: Buffer.from(JSON.stringify(json), 'utf8'), contentType: 'application/json', as: 'sender-key' });
    expect(utf8.status).toBe(202);
    expect((await stack.prisma.invoice.findUniqueOrThrow({ where: { id: utf8.body.id } })).buyerName).toBe('Odbiórca Sp. z o.o.');
  });

  it('a CSV import that is not UTF-8 is refused', async () => {
    const csv = Buffer.from('name;nip\r\nOdbiórca;5260001246\r\n', 'latin1');
    const res = await raw('/api/v1/counterparties/import', { body: csv, contentType: 'text/csv', as: 'corrector' });
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 400, code: 'KSEFOPS_INVALID_ENCODING' });
  });
});

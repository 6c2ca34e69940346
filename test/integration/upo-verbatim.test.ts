/**
 * Issue #17 item 6, UPO: MF's own UPO examples (CIRFMF/ksef-docs faktury/upo/przyklady/v4-3) fail the
 * UPO v4-3 XSD — the receiving party is "Ministerstwo Finansów - środowisko testowe (TE)", the XSD
 * allows only "Ministerstwo Finansów". The product must take what KSeF really sends: read it
 * tolerantly, store the bytes verbatim, and serve the stored receipt even when KSeF is unreachable.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { validateXML } from 'xmllint-wasm';
import { readUpo } from '../../fa3/upo';
import { sampleInvoice } from '../support/invoices';
import { startStack, type TestStack } from '../support/stack';

const EXAMPLES = path.resolve(__dirname, '..', 'fixtures', 'upo-examples');
const UPO_XSD = readFileSync(path.resolve(__dirname, '..', '..', 'ksef-schemas', 'upo-v4-3.xsd'), 'utf8');
const REAL_ISSUER = 'Ministerstwo Finansów - środowisko testowe (TE)';

describe('official MF UPO examples', () => {
  const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.xml')).sort();

  it('are six, and every one fails the UPO XSD on the issuer name (so no UPO may be schema-checked)', async () => {
    expect(files).toHaveLength(6);
    for (const file of files) {
      const result = await validateXML({ xml: [{ fileName: file, contents: readFileSync(path.join(EXAMPLES, file), 'utf8') }], schema: [{ fileName: 'upo-v4-3.xsd', contents: UPO_XSD }] });
      expect(result.errors.map((e) => e.message).join('\n')).toMatch(/NazwaPodmiotuPrzyjmujacego/);
    }
  });

  it.each(files)('%s is read tolerantly: issuer as sent, context, every document', (file) => {
    const reading = readUpo(readFileSync(path.join(EXAMPLES, file)));
    if (!reading.ok) throw new Error(reading.reason);
    expect(reading.namespace).toBe('http://upo.schematy.mf.gov.pl/KSeF/v4-3');
    expect(reading.issuerName).toBe(REAL_ISSUER);
    expect(reading.context?.type).toMatch(/^(Nip|IdWewnetrzny|IdZlozonyVatUE)$/);
    expect(reading.documents.length).toBeGreaterThan(0);
    for (const d of reading.documents) {
      expect(d.ksefNumber).toMatch(/^\d{10}-\d{8}-[0-9A-F]{12}-[0-9A-F]{2}$/);
      expect(d.invoiceHash).toHaveLength(44);
    }
  });

  it('an unreadable answer is reported, never thrown', () => {
    expect(readUpo('<html>maintenance</htm>')).toMatchObject({ ok: false });
    expect(readUpo('<Other xmlns="x"/>')).toEqual({ ok: false, reason: 'root element is not Potwierdzenie' });
    expect(readUpo(new Uint8Array([0xff, 0xfe, 0x00]))).toMatchObject({ ok: false });
  });
});

describe('the product keeps the UPO KSeF sent, byte for byte', () => {
  let stack: TestStack;
  beforeAll(async () => {
    // The simulator names itself the way KSeF's UPOs do (outside the XSD).
    stack = await startStack({ simulator: { upoIssuerName: REAL_ISSUER } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('first download stores the bytes verbatim; later downloads are the same bytes, also while KSeF is down', async () => {
    const res = await stack.api('/api/v1/invoices', { body: sampleInvoice() });
    expect(res.status).toBe(202);
    const done = await stack.temporal.workflow.getHandle(res.body.workflowId).result();
    expect(done.status).toBe('ACCEPTED');
    const id = res.body.id as string;

    const first = await fetch(`${stack.apiUrl}/api/v1/invoices/${id}/upo`, { headers: await stack.auth.headersFor('monitor') });
    expect(first.status).toBe(200);
    const bytes = Buffer.from(await first.arrayBuffer());
    expect(bytes.toString('utf8')).toContain(`<NazwaPodmiotuPrzyjmujacego>${REAL_ISSUER}</NazwaPodmiotuPrzyjmujacego>`);
    // The simulator's x-ms-meta-hash is SHA-256 of what it sent: the served bytes are exactly those.
    expect(first.headers.get('x-upo-hash')).toBe(createHash('sha256').update(bytes).digest('base64'));

    const row = await stack.prisma.ksefUpo.findUniqueOrThrow({ where: { registryId: id } });
    expect(Buffer.from(row.content).equals(bytes)).toBe(true);
    expect(row).toMatchObject({ ksefNumber: done.ksefNumber, issuerName: REAL_ISSUER, namespace: 'http://upo.schematy.mf.gov.pl/KSeF/v4-3', readProblem: null });

    await fetch(`${stack.simulatorRootUrl}/_sim/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outage: { durationMs: 60_000, status: 503 } }) });
    try {
      const again = await fetch(`${stack.apiUrl}/api/v1/invoices/${id}/upo`, { headers: await stack.auth.headersFor('monitor') });
      expect(again.status).toBe(200);
      expect(Buffer.from(await again.arrayBuffer()).equals(bytes)).toBe(true);
    } finally {
      await fetch(`${stack.simulatorRootUrl}/_sim/faults`, { method: 'DELETE' });
    }
  });
});

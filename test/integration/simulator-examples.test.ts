import { readFileSync } from 'node:fs';
import path from 'node:path';
import { validateXML } from 'xmllint-wasm';
import { zipSync } from 'fflate';
import { http, startSimulator, type StartedSimulator } from './simulator-support/client';
import { openBatch, uploadAndClose } from './simulator-support/batch';
import { officialExamples, randomNip, withCorrectedKsefNumbers, withInvoiceNumber, withSellerNip } from './simulator-support/fixtures';

const UPO_XSD = readFileSync(path.resolve(__dirname, '..', '..', 'ksef-schemas', 'upo-v4-3.xsd'), 'utf8');

async function upoSchemaErrors(xml: string): Promise<string[]> {
  const result = await validateXML({ xml: [{ fileName: 'upo.xml', contents: xml }], schema: [{ fileName: 'upo-v4-3.xsd', contents: UPO_XSD }] });
  return result.errors.map((e) => e.message);
}

/**
 * Every official example must be accepted. Only what KSeF's own rules force is changed:
 * P_2 is made unique (the examples share seller+type+number triples → 440 otherwise) and the
 * seller NIP is a fresh one per run. Corrections cite KSeF numbers of examples accepted first,
 * since the numbers printed in them were never issued by this simulator; the strict ledger rule
 * (requireCorrectedInvoiceInLedger: true, the default) stays on. Invoices with Zalacznik go
 * through a batch session because KSeF accepts attachments only there.
 */
describe('KSeF simulator: official example invoices', () => {
  let sim: StartedSimulator;
  const seller = randomNip();
  const examples = officialExamples();
  const isCorrection = (xml: string) => /<RodzajFaktury>KOR(_ZAL|_ROZ)?<\/RodzajFaktury>/.test(xml);
  const hasAttachment = (xml: string) => xml.includes('<Zalacznik>');
  const prepare = (xml: string, i: number) => withInvoiceNumber(withSellerNip(xml, seller), `SIM/${i}/${xml.match(/<P_2>([^<]*)<\/P_2>/)?.[1]}`);

  beforeAll(async () => {
    sim = await startSimulator({ rateLimits: 'off' });
    await sim.client.authenticate(seller);
  });
  afterAll(() => sim.running.close());

  it('has the expected fixture set (26 MF + third-party suite)', () => {
    expect(examples.filter((e) => e.name.startsWith('mf-')).length).toBeGreaterThanOrEqual(23);
    expect(examples.filter((e) => e.name.startsWith('third-party/')).length).toBe(12);
  });

  it('accepts every example without attachment online, bases first and corrections after', async () => {
    const session = await sim.client.openOnlineSession();
    const online = examples.map((e, i) => ({ ...e, i })).filter((e) => !hasAttachment(e.xml));
    const accepted: string[] = [];
    const outcomes: Record<string, { code: number; details?: string[] }> = {};
    for (const phase of [false, true]) {
      const sent = [];
      for (const example of online.filter((e) => isCorrection(e.xml) === phase)) {
        const xml = phase ? withCorrectedKsefNumbers(prepare(example.xml, example.i), accepted) : prepare(example.xml, example.i);
        sent.push({ name: example.name, ref: await sim.client.sendInvoice(session, xml) });
      }
      for (const { name, ref } of sent) {
        const status = await sim.client.waitForInvoice(session.referenceNumber, ref);
        outcomes[name] = status.status;
        if (status.status.code === 200) accepted.push(status.ksefNumber);
      }
    }
    const notAccepted = Object.entries(outcomes).filter(([, s]) => s.code !== 200);
    expect(notAccepted).toEqual([]);
    expect(accepted).toHaveLength(online.length);

    await sim.client.closeOnline(session);
    const closed = await sim.client.waitForSession(session.referenceNumber);
    expect(closed.status.code).toBe(200);
    const upo = await http(`${sim.running.url}/sessions/${session.referenceNumber}/upo/${closed.upo.pages[0].referenceNumber}`, { token: sim.client.accessToken });
    expect(upo.status).toBe(200);
    expect((upo.text.match(/<Dokument>/g) ?? []).length).toBe(online.length);
    expect(await upoSchemaErrors(upo.text)).toEqual([]);
  });

  it('rejects an attachment invoice online with 415 and accepts it in a batch session', async () => {
    const withAttachment = examples.map((e, i) => ({ ...e, i })).filter((e) => hasAttachment(e.xml));
    expect(withAttachment.length).toBe(2);

    const session = await sim.client.openOnlineSession();
    const ref = await sim.client.sendInvoice(session, prepare(withAttachment[0].xml, 1000));
    const online = await sim.client.waitForInvoice(session.referenceNumber, ref);
    expect(online.status.code).toBe(415);

    const files = Object.fromEntries(withAttachment.map((e) => [`${e.i}.xml`, Buffer.from(prepare(e.xml, e.i))]));
    const zip = Buffer.from(zipSync(files));
    const batch = await openBatch(sim.client, zip, 1);
    expect(batch.status).toBe(201);
    await uploadAndClose(sim.client, batch);
    const done = await sim.client.waitForSession(batch.referenceNumber);
    expect(done.status.code).toBe(200);
    expect(done.successfulInvoiceCount).toBe(2);
  });

  it('the UPO schema check is real: the MF example itself breaks the fixed receiving-party name', async () => {
    const mfExample = readFileSync(path.resolve(__dirname, '..', 'fixtures', 'upo-examples', 'upo-faktura-kontekst-id-nip.xml'), 'utf8');
    const errors = await upoSchemaErrors(mfExample);
    expect(errors.join('\n')).toMatch(/NazwaPodmiotuPrzyjmujacego/);
  });

  it('serves invoice UPOs that validate against upo-v4-3.xsd', async () => {
    const session = await sim.client.openOnlineSession();
    const ref = await sim.client.sendInvoice(session, prepare(examples[0].xml, 2000));
    const status = await sim.client.waitForInvoice(session.referenceNumber, ref);
    const byRef = await http(`${sim.running.url}/sessions/${session.referenceNumber}/invoices/${ref}/upo`, { token: sim.client.accessToken });
    const byKsef = await http(`${sim.running.url}/sessions/${session.referenceNumber}/invoices/ksef/${status.ksefNumber}/upo`, { token: sim.client.accessToken });
    expect(byRef.status).toBe(200);
    expect(byRef.headers.get('content-type')).toContain('application/xml');
    expect(byRef.text).toBe(byKsef.text);
    expect(byRef.text).toContain('<Potwierdzenie xmlns="http://upo.schematy.mf.gov.pl/KSeF/v4-3">');
    expect(byRef.text).toContain(`<SkrotDokumentu>${status.invoiceHash}</SkrotDokumentu>`);
    expect(byRef.headers.get('x-ms-meta-hash')).toHaveLength(44);
    expect(await upoSchemaErrors(byRef.text)).toEqual([]);
  });
});

import { randomBytes } from 'node:crypto';
import { aesEncrypt, http, sha256Base64, startSimulator, type OnlineSession, type StartedSimulator } from './simulator-support/client';
import { basicInvoice, exampleXml, randomNip, withCorrectedKsefNumbers, withInvoiceNumber, withIssueDate, withSellerNip } from './simulator-support/fixtures';

describe('KSeF simulator: invoice verification and rejection codes', () => {
  let sim: StartedSimulator;
  let session: OnlineSession;
  const seller = randomNip();
  let counter = 0;
  const fresh = () => basicInvoice(seller, `FV/REJ/${++counter}`);

  beforeAll(async () => {
    sim = await startSimulator({ rateLimits: 'off' });
    await sim.client.authenticate(seller);
    session = await sim.client.openOnlineSession();
  });
  afterAll(() => sim.running.close());

  async function finalStatus(xml: string | Buffer, overrides = {}) {
    const ref = await sim.client.sendInvoice(session, xml, overrides);
    return sim.client.waitForInvoice(session.referenceNumber, ref);
  }

  function exceptionCode(body: any): number {
    return body.exception.exceptionDetailList[0].exceptionCode;
  }

  it('430 for a schema violation, with libxml2 details', async () => {
    const broken = fresh().replace(/<P_15>[^<]*<\/P_15>/, '<P_15>not-a-number</P_15>');
    const status = await finalStatus(broken);
    expect(status.status.code).toBe(430);
    expect(status.status.details.join(' ')).toMatch(/P_15/);
    expect(status.ksefNumber).toBeNull();
  });

  it('430 for malformed XML, a BOM and processing instructions', async () => {
    expect((await finalStatus(fresh().replace('</Faktura>', '</Fakt>'))).status.code).toBe(430);
    const bom = await finalStatus(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(fresh())]));
    expect(bom.status.code).toBe(430);
    expect(bom.status.details[0]).toMatch(/BOM/);
    const pi = await finalStatus(fresh().replace('<Naglowek>', '<?xml-stylesheet href="x.xsl"?><Naglowek>'));
    expect(pi.status.code).toBe(430);
    expect(pi.status.details[0]).toMatch(/processing instructions/);
  });

  it('21403 when invoiceHash or encryptedInvoiceHash do not match, synchronously', async () => {
    const wrongHash = sha256Base64('something else');
    const plain = await sim.client.sendInvoiceRaw(session, fresh(), { invoiceHash: wrongHash });
    expect(plain.status).toBe(400);
    expect(exceptionCode(plain.body)).toBe(21403);
    const encrypted = await sim.client.sendInvoiceRaw(session, fresh(), { encryptedInvoiceHash: wrongHash });
    expect(exceptionCode(encrypted.body)).toBe(21403);
  });

  it('21402 when invoiceSize or encryptedInvoiceSize do not match', async () => {
    const plain = await sim.client.sendInvoiceRaw(session, fresh(), { invoiceSize: 5 });
    expect(plain.status).toBe(400);
    expect(exceptionCode(plain.body)).toBe(21402);
    const encrypted = await sim.client.sendInvoiceRaw(session, fresh(), { encryptedInvoiceSize: 17 });
    expect(exceptionCode(encrypted.body)).toBe(21402);
  });

  it('435 when the content was encrypted with another key', async () => {
    const xml = Buffer.from(fresh());
    const foreign = aesEncrypt(randomBytes(32), randomBytes(16), xml);
    const status = await finalStatus(xml, { encryptedContent: foreign });
    expect(status.status.code).toBe(435);
  });

  it('accepts ciphertext with the IV prefixed (the docs\' variant)', async () => {
    expect((await finalStatus(fresh(), { prefixIv: true })).status.code).toBe(200);
  });

  it('440 for a duplicate (seller NIP + RodzajFaktury + P_2), naming the original', async () => {
    const xml = basicInvoice(seller, 'FV/DUP/1');
    const original = await finalStatus(xml);
    expect(original.status.code).toBe(200);
    // a different buyer does not matter: the rule is seller + type + number, across sessions
    const otherSession = await sim.client.openOnlineSession();
    const ref = await sim.client.sendInvoice(otherSession, basicInvoice(seller, 'FV/DUP/1', '2222222222'));
    const duplicate = await sim.client.waitForInvoice(otherSession.referenceNumber, ref);
    expect(duplicate.status.code).toBe(440);
    expect(duplicate.status.extensions).toEqual({ originalSessionReferenceNumber: session.referenceNumber, originalKsefNumber: original.ksefNumber });
    const ledger = await sim.client.admin('/ledger?sellerNip=' + seller);
    expect(ledger.body.accepted.filter((e: any) => e.invoiceNumber === 'FV/DUP/1')).toHaveLength(1);
    expect(ledger.body.finalStatusCounts['440']).toBeGreaterThanOrEqual(1);
  });

  it('450 for a NIP with a bad checksum (Podmiot1 and Podmiot2)', async () => {
    const badBuyer = await finalStatus(basicInvoice(seller, `FV/NIP/${++counter}`, '1234567890'));
    expect(badBuyer.status.code).toBe(450);
    expect(badBuyer.status.details.join(' ')).toMatch(/1234567890.*Podmiot2/);
  });

  it('450 when P_1 is in the future', async () => {
    const status = await finalStatus(withIssueDate(fresh(), '2049-12-31'));
    expect(status.status.code).toBe(450);
    expect(status.status.details[0]).toMatch(/P_1/);
  });

  it('450 for a correction citing a KSeF number the simulator never issued; 200 once it cites a real one', async () => {
    const correction = withInvoiceNumber(withSellerNip(exampleXml('mf-fa3-03_KOR_price-reduction_difference-line.xml'), seller), 'FK/REJ/1');
    const unknown = await finalStatus(correction);
    expect(unknown.status.code).toBe(450);
    expect(unknown.status.details[0]).toMatch(/9999999999-20230908-8BEF280C8D35-4D/);
    const base = await finalStatus(fresh());
    const known = await finalStatus(withCorrectedKsefNumbers(withInvoiceNumber(correction, 'FK/REJ/2'), [base.ksefNumber]));
    expect(known.status.code).toBe(200);
  });

  it('offlineMode marks the invoice Offline even for a same-day issue date', async () => {
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Warsaw' }).format(new Date());
    const online = await finalStatus(withIssueDate(fresh(), today));
    expect(online.invoicingMode).toBe('Online');
    const declared = await finalStatus(withIssueDate(fresh(), today), { offlineMode: true });
    expect(declared.invoicingMode).toBe('Offline');
  });

  it('21405 for an invalid request body and 21173 for an unknown session', async () => {
    const invalid = await http(`${sim.running.url}/sessions/online/${session.referenceNumber}/invoices`, { token: sim.client.accessToken, json: { invoiceHash: 'x' } });
    expect(invalid.status).toBe(400);
    expect(exceptionCode(invalid.body)).toBe(21405);
    const unknown = await http(`${sim.running.url}/sessions/20250101-SO-0000000000-0000000000-00`, { token: sim.client.accessToken });
    expect(exceptionCode(unknown.body)).toBe(21173);
  });

  it('a session of another context is invisible (21173)', async () => {
    const other = sim.newClient();
    await other.authenticate(randomNip());
    const res = await http(`${sim.running.url}/sessions/${session.referenceNumber}`, { token: other.accessToken });
    expect(res.status).toBe(400);
    expect(exceptionCode(res.body)).toBe(21173);
  });

  it('enforceNipChecksum:false accepts checksum-invalid NIPs (like KSeF TEST)', async () => {
    const lenient = await startSimulator({ rateLimits: 'off', enforceNipChecksum: false });
    try {
      const sellerWithBadChecksum = '1234567890';
      await lenient.client.authenticate(sellerWithBadChecksum);
      const s = await lenient.client.openOnlineSession();
      const ref = await lenient.client.sendInvoice(s, basicInvoice(sellerWithBadChecksum, 'FV/LENIENT/1'));
      expect((await lenient.client.waitForInvoice(s.referenceNumber, ref)).status.code).toBe(200);
    } finally {
      await lenient.running.close();
    }
  });
});

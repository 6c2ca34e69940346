import { http, startSimulator, type StartedSimulator } from './simulator-support/client';
import { basicInvoice, randomNip } from './simulator-support/fixtures';

describe('KSeF simulator: purchase invoices (metadata query and download)', () => {
  let sim: StartedSimulator;
  const buyer = randomNip();
  const supplierA = randomNip();
  const supplierB = randomNip();
  const issued: Record<string, string> = {};

  beforeAll(async () => {
    sim = await startSimulator({ rateLimits: 'off' });
    // seeding = the normal send path under the suppliers' own contexts
    for (const [supplier, count] of [[supplierA, 7], [supplierB, 5]] as const) {
      const client = sim.newClient();
      await client.authenticate(supplier);
      const session = await client.openOnlineSession();
      const refs = [];
      for (let i = 1; i <= count; i++) refs.push(await client.sendInvoice(session, basicInvoice(supplier, `FV/${supplier}/${i}`, buyer)));
      for (const ref of refs) {
        const status = await client.waitForInvoice(session.referenceNumber, ref);
        issued[status.invoiceNumber] = status.ksefNumber;
      }
      // one invoice to somebody else, which the buyer must not see
      const other = await client.sendInvoice(session, basicInvoice(supplier, `FV/${supplier}/OTHER`, '2222222222'));
      await client.waitForInvoice(session.referenceNumber, other);
    }
    await sim.client.authenticate(buyer);
  });
  afterAll(() => sim.running.close());

  const query = (body: unknown, params = '') => http(`${sim.running.url}/invoices/query/metadata${params}`, { token: sim.client.accessToken, json: body });
  const lastHour = { dateType: 'Invoicing', from: new Date(Date.now() - 3600_000).toISOString() };

  it('as buyer (Subject2) sees exactly the invoices addressed to its NIP, with paging', async () => {
    const first = await query({ subjectType: 'Subject2', dateRange: lastHour }, '?pageSize=10&pageOffset=0&sortOrder=Asc');
    expect(first.status).toBe(200);
    expect(first.body.invoices).toHaveLength(10);
    expect(first.body.hasMore).toBe(true);
    expect(first.body.isTruncated).toBe(false);
    expect(first.body.permanentStorageHwmDate).toBeTruthy();
    const second = await query({ subjectType: 'Subject2', dateRange: lastHour }, '?pageSize=10&pageOffset=1');
    expect(second.body.invoices).toHaveLength(2);
    expect(second.body.hasMore).toBe(false);
    const all = [...first.body.invoices, ...second.body.invoices];
    expect(all.map((i: any) => i.ksefNumber).sort()).toEqual(Object.values(issued).sort());
    const one = all[0];
    expect(one.buyer.identifier).toEqual({ type: 'Nip', value: buyer });
    expect(one.invoiceType).toBe('Vat');
    expect(one.formCode).toEqual({ systemCode: 'FA (3)', schemaVersion: '1-0E', value: 'FA' });
    expect(typeof one.grossAmount).toBe('number');
  });

  it('filters by seller and sorts descending; the buyer sees nothing as Subject1', async () => {
    const bySeller = await query({ subjectType: 'Subject2', dateRange: lastHour, sellerNip: supplierB }, '?sortOrder=Desc');
    expect(bySeller.body.invoices).toHaveLength(5);
    const dates = bySeller.body.invoices.map((i: any) => Date.parse(i.invoicingDate));
    expect([...dates].sort((a, b) => b - a)).toEqual(dates);
    expect((await query({ subjectType: 'Subject1', dateRange: lastHour })).body.invoices).toHaveLength(0);
  });

  it('isTruncated when the filter matches more than the cap', async () => {
    const capped = await startSimulator({ rateLimits: 'off', maxQueryResults: 3 });
    try {
      await capped.client.authenticate(supplierA);
      const session = await capped.client.openOnlineSession();
      for (let i = 0; i < 4; i++) await capped.client.waitForInvoice(session.referenceNumber, await capped.client.sendInvoice(session, basicInvoice(supplierA, `FV/T/${i}`, buyer)));
      const res = await http(`${capped.running.url}/invoices/query/metadata`, { token: capped.client.accessToken, json: { subjectType: 'Subject1', dateRange: lastHour } });
      expect(res.body.isTruncated).toBe(true);
      expect(res.body.invoices).toHaveLength(3);
    } finally {
      await capped.running.close();
    }
  });

  it('21183 for a date range longer than 3 months', async () => {
    const res = await query({ subjectType: 'Subject2', dateRange: { dateType: 'Issue', from: '2025-01-01T00:00:00Z', to: '2025-06-01T00:00:00Z' } });
    expect(res.status).toBe(400);
    expect(res.body.exception.exceptionDetailList[0].exceptionCode).toBe(21183);
  });

  it('downloads the raw XML of a visible invoice; 21164 for unknown or foreign ones', async () => {
    const ksefNumber = issued[`FV/${supplierA}/1`];
    const xml = await http(`${sim.running.url}/invoices/ksef/${ksefNumber}`, { token: sim.client.accessToken });
    expect(xml.status).toBe(200);
    expect(xml.headers.get('content-type')).toContain('application/xml');
    expect(xml.text).toContain(`<P_2>FV/${supplierA}/1</P_2>`);
    const unknown = await http(`${sim.running.url}/invoices/ksef/${supplierA}-20260101-000000000000-00`, { token: sim.client.accessToken });
    expect(unknown.body.exception.exceptionDetailList[0].exceptionCode).toBe(21164);
    const stranger = sim.newClient();
    await stranger.authenticate(randomNip());
    const foreign = await http(`${sim.running.url}/invoices/ksef/${ksefNumber}`, { token: stranger.accessToken });
    expect(foreign.body.exception.exceptionDetailList[0].exceptionCode).toBe(21164);
  });
});

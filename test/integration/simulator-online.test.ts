import { isValidKsefNumber, isValidReferenceNumber } from '../../ksef-simulator/numbering';
import { startSimulator, type StartedSimulator } from './simulator-support/client';
import { basicInvoice, randomNip } from './simulator-support/fixtures';

describe('KSeF simulator: online session', () => {
  let sim: StartedSimulator;
  const seller = randomNip();

  beforeAll(async () => {
    sim = await startSimulator();
    await sim.client.authenticate(seller);
  });
  afterAll(() => sim.running.close());

  it('accepts an invoice, assigns a CRC-valid KSeF number and reports 100/150 → 200', async () => {
    const session = await sim.client.openOnlineSession();
    expect(isValidReferenceNumber(session.referenceNumber)).toBe(true);
    expect(session.referenceNumber.slice(9, 11)).toBe('SO');
    const invoiceRef = await sim.client.sendInvoice(session, basicInvoice(seller, 'FV/ONLINE/1'));
    expect(isValidReferenceNumber(invoiceRef)).toBe(true);
    const first = await sim.client.invoiceStatus(session.referenceNumber, invoiceRef);
    expect([100, 150]).toContain(first.body.status.code);

    const final = await sim.client.waitForInvoice(session.referenceNumber, invoiceRef);
    expect(final.status).toEqual({ code: 200, description: 'Sukces' });
    expect(isValidKsefNumber(final.ksefNumber)).toBe(true);
    expect(final.ksefNumber.startsWith(`${seller}-`)).toBe(true);
    expect(final.invoiceNumber).toBe('FV/ONLINE/1');
    // P_1 (2026-02-15) is an earlier calendar day than the send → automatic offline (facts §9)
    expect(final.invoicingMode).toBe('Offline');
    expect(final.upoDownloadUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/upo-download\//);

    const upo = await fetch(final.upoDownloadUrl);
    expect(upo.status).toBe(200);
    expect(await upo.text()).toContain(`<NumerKSeFDokumentu>${final.ksefNumber}</NumerKSeFDokumentu>`);

    expect((await sim.client.closeOnline(session)).status).toBe(204);
    const closed = await sim.client.waitForSession(session.referenceNumber);
    expect(closed.status.code).toBe(200);
    expect(closed.invoiceCount).toBe(1);
    expect(closed.successfulInvoiceCount).toBe(1);
    expect(closed.upo.pages).toHaveLength(1);
  });
});

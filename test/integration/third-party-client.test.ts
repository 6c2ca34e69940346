/**
 * Conformance judged by code nobody here wrote (issue #17 item 7): the npm package `ksef-client-ts`
 * (a third-party KSeF 2.0 client, dev dependency) drives the simulator through the whole flow —
 * token auth, online session, send, status, UPO, metadata query, download, batch — and reads
 * Latarnia. Each step asserts on the client's own parsed results, so a mismatch between the
 * simulator and what that client expects of KSeF fails here. Findings are recorded next to the step:
 * "ours" were fixed in the simulator, "theirs" are documented and worked around.
 */
import { zipSync } from 'fflate';
import {
  KSeFClient,
  openOnlineSession,
  parseUpoXml,
  uploadBatch,
} from 'ksef-client-ts';
import { issueBySimulator } from '../support/certificates';
import { startSimulator, type StartedSimulator } from './simulator-support/client';
import { basicInvoice, randomNip } from './simulator-support/fixtures';

describe('third-party client ksef-client-ts against the simulator', () => {
  let sim: StartedSimulator;
  let client: KSeFClient;
  const seller = randomNip();
  const buyer = randomNip();
  const sent: { ksefNumber: string; xml: string; invoiceNumber: string }[] = [];

  beforeAll(async () => {
    sim = await startSimulator({ rateLimits: 'off' });
    // The client appends /v2 itself (apiVersion), so its baseUrl is the simulator's root. baseUrl without
    // `environment` only turns off the client's TEST guard for test-data calls.
    client = new KSeFClient({ baseUrl: sim.running.rootUrl, lighthouseUrl: `${sim.running.rootUrl}/latarnia`, timeout: 10_000 });
  });
  afterAll(() => sim.running.close());

  it('authenticates with a KSeF token (challenge, RSA-OAEP token, status poll, redeem)', async () => {
    await client.crypto.init();
    const login = await client.loginWithToken('third-party-token', seller);
    expect(login.clientIp).toBeTruthy();
    expect(client.authManager.getAccessToken()).toMatch(/^ey/);
    expect(client.authManager.getRefreshToken()).toMatch(/^ey/);
  });

  it.each(['rsa', 'ec'] as const)('authenticates with a KSeF certificate (%s): XAdES-signed AuthTokenRequest', async (kind) => {
    const certificate = await issueBySimulator(sim.running.rootUrl, { nip: seller, kind });
    const other = new KSeFClient({ baseUrl: sim.running.rootUrl, timeout: 10_000 });
    await other.loginWithCertificate(certificate.certificatePem, certificate.privateKeyPem, seller);
    expect(other.authManager.getAccessToken()).toMatch(/^ey/);
    const sessions = await other.activeSessions.getActiveSessions(10);
    expect(JSON.stringify(sessions)).toMatch(/XadesSignature|InternalCertificate/);
  });

  it('online session: open, send two invoices, statuses with KSeF numbers, close, collective UPO', async () => {
    const session = await openOnlineSession(client);
    expect(session.sessionRef).toMatch(/-SO-/);
    const refs: { ref: string; xml: string; invoiceNumber: string }[] = [];
    for (const i of [1, 2]) {
      const invoiceNumber = `FV/TP/${i}`;
      const xml = basicInvoice(seller, invoiceNumber, buyer);
      refs.push({ ref: await session.sendInvoice(xml), xml, invoiceNumber });
    }
    for (const r of refs) {
      const status = await poll(() => client.sessionStatus.getSessionInvoice(session.sessionRef, r.ref), (s) => s.status.code !== 100 && s.status.code !== 150);
      expect(status.status.code).toBe(200);
      expect(status.ksefNumber).toMatch(new RegExp(`^${seller}-\\d{8}-[0-9A-F]{12}-[0-9A-F]{2}$`));
      sent.push({ ksefNumber: status.ksefNumber!, xml: r.xml, invoiceNumber: r.invoiceNumber });
    }
    await session.close();
    const upo = await session.waitForUpoParsed({ timeoutMs: 20_000, intervalMs: 100 } as never);
    expect(upo.successfulInvoiceCount).toBe(2);
    expect(upo.pages).toHaveLength(1);
    const numbers = upo.parsed.flatMap((p) => JSON.stringify(p).match(new RegExp(`${seller}-\\d{8}-[0-9A-F]{12}-[0-9A-F]{2}`, 'g')) ?? []);
    expect(new Set(numbers)).toEqual(new Set(sent.map((s) => s.ksefNumber)));
  });

  it('invoice UPO by KSeF number, parsed by the client', async () => {
    const sessions = await client.sessionStatus.getSessions('Online', 10);
    const sessionRef = sessions.sessions[0].referenceNumber;
    const upo = await client.sessionStatus.getInvoiceUpoByKsefNumber(sessionRef, sent[0].ksefNumber);
    expect(upo.upo).toContain(sent[0].ksefNumber);
    expect(upo.hash).toHaveLength(44);
    expect(JSON.stringify(parseUpoXml(upo.upo))).toContain(sent[0].ksefNumber);
  });

  it('metadata query finds the invoices; download returns the very XML that was sent', async () => {
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const page = await client.invoices.queryInvoiceMetadata({ subjectType: 'Subject1', dateRange: { dateType: 'Invoicing', from, to } } as never, 0, 10);
    const found = page.invoices.map((i) => i.ksefNumber);
    for (const s of sent) expect(found).toContain(s.ksefNumber);
    const downloaded = await client.invoices.getInvoice(sent[0].ksefNumber);
    expect(downloaded.xml).toBe(sent[0].xml);
    expect(downloaded.hash).toHaveLength(44);
  });

  it('batch session: ZIP encrypted and uploaded by the client, UPO lists every invoice', async () => {
    const files = Object.fromEntries([1, 2, 3].map((i) => [`inv-${i}.xml`, new TextEncoder().encode(basicInvoice(seller, `FV/TP/B/${i}`, buyer))]));
    const result = await uploadBatch(client, zipSync(files), { pollOptions: { timeoutMs: 30_000, intervalMs: 100 } as never });
    expect(result.sessionRef).toMatch(/-SB-/);
    expect(result.upo.successfulInvoiceCount).toBe(3);
    expect(result.upo.failedInvoiceCount ?? 0).toBe(0);
  });

  it('Latarnia: status (with its messages) as the client reads it; /messages is a bare array as in the official SDKs', async () => {
    await sim.client.admin('/availability', { method: 'PUT', json: { status: 'MAINTENANCE', title: 'Prace serwisowe', apiAvailable: true } });
    try {
      const status = (await client.lighthouse.getStatus()) as unknown as { status: string; messages: unknown[] };
      expect(status.status).toBe('MAINTENANCE');
      expect(status.messages).toEqual([expect.objectContaining({ category: 'MAINTENANCE', type: 'MAINTENANCE_ANNOUNCEMENT', title: 'Prace serwisowe', version: 1 })]);
      // THEIRS: ksef-client-ts 0.10.0 LighthouseService.getMessages() reads `{messages: [...]}` and returns
      // `data.messages ?? []`; the official clients deserialize `GET /messages` as a bare list
      // (CIRFMF/ksef-client-csharp KsefMessagesResponse : List<Message>; ksef-client-java
      // KsefMessagesResponse extends ArrayList<Message>). Against that shape it sees no messages.
      expect(await client.lighthouse.getMessages()).toEqual([]);
      const raw = await (await fetch(`${sim.running.rootUrl}/latarnia/messages`)).json();
      expect(raw).toEqual([expect.objectContaining({ type: 'MAINTENANCE_ANNOUNCEMENT' })]);
    } finally {
      await sim.client.admin('/availability', { method: 'DELETE' });
    }
  });
});

async function poll<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

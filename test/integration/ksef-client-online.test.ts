import { XMLParser } from 'fast-xml-parser';
import { checkKsefNumber, KsefApiError, KsefClient, KsefRateLimitError, KsefTransportError, type OnlineSessionHandle } from '../../ksef-client';
import type { RunningSimulator } from '../../ksef-simulator/app';
import { admin, clientFor, freshInvoice, randomNip, requestCounters, startSimulator, xmlOf } from './ksef-client-helpers';

let sim: RunningSimulator;
const sellerNip = randomNip();
const buyerNip = randomNip();
let client: KsefClient;
let session: OnlineSessionHandle;

beforeAll(async () => {
  sim = await startSimulator({ rateLimits: 'off' });
  client = clientFor(sim, sellerNip);
  session = await client.openOnlineSession();
});

afterAll(async () => {
  await sim?.close();
});

afterEach(async () => {
  await admin(sim, 'DELETE', '/faults');
});

const upoParser = new XMLParser({ removeNSPrefix: true, parseTagValue: false });

describe('online session against the simulator', () => {
  it('publishes encryption certificates for both usages', async () => {
    const certs = await client.getPublicKeyCertificates();
    expect(certs.flatMap((c) => c.usage).sort()).toEqual(expect.arrayContaining(['KsefTokenEncryption', 'SymmetricKeyEncryption']));
    for (const c of certs) expect(c.publicKeyId).toHaveLength(44);
  });

  it('sends an encrypted invoice and gets a valid KSeF number, status 200 and UPOs', async () => {
    const invoice = freshInvoice(sellerNip, buyerNip);
    const xml = xmlOf(invoice);
    const sent = await client.sendInvoice(session, xml);
    expect(sent.referenceNumber).toMatch(/^\d{8}-EE-/);

    const status = await client.waitForInvoiceStatus(session.referenceNumber, sent.referenceNumber, { intervalMs: 50, timeoutMs: 20_000 });
    expect(status.status.code).toBe(200);
    expect(status.invoiceHash).toBe(sent.invoiceHash);
    expect(status.invoiceNumber).toBe(invoice.invoiceNumber);
    expect(status.invoicingMode).toBe('Online');
    const ksefNumber = status.ksefNumber!;
    const check = checkKsefNumber(ksefNumber);
    expect(check).toMatchObject({ valid: true, parsed: { sellerNip } });

    const byRef = await client.downloadInvoiceUpo({ kind: 'invoiceReference', sessionReferenceNumber: session.referenceNumber, invoiceReferenceNumber: sent.referenceNumber });
    const byNumber = await client.downloadInvoiceUpo({ kind: 'ksefNumber', sessionReferenceNumber: session.referenceNumber, ksefNumber });
    const byUrl = await client.downloadInvoiceUpo({ kind: 'url', url: status.upoDownloadUrl! });
    for (const upo of [byRef, byNumber, byUrl]) {
      const doc = upoParser.parse(upo.xml);
      expect(doc.Potwierdzenie).toBeDefined();
      expect(upo.xml).toContain(ksefNumber);
      expect(upo.xml).toContain(sent.invoiceHash);
    }
  });

  it('keeps working with a persisted session handle in a fresh client (worker restart)', async () => {
    const persisted: OnlineSessionHandle = JSON.parse(JSON.stringify(session));
    const restarted = clientFor(sim, sellerNip);
    const sent = await restarted.sendInvoice(persisted, xmlOf(freshInvoice(sellerNip, buyerNip)));
    const status = await restarted.waitForInvoiceStatus(persisted.referenceNumber, sent.referenceNumber, { intervalMs: 50, timeoutMs: 20_000 });
    expect(status.status.code).toBe(200);
  });

  it('reports a duplicate as invoice status 440 with the original KSeF number in extensions', async () => {
    const xml = xmlOf(freshInvoice(sellerNip, buyerNip));
    const first = await client.sendInvoice(session, xml);
    const original = await client.waitForInvoiceStatus(session.referenceNumber, first.referenceNumber, { intervalMs: 50, timeoutMs: 20_000 });
    expect(original.status.code).toBe(200);

    const second = await client.sendInvoice(session, xml);
    const duplicate = await client.waitForInvoiceStatus(session.referenceNumber, second.referenceNumber, { intervalMs: 50, timeoutMs: 20_000 });
    expect(duplicate.status.code).toBe(440);
    expect(duplicate.ksefNumber ?? null).toBeNull();
    expect(duplicate.status.extensions).toMatchObject({
      originalKsefNumber: original.ksefNumber,
      originalSessionReferenceNumber: session.referenceNumber,
    });
  });

  it('waits out a burst of 429s using Retry-After, then succeeds', async () => {
    const client429 = clientFor(sim, sellerNip, { retry: { maxAttempts: 4, maxRetryAfterSeconds: 5 } });
    await client429.authenticate();
    await admin(sim, 'PUT', '/faults', { pathPrefix: '/sessions/', tooManyRequests: { count: 2, retryAfterSeconds: 1 } });
    const before = (await requestCounters(sim)).sessionMisc?.tooManyRequests ?? 0;
    const started = Date.now();
    const status = await client429.getSessionStatus(session.referenceNumber);
    expect(status.status.code).toBe(100);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
    expect((await requestCounters(sim)).sessionMisc.tooManyRequests - before).toBe(2);
  });

  it('surfaces KsefRateLimitError with retryAfterSeconds when the pause exceeds what it may wait in-process', async () => {
    const impatient = clientFor(sim, sellerNip, { retry: { maxRetryAfterSeconds: 1 } });
    await impatient.authenticate();
    await admin(sim, 'PUT', '/faults', { pathPrefix: '/sessions/', tooManyRequests: { count: 1, retryAfterSeconds: 7 } });
    const error = await impatient.getSessionStatus(session.referenceNumber).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KsefRateLimitError);
    expect(error).toMatchObject({ code: 'KSEF_RATE_LIMITED', httpStatus: 429, retryAfterSeconds: 7, retryable: true });
  });

  it('retries 5xx with backoff until KSeF recovers', async () => {
    const resilient = clientFor(sim, sellerNip, { retry: { maxAttempts: 8, baseDelayMs: 100, maxDelayMs: 300 } });
    await resilient.authenticate();
    await admin(sim, 'PUT', '/faults', { pathPrefix: '/sessions/', outage: { durationMs: 500, status: 503 } });
    const before = (await requestCounters(sim)).sessionMisc?.byStatus['503'] ?? 0;
    const status = await resilient.getSessionStatus(session.referenceNumber);
    expect(status.status.code).toBe(100);
    expect((await requestCounters(sim)).sessionMisc.byStatus['503'] - before).toBeGreaterThanOrEqual(1);
  });

  it('gives up after maxAttempts on persistent 5xx with a retryable KSEF_SERVER_ERROR', async () => {
    const limited = clientFor(sim, sellerNip, { retry: { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 40 } });
    await limited.authenticate();
    await admin(sim, 'PUT', '/faults', { pathPrefix: '/sessions/', serverErrorRate: 1, serverErrorStatus: 502 });
    const before = (await requestCounters(sim)).sessionMisc?.byStatus['502'] ?? 0;
    const error = await limited.getSessionStatus(session.referenceNumber).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KsefApiError);
    expect(error).toMatchObject({ code: 'KSEF_SERVER_ERROR', httpStatus: 502, retryable: true });
    expect((await requestCounters(sim)).sessionMisc.byStatus['502'] - before).toBe(3);
  });

  it('retries a request that timed out', async () => {
    const patient = clientFor(sim, sellerNip, { timeoutMs: 300 });
    await patient.authenticate();
    await admin(sim, 'PUT', '/faults', { pathPrefix: '/sessions/', hang: { count: 1, timeoutMs: 2_000 } });
    const status = await patient.getSessionStatus(session.referenceNumber);
    expect(status.status.code).toBe(100);
  });

  it('reports a timeout as a retryable KsefTransportError once attempts run out', async () => {
    const once = clientFor(sim, sellerNip, { timeoutMs: 200, retry: { maxAttempts: 1 } });
    await once.authenticate();
    await admin(sim, 'PUT', '/faults', { pathPrefix: '/sessions/', hang: { count: 1, timeoutMs: 1_000 } });
    const error = await once.getSessionStatus(session.referenceNumber).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KsefTransportError);
    expect(error).toMatchObject({ code: 'KSEF_TIMEOUT', timedOut: true, retryable: true });
  });

  it('throws business rejections immediately, with KSeF exception codes, and does not retry them', async () => {
    // Summed over all groups: which group the simulator files an error response under is its own business.
    const sentRequests = async () => Object.values(await requestCounters(sim)).reduce((n, c) => n + (c.byStatus['400'] ?? 0), 0);
    const before = await sentRequests();
    const bogus: OnlineSessionHandle = { ...session, referenceNumber: '20250101-SO-0000000000-0000000000-00' };
    const error = (await client.sendInvoice(bogus, xmlOf(freshInvoice(sellerNip, buyerNip))).catch((e: unknown) => e)) as KsefApiError;
    expect(error).toBeInstanceOf(KsefApiError);
    expect(error.retryable).toBe(false);
    expect(error.httpStatus).toBeGreaterThanOrEqual(400);
    expect(error.httpStatus).toBeLessThan(500);
    expect(error.exceptions.length).toBeGreaterThan(0);
    expect(error.hasExceptionCode(21173)).toBe(true);
    expect((await sentRequests()) - before).toBe(1);
  });

  it('reports an invoice-level rejection as a final status, not an exception', async () => {
    await admin(sim, 'PUT', '/faults', { rejectInvoices: { count: 1, code: 450 } });
    const sent = await client.sendInvoice(session, xmlOf(freshInvoice(sellerNip, buyerNip)));
    const status = await client.waitForInvoiceStatus(session.referenceNumber, sent.referenceNumber, { intervalMs: 50, timeoutMs: 20_000 });
    expect(status.status.code).toBe(450);
    expect(status.status.details?.length).toBeGreaterThan(0);
  });

  it('closes the session; KSeF then reports it processed with a collective UPO', async () => {
    await client.closeOnlineSession(session);
    const status = await client.waitForSessionStatus(session.referenceNumber, { intervalMs: 50, timeoutMs: 20_000 });
    expect(status.status.code).toBe(200);
    expect(status.successfulInvoiceCount).toBeGreaterThanOrEqual(3);
    const page = status.upo!.pages[0];
    const upo = await client.downloadInvoiceUpo({ kind: 'sessionUpo', sessionReferenceNumber: session.referenceNumber, upoReferenceNumber: page.referenceNumber });
    expect(upoParser.parse(upo.xml).Potwierdzenie).toBeDefined();
    const viaUrl = await client.downloadInvoiceUpo({ kind: 'url', url: page.downloadUrl });
    expect(viaUrl.xml).toBe(upo.xml);

    const listed = [];
    for await (const inv of client.iterateSessionInvoices(session.referenceNumber, { pageSize: 10 })) listed.push(inv);
    expect(listed.length).toBe(status.invoiceCount);
    const failed = await client.listSessionInvoices(session.referenceNumber, { failedOnly: true });
    expect(failed.invoices.map((i) => i.status.code).sort()).toEqual([440, 450]);
  });
});

describe('published-style rate limits (the simulator limiter, not injected faults)', () => {
  let limited: RunningSimulator;

  beforeAll(async () => {
    limited = await startSimulator({ rateLimits: { invoiceSend: { perSecond: 2 } } });
  });

  afterAll(async () => {
    await limited?.close();
  });

  it('paces a burst of sends by honouring Retry-After, and every invoice gets a KSeF number', async () => {
    const seller = randomNip();
    const burstClient = clientFor(limited, seller, { retry: { maxAttempts: 6, maxRetryAfterSeconds: 5 } });
    const handle = await burstClient.openOnlineSession();
    const sent = await Promise.all(Array.from({ length: 5 }, () => burstClient.sendInvoice(handle, xmlOf(freshInvoice(seller, buyerNip)))));
    expect((await requestCounters(limited)).invoiceSend.tooManyRequests).toBeGreaterThan(0);
    for (const s of sent) {
      const status = await burstClient.waitForInvoiceStatus(handle.referenceNumber, s.referenceNumber, { intervalMs: 100, timeoutMs: 20_000 });
      expect(status.status.code).toBe(200);
    }
  });
});

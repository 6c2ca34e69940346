import { http, sleep, startSimulator, type StartedSimulator } from './simulator-support/client';
import { basicInvoice, randomNip } from './simulator-support/fixtures';

describe('KSeF simulator: fault injection, rate limits and admin endpoints', () => {
  let sim: StartedSimulator;
  const seller = randomNip();
  let n = 0;

  beforeAll(async () => {
    sim = await startSimulator({ rateLimits: 'off' });
    await sim.client.authenticate(seller);
  });
  afterEach(() => sim.client.admin('/faults', { method: 'DELETE' }));
  afterAll(() => sim.running.close());

  const challenge = (headers?: Record<string, string>) => http(`${sim.running.url}/auth/challenge`, { method: 'POST', headers });
  const setFaults = (json: unknown) => sim.client.admin('/faults', { method: 'PUT', json });

  it('a seeded share of 5xx is reproducible', async () => {
    const run = async () => {
      await setFaults({ seed: 42, serverErrorRate: 0.5, serverErrorStatus: 503 });
      const statuses = [];
      for (let i = 0; i < 12; i++) statuses.push((await challenge()).status);
      return statuses;
    };
    const first = await run();
    expect(await run()).toEqual(first);
    expect(first).toContain(503);
    expect(first).toContain(200);
  });

  it('429 bursts: the next N requests get 429 with the given Retry-After, then normal service', async () => {
    await setFaults({ tooManyRequests: { count: 2, retryAfterSeconds: 7 } });
    const a = await challenge();
    const b = await challenge();
    expect([a.status, b.status]).toEqual([429, 429]);
    expect(a.headers.get('retry-after')).toBe('7');
    expect(a.body.status.code).toBe(429);
    expect((await challenge()).status).toBe(200);
    const requests = await sim.client.admin('/requests');
    expect(requests.body.authChallenge.tooManyRequests).toBeGreaterThanOrEqual(2);
  });

  it('added latency delays answers', async () => {
    await setFaults({ latencyMs: 150 });
    const started = Date.now();
    expect((await challenge()).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('hanging requests: no answer; with timeoutMs the connection is dropped', async () => {
    await setFaults({ hang: { count: 1, timeoutMs: 100 } });
    await expect(challenge()).rejects.toThrow();
    expect((await challenge()).status).toBe(200);

    await setFaults({ hang: { count: 1 } });
    const abort = AbortSignal.timeout(200);
    await expect(fetch(`${sim.running.url}/auth/challenge`, { method: 'POST', signal: abort })).rejects.toThrow();
  });

  it('forced rejection of the next N invoices with a chosen code', async () => {
    await setFaults({ rejectInvoices: { count: 1, code: 550, description: 'Operacja anulowana przez system' } });
    const session = await sim.client.openOnlineSession();
    const first = await sim.client.waitForInvoice(session.referenceNumber, await sim.client.sendInvoice(session, basicInvoice(seller, `FV/F/${++n}`)));
    expect(first.status.code).toBe(550);
    const second = await sim.client.waitForInvoice(session.referenceNumber, await sim.client.sendInvoice(session, basicInvoice(seller, `FV/F/${++n}`)));
    expect(second.status.code).toBe(200);
  });

  it('an outage window answers 503 for /v2 until it ends; pathPrefix limits the scope', async () => {
    await setFaults({ outage: { durationMs: 300 } });
    const during = await challenge();
    expect(during.status).toBe(503);
    expect(Number(during.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await sim.client.admin('/ledger')).status).toBe(200);
    await sleep(350);
    expect((await challenge()).status).toBe(200);

    await setFaults({ outage: {}, pathPrefix: '/sessions' });
    expect((await challenge()).status).toBe(200);
    expect((await http(`${sim.running.url}/sessions?sessionType=Online`, { token: sim.client.accessToken })).status).toBe(503);
    const described = await sim.client.admin('/faults');
    expect(described.body.pathPrefix).toBe('/sessions');
  });

  it('rejects an invalid fault configuration', async () => {
    expect((await setFaults({ serverErrorRate: 2 })).status).toBe(400);
  });

  it('Latarnia status and messages follow /_sim/availability', async () => {
    expect((await http(`${sim.running.rootUrl}/latarnia/status`)).body).toEqual({ status: 'AVAILABLE', messages: [] });
    await sim.client.admin('/availability', { method: 'PUT', json: { status: 'FAILURE', title: 'Awaria KSeF', text: 'Tryb awaryjny', apiAvailable: true } });
    expect((await http(`${sim.running.rootUrl}/latarnia/status`)).body.status).toBe('FAILURE');
    const messages = await http(`${sim.running.rootUrl}/latarnia/messages`);
    expect(messages.body).toHaveLength(1);
    expect(messages.body[0]).toMatchObject({ category: 'FAILURE', type: 'FAILURE_START', title: 'Awaria KSeF', version: 1 });
    await sim.client.admin('/availability', { method: 'DELETE' });
  });

  it('official but unimplemented operations → 501; unknown paths → 404', async () => {
    const tokens = await http(`${sim.running.url}/tokens`, { token: sim.client.accessToken });
    expect(tokens.status).toBe(501);
    expect(tokens.body.detail).toMatch(/not implemented by the ksef-ops simulator/);
    expect((await http(`${sim.running.url}/permissions/query/personal/grants`, { method: 'POST', json: {} })).status).toBe(501);
    expect((await http(`${sim.running.url}/no-such-thing`)).status).toBe(404);
  });

  it('/_sim/reset clears the ledger and sessions', async () => {
    const session = await sim.client.openOnlineSession();
    await sim.client.waitForInvoice(session.referenceNumber, await sim.client.sendInvoice(session, basicInvoice(seller, `FV/F/${++n}`)));
    expect((await sim.client.admin('/ledger')).body.acceptedCount).toBeGreaterThan(0);
    expect((await sim.client.admin('/reset', { method: 'POST' })).status).toBe(204);
    const ledger = await sim.client.admin('/ledger');
    expect(ledger.body.acceptedCount).toBe(0);
    expect(ledger.body.finalStatusCounts).toEqual({});
    expect((await http(`${sim.running.url}/sessions/${session.referenceNumber}`, { token: sim.client.accessToken })).status).toBe(400);
  });
});

describe('KSeF simulator: published rate limits', () => {
  let sim: StartedSimulator;
  const seller = randomNip();

  beforeAll(async () => {
    sim = await startSimulator();
    await sim.client.authenticate(seller);
  });
  afterAll(() => sim.running.close());

  it('the 11th invoice send within a second gets 429 with an integer Retry-After', async () => {
    const session = await sim.client.openOnlineSession();
    const xmls = Array.from({ length: 12 }, (_, i) => basicInvoice(seller, `FV/RL/${i}`));
    const responses = await Promise.all(xmls.map((xml) => sim.client.sendInvoiceRaw(session, xml)));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(10);
    const limited = responses.filter((r) => r.status === 429);
    expect(limited).toHaveLength(2);
    expect(limited[0].headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(limited[0].body.status.details[0]).toMatch(/10 żądań na sekundę/);
    const requests = await sim.client.admin('/requests');
    expect(requests.body.invoiceSend.tooManyRequests).toBe(2);
  });

  it('limits are per context: another NIP is not affected', async () => {
    const other = sim.newClient();
    await other.authenticate(randomNip());
    const session = await other.openOnlineSession();
    expect((await other.sendInvoiceRaw(session, basicInvoice(randomNip(), 'FV/RL/OTHER'))).status).toBe(202);
  });

  it('limits are adjustable through /_sim/rate-limits', async () => {
    const current = await sim.client.admin('/rate-limits');
    expect(current.body.limits.invoiceSend).toEqual({ perSecond: 10, perMinute: 30, perHour: 180 });
    const put = await sim.client.admin('/rate-limits', { method: 'PUT', json: { limits: { sessionMisc: { perSecond: 1 } } } });
    expect(put.status).toBe(200);
    expect(put.body.limits.sessionMisc).toEqual({ perSecond: 1, perMinute: 120, perHour: 1200 });
    const session = await sim.client.openOnlineSession();
    const first = await http(`${sim.running.url}/sessions/${session.referenceNumber}`, { token: sim.client.accessToken });
    const second = await http(`${sim.running.url}/sessions/${session.referenceNumber}`, { token: sim.client.accessToken });
    expect([first.status, second.status]).toEqual([200, 429]);
    await sim.client.admin('/rate-limits', { method: 'PUT', json: { enabled: false } });
    expect((await http(`${sim.running.url}/sessions/${session.referenceNumber}`, { token: sim.client.accessToken })).status).toBe(200);
  });
});

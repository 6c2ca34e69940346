import { http, startSimulator, type StartedSimulator } from './simulator-support/client';
import { basicInvoice, randomNip } from './simulator-support/fixtures';
import { expectConforms, openApiErrors } from './simulator-support/openapi';

describe('KSeF simulator: responses conform to the official OpenAPI schemas', () => {
  let sim: StartedSimulator;
  const seller = randomNip();
  const buyer = randomNip();

  beforeAll(async () => {
    sim = await startSimulator({ rateLimits: 'off' });
  });
  afterAll(() => sim.running.close());

  it('the checker itself rejects a body that violates the schema', () => {
    expect(openApiErrors('POST', '/sessions/online', 201, { referenceNumber: 'short' })).not.toEqual([]);
  });

  it('auth, session, invoice status, listing, query and errors', async () => {
    const base = sim.running.url;
    const keys = await http(`${base}/security/public-key-certificates`);
    expectConforms('GET', '/security/public-key-certificates', 200, keys.body);

    const challenge = await http(`${base}/auth/challenge`, { method: 'POST' });
    expectConforms('POST', '/auth/challenge', 200, challenge.body);

    const client = sim.client;
    const auth = await client.authenticate(seller);
    const authStatus = await http(`${base}/auth/${auth.referenceNumber}`, { token: auth.authenticationToken });
    expectConforms('GET', '/auth/{referenceNumber}', 200, authStatus.body);

    const refreshed = await http(`${base}/auth/token/refresh`, { method: 'POST', token: client.refreshToken });
    expectConforms('POST', '/auth/token/refresh', 200, refreshed.body);

    const session = await client.openOnlineSession();
    const sent = await client.sendInvoiceRaw(session, basicInvoice(seller, 'FV/OAS/1', buyer));
    expectConforms('POST', '/sessions/online/{referenceNumber}/invoices', 202, sent.body);
    const final = await client.waitForInvoice(session.referenceNumber, sent.body.referenceNumber);
    expectConforms('GET', '/sessions/{referenceNumber}/invoices/{invoiceReferenceNumber}', 200, final);

    const duplicate = await client.sendInvoiceRaw(session, basicInvoice(seller, 'FV/OAS/1', buyer));
    const rejected = await client.waitForInvoice(session.referenceNumber, duplicate.body.referenceNumber);
    expect(rejected.status.code).toBe(440);
    expectConforms('GET', '/sessions/{referenceNumber}/invoices/{invoiceReferenceNumber}', 200, rejected);

    const list = await http(`${base}/sessions/${session.referenceNumber}/invoices`, { token: client.accessToken });
    expectConforms('GET', '/sessions/{referenceNumber}/invoices', 200, list.body);
    const failed = await http(`${base}/sessions/${session.referenceNumber}/invoices/failed`, { token: client.accessToken });
    expectConforms('GET', '/sessions/{referenceNumber}/invoices/failed', 200, failed.body);
    expect(failed.body.invoices).toHaveLength(1);

    await client.closeOnline(session);
    const closed = await client.waitForSession(session.referenceNumber);
    expectConforms('GET', '/sessions/{referenceNumber}', 200, closed);

    const sessions = await http(`${base}/sessions?sessionType=Online`, { token: client.accessToken });
    expectConforms('GET', '/sessions', 200, sessions.body);

    const buyerClient = sim.newClient();
    await buyerClient.authenticate(buyer);
    const query = await http(`${base}/invoices/query/metadata?pageSize=10`, {
      token: buyerClient.accessToken,
      json: { subjectType: 'Subject2', dateRange: { dateType: 'Invoicing', from: new Date(Date.now() - 3600_000).toISOString() } },
    });
    expectConforms('POST', '/invoices/query/metadata', 200, query.body);
    expect(query.body.invoices).toHaveLength(1);

    const legacy = await client.sendInvoiceRaw(session, basicInvoice(seller, 'FV/OAS/2', buyer));
    expect(legacy.status).toBe(400);
    expectConforms('POST', '/sessions/online/{referenceNumber}/invoices', 400, legacy.body);
    const problem = await http(`${base}/sessions/online/${session.referenceNumber}/close`, {
      method: 'POST',
      token: client.accessToken,
      headers: { 'X-Error-Format': 'problem-details' },
    });
    expect(problem.status).toBe(400);
    expect(problem.headers.get('content-type')).toContain('application/problem+json');
    expectConforms('POST', '/sessions/online/{referenceNumber}/close', 400, problem.body, 'application/problem+json');

    const unauthorized = await http(`${base}/sessions/${session.referenceNumber}`);
    expect(unauthorized.status).toBe(401);
    expectConforms('GET', '/sessions/{referenceNumber}', 401, unauthorized.body, 'application/problem+json');
  });

  it('429 bodies (legacy and problem+json) match the schema', async () => {
    await sim.client.admin('/faults', { method: 'PUT', json: { tooManyRequests: { count: 2, retryAfterSeconds: 3 } } });
    const legacy = await http(`${sim.running.url}/auth/challenge`, { method: 'POST' });
    expect(legacy.status).toBe(429);
    expect(legacy.headers.get('retry-after')).toBe('3');
    expectConforms('POST', '/auth/challenge', 429, legacy.body);
    const problem = await http(`${sim.running.url}/auth/challenge`, { method: 'POST', headers: { 'X-Error-Format': 'problem-details' } });
    expectConforms('POST', '/auth/challenge', 429, problem.body, 'application/problem+json');
    await sim.client.admin('/faults', { method: 'DELETE' });
  });
});

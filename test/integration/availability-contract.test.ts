/**
 * Latarnia (MF's availability service) as the official clients read it — CIRFMF/ksef-client-csharp
 * KSeF.Client.Core/Models/Lighthouse/*.cs: `GET /status` → {status: AVAILABLE | MAINTENANCE | FAILURE |
 * TOTAL_FAILURE, messages[{id, eventId, category, type, title, text, start, end, version, published}]},
 * `GET /messages` → every published message. The simulator serves that shape, our client parses it
 * tolerantly, and on the real stack an announced maintenance window or failure sends invoices offline
 * in the legal mode and they go to KSeF when it ends.
 */
import { checkKsefAvailability, parseLatarniaStatus } from '../../ksef-client/availability';
import { modeOf } from '../../activities/offline';
import { latarniaUrlFor } from '../../ksef-client/environments';
import { getStateQuery, type InvoiceWorkflowState } from '../../workflows/contracts';
import { sampleInvoice } from '../support/invoices';
import { eventually, startStack, type TestStack } from '../support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack({ lifecycle: { offlineAuto: true, offlineRecheckMs: 150, offlineDeadlineOverrideMs: 60_000, offlineAlertBeforeMs: 3000, triageSlaMs: 60_000 } });
});
afterAll(async () => {
  await stack?.stop();
});
afterEach(async () => {
  await admin('/availability', 'DELETE');
});

async function admin(path: string, method: string, body?: unknown) {
  const res = await fetch(`${stack.simulatorRootUrl}/_sim${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (res.status === 204 ? null : await res.json()) as any };
}
const latarnia = async (resource: 'status' | 'messages'): Promise<any> => (await fetch(`${stack.simulatorRootUrl}/latarnia/${resource}`)).json();
const look = () => checkKsefAvailability({ apiBaseUrl: stack.simulatorUrl, latarniaUrl: `${stack.simulatorRootUrl}/latarnia`, timeoutMs: 2000 });

async function submit() {
  const invoice = sampleInvoice();
  const res = await stack.api('/api/v1/invoices', { body: invoice });
  expect(res.status).toBe(202);
  return { invoice, id: res.body.id as string, handle: stack.temporal.workflow.getHandle(res.body.workflowId as string) };
}
const stateWhen = (workflowId: string, predicate: (s: InvoiceWorkflowState) => boolean) =>
  eventually(async () => {
    const s = await stack.temporal.workflow.getHandle(workflowId).query(getStateQuery);
    return predicate(s) ? s : undefined;
  });
const simulatorRecord = (invoiceNumber: string) => [...stack.simulator.state.invoices.values()].find((r) => r.content?.toString('utf8').includes(`<P_2>${invoiceNumber}</P_2>`));

describe('Latarnia contract (official SDK shape)', () => {
  it('serves {status, messages} with the official field names; a window starts and ends by its times', async () => {
    expect(await latarnia('status')).toEqual({ status: 'AVAILABLE', messages: [] });
    const start = new Date(Date.now() + 60_000).toISOString();
    const end = new Date(Date.now() + 120_000).toISOString();
    const created = await admin('/availability/events', 'POST', { category: 'MAINTENANCE', start, end, title: 'Prace serwisowe', text: 'Aktualizacja KSeF' });
    expect(created.status).toBe(201);
    // Announced but not started: still AVAILABLE, the announcement is already published.
    expect((await latarnia('status')).status).toBe('AVAILABLE');
    const [announcement] = await latarnia('messages');
    expect(announcement).toEqual({
      id: expect.any(String),
      eventId: created.body.eventId,
      category: 'MAINTENANCE',
      type: 'MAINTENANCE_ANNOUNCEMENT',
      title: 'Prace serwisowe',
      text: 'Aktualizacja KSeF',
      start,
      end,
      version: 1,
      published: expect.any(String),
    });
    expect(Number.isInteger(announcement.eventId)).toBe(true);
    expect((await look()).available).toBe(true);

    // A failure now: FAILURE wins, its FAILURE_START is in the status; ending it publishes FAILURE_END.
    const failure = await admin('/availability', 'PUT', { status: 'FAILURE', title: 'Awaria KSeF' });
    expect(failure.status).toBe(200);
    const during = await latarnia('status');
    expect(during.status).toBe('FAILURE');
    expect(during.messages).toEqual([expect.objectContaining({ category: 'FAILURE', type: 'FAILURE_START', title: 'Awaria KSeF', end: null })]);
    const failureId = during.messages[0].eventId;
    expect((await admin(`/availability/events/${failureId}/end`, 'POST', {})).status).toBe(200);
    expect((await latarnia('status')).status).toBe('AVAILABLE');
    const types = (await latarnia('messages')).filter((m: { eventId: number }) => m.eventId === failureId).map((m: { type: string }) => m.type);
    expect(types.sort()).toEqual(['FAILURE_END', 'FAILURE_START']);
  });

  it('the admin refuses a window that ends before it starts and an unknown category (400, field named)', async () => {
    const now = Date.now();
    const backwards = await admin('/availability/events', 'POST', { category: 'MAINTENANCE', start: new Date(now + 5000).toISOString(), end: new Date(now).toISOString() });
    expect(backwards.status).toBe(400);
    expect(backwards.body.issues.join()).toContain('end');
    expect((await admin('/availability/events', 'POST', { category: 'ONGOING_FAILURE' })).status).toBe(400);
    expect((await admin('/availability/events/999/end', 'POST', {})).status).toBe(404);
  });

  it('parses tolerantly: extra fields, missing or null messages, bad messages dropped, old SDK names; never throws', () => {
    const full = parseLatarniaStatus({
      status: 'MAINTENANCE',
      futureField: { x: 1 },
      messages: [{ id: 'a', eventId: 7, category: 'MAINTENANCE', type: 'MAINTENANCE_ANNOUNCEMENT', title: 'Okno', text: 't', start: '2026-12-03T16:00:00Z', end: null, version: 2, published: '2026-12-01T10:00:00Z', severity: 'high' }, 'garbage', { title: 42 }],
    });
    expect(full).toMatchObject({ announced: 'MAINTENANCE', degraded: false, rawStatus: 'MAINTENANCE' });
    expect(full.messages).toHaveLength(1);
    expect(full.messages[0]).toMatchObject({ eventId: 7, severity: 'high' });
    expect(parseLatarniaStatus({ status: 'AVAILABLE' })).toMatchObject({ announced: 'AVAILABLE', messages: [], degraded: false });
    expect(parseLatarniaStatus({ status: 'failure', messages: null }).announced).toBe('FAILURE');
    expect(parseLatarniaStatus({ status: 'ONGOING_TOTAL_FAILURE' }).announced).toBe('TOTAL_FAILURE');
    expect(parseLatarniaStatus({ status: 'PARTIAL_DEGRADATION' })).toMatchObject({ announced: 'UNKNOWN', degraded: true, rawStatus: 'PARTIAL_DEGRADATION' });
    expect(parseLatarniaStatus({ status: 500 })).toMatchObject({ announced: 'UNKNOWN', degraded: true });
    for (const odd of [null, 'AVAILABLE', [], { messages: [] }, 42]) expect(parseLatarniaStatus(odd)).toMatchObject({ announced: 'UNKNOWN', degraded: true });
  });

  it('an official KSeF base URL implies MF\'s Latarnia host (so real installs ask it without extra config)', () => {
    expect(latarniaUrlFor('https://api-test.ksef.mf.gov.pl/v2')).toBe('https://api-latarnia-test.ksef.mf.gov.pl');
    expect(latarniaUrlFor('https://api.ksef.mf.gov.pl/v2/')).toBe('https://api-latarnia.ksef.mf.gov.pl');
    expect(latarniaUrlFor('http://127.0.0.1:3100/v2')).toBeNull();
  });

  it('maps the statuses to the legal offline modes (facts §9)', () => {
    expect(modeOf({ announced: 'MAINTENANCE' })).toBe('UNAVAILABILITY');
    expect(modeOf({ announced: 'FAILURE' })).toBe('EMERGENCY');
    expect(modeOf({ announced: 'TOTAL_FAILURE' })).toBe('EMERGENCY');
    for (const announced of ['AVAILABLE', 'UNKNOWN', null] as const) expect(modeOf({ announced })).toBe('OFFLINE24');
  });

  it('an answer it does not understand is degraded, not a crash and not "down": the API probe decides', async () => {
    await admin('/availability/override', 'PUT', { status: 'PARTIAL_DEGRADATION' });
    expect(await look()).toMatchObject({ announced: 'UNKNOWN', degraded: true, available: true, apiReachable: true, rawStatus: 'PARTIAL_DEGRADATION' });
    await admin('/availability/override', 'PUT', { body: 'Service temporarily moved' });
    expect(await look()).toMatchObject({ announced: 'UNKNOWN', degraded: true, available: true });
  });
});

describe('announced outages on the real stack', () => {
  it('maintenance window: an invoice issued during it goes offline (UNAVAILABILITY) and is sent once the window has ended by itself', async () => {
    const start = Date.now() + 1500;
    const end = start + 6000;
    const created = await admin('/availability/events', 'POST', { category: 'MAINTENANCE', start: new Date(start).toISOString(), end: new Date(end).toISOString(), title: 'Planowana niedostępność KSeF' });
    expect(created.status).toBe(201);
    expect((await look()).available).toBe(true);
    await eventually(async () => (await latarnia('status')).status === 'MAINTENANCE');
    expect(await look()).toMatchObject({ available: false, announced: 'MAINTENANCE' });
    // The simulator's API is down for the window, as KSeF would be.
    expect((await fetch(`${stack.simulatorUrl}/security/public-key-certificates`)).status).toBe(503);

    const { invoice, id, handle } = await submit();
    const waiting = await stateWhen(handle.workflowId, (s) => s.step === 'offline');
    expect(waiting.offline?.mode).toBe('UNAVAILABILITY');
    expect(Date.now()).toBeLessThan(end);
    const done = (await handle.result()) as InvoiceWorkflowState;
    expect(done.status).toBe('ACCEPTED');
    expect(Date.now()).toBeGreaterThanOrEqual(end);
    expect(simulatorRecord(invoice.invoiceNumber!)).toMatchObject({ offlineMode: true, invoicingMode: 'Offline' });
    const offline = await stack.api(`/api/v1/invoices/${id}/offline`);
    expect(offline.body.mode).toBe('UNAVAILABILITY');
    expect(Date.parse(offline.body.sentAt)).toBeGreaterThanOrEqual(end);
  });

  it('failure: the invoice goes offline in emergency mode; when the failure ends (FAILURE_END) it is sent', async () => {
    await admin('/availability', 'PUT', { status: 'FAILURE', title: 'Awaria KSeF' });
    const { invoice, id, handle } = await submit();
    const waiting = await stateWhen(handle.workflowId, (s) => s.step === 'offline');
    expect(waiting.offline?.mode).toBe('EMERGENCY');
    const [failure] = (await latarnia('status')).messages;
    expect((await admin(`/availability/events/${failure.eventId}/end`, 'POST', {})).status).toBe(200);
    expect(((await handle.result()) as InvoiceWorkflowState).status).toBe('ACCEPTED');
    expect(simulatorRecord(invoice.invoiceNumber!)).toMatchObject({ offlineMode: true, invoicingMode: 'Offline' });
    expect((await stack.api(`/api/v1/invoices/${id}/offline`)).body.mode).toBe('EMERGENCY');
  });

  it('an unknown Latarnia status: the invoice is sent normally (KSeF answers) and an alert says Latarnia is not understood', async () => {
    await admin('/availability/override', 'PUT', { status: 'PARTIAL_DEGRADATION' });
    const { invoice, handle } = await submit();
    expect(((await handle.result()) as InvoiceWorkflowState).status).toBe('ACCEPTED');
    expect(simulatorRecord(invoice.invoiceNumber!)).toMatchObject({ offlineMode: false });
    // With automatic offline mode the lifecycle asks before each send: that look raised the alert.
    const alert = await eventually(() => stack.prisma.alert.findFirst({ where: { errorCode: 'KSEF_AVAILABILITY_UNKNOWN' } }));
    expect(alert.reason).toContain('PARTIAL_DEGRADATION');
    expect(alert.errorClass).toBe('ksef-unavailable');
  });
});

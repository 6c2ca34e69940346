/**
 * Offline mode on the real stack: an outage sends the invoice offline (QR KOD I stored and served,
 * deadline kept), it goes to KSeF with offlineMode when KSeF is back; a late recovery raises the
 * deadline alerts; an invoice issued offline by the source carries KOD II signed with the
 * configured offline certificate; a rejected offline invoice is re-sent as a technical correction.
 * Deadlines are configuration (offlineDeadlineOverrideMs), never real days.
 */
import { constants, generateKeyPairSync, verify } from 'node:crypto';
import forge from 'node-forge';
import { correctDataUpdate, getStateQuery, type InvoiceWorkflowState } from '../../workflows/contracts';
import type { InvoiceInput } from '../../domain/invoice';
import { sampleInvoice } from '../support/invoices';
import { eventually, startStack, type TestStack } from '../support/stack';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

function selfSignedCertificate(): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = '01f20a5d352ae590';
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  const attrs = [{ name: 'commonName', value: 'KSeF offline test' }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.sign(forge.pki.privateKeyFromPem(privateKeyPem), forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack({
    lifecycle: { offlineAuto: true, offlineRecheckMs: 150, offlineDeadlineOverrideMs: 60_000, offlineAlertBeforeMs: 3000, triageSlaMs: 60_000 },
    features: { offline: { certificate: { certificatePem: selfSignedCertificate(), privateKeyPem } } as any },
  });
});
afterAll(async () => {
  await stack?.stop();
});
afterEach(async () => {
  await fetch(`${stack.simulatorRootUrl}/_sim/faults`, { method: 'DELETE' });
});

async function faults(body: unknown) {
  const res = await fetch(`${stack.simulatorRootUrl}/_sim/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.ok).toBe(true);
}

async function submit(invoice: InvoiceInput) {
  const res = await stack.api('/api/v1/invoices', { body: invoice });
  expect(res.status).toBe(202);
  return { id: res.body.id as string, handle: stack.temporal.workflow.getHandle(res.body.workflowId as string) };
}

async function stateWhen(workflowId: string, predicate: (s: InvoiceWorkflowState) => boolean) {
  return eventually(async () => {
    const s = await stack.temporal.workflow.getHandle(workflowId).query(getStateQuery);
    return predicate(s) ? s : undefined;
  });
}

function simulatorRecords(invoiceNumber: string) {
  // A forced rejection leaves no parsed facts: find the invoice by its number in the XML.
  return [...stack.simulator.state.invoices.values()].filter((r) => r.content?.toString('utf8').includes(`<P_2>${invoiceNumber}</P_2>`));
}

describe('offline mode', () => {
  it('outage → offline with the QR KOD I link → sent with offlineMode after recovery, before the deadline', async () => {
    // KSeF comes back when the test says so: a fixed 3 s outage could end before a loaded machine's
    // first invoice even reached its availability check.
    await faults({ outage: { durationMs: 600_000, status: 503 } });
    const invoice = sampleInvoice();
    const { id, handle } = await submit(invoice);
    const waiting = await stateWhen(handle.workflowId, (s) => s.step === 'offline');
    expect(waiting.status).toBe('SENDING');
    expect(waiting.offline?.mode).toBe('OFFLINE24');
    expect(waiting.nextAction).toContain('Issued offline');
    await fetch(`${stack.simulatorRootUrl}/_sim/faults`, { method: 'DELETE' });

    const done = (await handle.result()) as InvoiceWorkflowState;
    expect(done.status).toBe('ACCEPTED');
    const [record] = simulatorRecords(invoice.invoiceNumber!);
    expect(record).toMatchObject({ offlineMode: true, invoicingMode: 'Offline', hashOfCorrectedInvoice: null });

    const res = await stack.api(`/api/v1/invoices/${id}/offline`);
    expect(res.status).toBe(200);
    const hashUrl = record.invoiceHash.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const [y, m, d] = invoice.issueDate!.split('-');
    expect(res.body.qr.kodI).toEqual({ url: `https://qr-test.ksef.mf.gov.pl/invoice/5260001246/${d}-${m}-${y}/${hashUrl}`, label: done.ksefNumber });
    expect(res.body).toMatchObject({ mode: 'OFFLINE24', deadlineAlertedAt: null, deadlineMissedAt: null });
    expect(Date.parse(res.body.sentAt)).toBeLessThan(Date.parse(res.body.deadline));
    expect(await stack.prisma.alert.count({ where: { registryId: id, errorCode: { startsWith: 'OFFLINE_DEADLINE' } } })).toBe(0);
  });

  it('alerts before the deadline and again when it passes while KSeF stays down; sends once KSeF is back', async () => {
    await faults({ outage: { durationMs: 600_000, status: 503 } });
    // The settings travel with each submission: this invoice gets a 4 s deadline, alerted 3 s before.
    stack.lifecycle.offlineDeadlineOverrideMs = 4000;
    const { id, handle } = await submit(sampleInvoice()).finally(() => {
      stack.lifecycle.offlineDeadlineOverrideMs = 60_000;
    });
    const approaching = await eventually(() => stack.prisma.alert.findFirst({ where: { registryId: id, errorCode: 'OFFLINE_DEADLINE_APPROACHING' } }));
    expect(approaching.reason).toContain('must reach KSeF by');
    const missed = await eventually(() => stack.prisma.alert.findFirst({ where: { registryId: id, errorCode: 'OFFLINE_DEADLINE_MISSED' } }), 20_000);
    expect(missed.escalationLevel).toBe(1);
    const row = await eventually(() => stack.prisma.offlineInvoice.findFirst({ where: { registryId: id, deadlineMissedAt: { not: null } } }));
    expect(row.deadlineAlertedAt!.getTime()).toBeLessThanOrEqual(row.deadlineMissedAt!.getTime());
    expect((await stack.prisma.invoice.findUniqueOrThrow({ where: { id } })).step).toBe('offline');

    await fetch(`${stack.simulatorRootUrl}/_sim/faults`, { method: 'DELETE' });
    expect(((await handle.result()) as InvoiceWorkflowState).status).toBe('ACCEPTED');
    const audit = await stack.prisma.auditEvent.findMany({ where: { targetId: id, action: 'invoice.offline-deadline' }, orderBy: { id: 'asc' } });
    expect(audit.map((a) => a.result)).toEqual(['approaching', 'missed']);
  });

  it('goes offline when Latarnia announces a KSeF failure (emergency mode)', async () => {
    await fetch(`${stack.simulatorRootUrl}/_sim/availability`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'FAILURE', title: 'Awaria KSeF' }),
    });
    try {
      const { id, handle } = await submit(sampleInvoice());
      const waiting = await stateWhen(handle.workflowId, (s) => s.step === 'offline');
      expect(waiting.offline?.mode).toBe('EMERGENCY');
      expect((await stack.api(`/api/v1/invoices/${id}/offline`)).body.mode).toBe('EMERGENCY');
      // The registry follows the workflow state once the projection activity lands.
      expect(
        await eventually(async () => {
          const r = await stack.prisma.invoice.findUniqueOrThrow({ where: { id } });
          return r.step === 'offline' ? r : undefined;
        }),
      ).toMatchObject({ status: 'SENDING', step: 'offline' });
      await fetch(`${stack.simulatorRootUrl}/_sim/availability`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'AVAILABLE' }) });
      expect(((await handle.result()) as InvoiceWorkflowState).status).toBe('ACCEPTED');
    } finally {
      await fetch(`${stack.simulatorRootUrl}/_sim/availability`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'AVAILABLE' }) });
    }
  });

  it('announced unavailability: the deadline follows the period while it lasts and counts from its end; a late recovery is alerted', async () => {
    const availability = (status: string) =>
      fetch(`${stack.simulatorRootUrl}/_sim/availability`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ status, ...(status === 'AVAILABLE' ? {} : { title: 'Planowana niedostępność KSeF' }) }),
      });
    await availability('MAINTENANCE');
    try {
      // Test scale: the deadline is 4 s after the period's end (legally: the next business day), alerted 3 s before.
      stack.lifecycle.offlineDeadlineOverrideMs = 4000;
      const { id, handle } = await submit(sampleInvoice()).finally(() => {
        stack.lifecycle.offlineDeadlineOverrideMs = 60_000;
      });
      await stateWhen(handle.workflowId, (s) => s.step === 'offline' && s.offline?.mode === 'UNAVAILABILITY');
      const entered = await stack.prisma.offlineInvoice.findUniqueOrThrow({ where: { registryId: id } });

      // The period outlasts the first deadline: no alert, the deadline moves with it.
      await new Promise((r) => setTimeout(r, 6000));
      expect(await stack.prisma.alert.count({ where: { registryId: id, errorCode: { startsWith: 'OFFLINE_DEADLINE' } } })).toBe(0);
      const during = await stack.prisma.offlineInvoice.findUniqueOrThrow({ where: { registryId: id } });
      expect(during.deadline.getTime()).toBeGreaterThan(entered.deadline.getTime() + 1000);
      expect(during.deadlineMissedAt).toBeNull();

      // The period ends, but KSeF still does not answer: now the deadline is fixed from the end, and alerted.
      await faults({ outage: { durationMs: 600_000, status: 503 } });
      const endedAt = Date.now();
      await availability('AVAILABLE');
      const missed = await eventually(() => stack.prisma.alert.findFirst({ where: { registryId: id, errorCode: 'OFFLINE_DEADLINE_MISSED' } }), 20_000);
      expect(missed.reason).toContain('not sent to KSeF by its legal deadline');
      const fixed = await stack.prisma.offlineInvoice.findUniqueOrThrow({ where: { registryId: id } });
      expect(fixed.deadline.getTime()).toBeGreaterThanOrEqual(endedAt + 4000 - 50);
      expect(fixed.deadline.getTime()).toBeLessThan(endedAt + 4000 + 3000);
      expect(fixed.deadlineAlertedAt!.getTime()).toBeGreaterThanOrEqual(endedAt);
      const recomputed = await stack.prisma.auditEvent.findMany({ where: { targetId: id, action: 'invoice.offline-deadline', result: 'recomputed' }, orderBy: { id: 'asc' } });
      expect(recomputed.map((a) => (a.details as { reason: string }).reason)).toContain('period-ongoing');
      expect((recomputed.at(-1)!.details as { reason: string; after: string }).reason).toBe('period-ended');
      expect((recomputed.at(-1)!.details as { after: string }).after).toBe(fixed.deadline.toISOString());
      expect((await stack.api(`/api/v1/invoices/${id}`)).body.deadline).toBe(fixed.deadline.toISOString());

      await fetch(`${stack.simulatorRootUrl}/_sim/faults`, { method: 'DELETE' });
      expect(((await handle.result()) as InvoiceWorkflowState).status).toBe('ACCEPTED');
      const afterAlerts = await stack.prisma.auditEvent.findMany({ where: { targetId: id, action: 'invoice.offline-deadline', result: { not: 'recomputed' } }, orderBy: { id: 'asc' } });
      expect(afterAlerts.map((a) => a.result)).toEqual(['approaching', 'missed']);
    } finally {
      await availability('AVAILABLE');
    }
  });

  it('an invoice waiting offline cannot be cancelled (it is issued and must reach KSeF); it is sent after recovery', async () => {
    await faults({ outage: { durationMs: 600_000, status: 503 } });
    const { id, handle } = await submit(sampleInvoice());
    await stateWhen(handle.workflowId, (s) => s.step === 'offline');
    const cancel = await stack.api(`/api/v1/invoices/${id}/actions/cancel`, { body: { note: 'wystawiona omyłkowo' } });
    expect(cancel.status).toBe(409);
    expect(cancel.body.code).toBe('KSEFOPS_ACTION_NOT_ALLOWED');
    expect(cancel.body.detail).toContain('KSEFOPS_OFFLINE_INVOICE_ISSUED');
    expect(cancel.body.detail).toContain('correcting invoice');
    const still = await handle.query(getStateQuery);
    expect([still.status, still.step]).toEqual(['SENDING', 'offline']);
    expect(await stack.prisma.auditEvent.count({ where: { targetId: id, action: 'invoice.cancel' } })).toBe(0);

    await fetch(`${stack.simulatorRootUrl}/_sim/faults`, { method: 'DELETE' });
    const done = (await handle.result()) as InvoiceWorkflowState;
    expect(done.status).toBe('ACCEPTED');
    // Accepted, it can now be cancelled only by a correcting invoice.
    const detail = await stack.api(`/api/v1/invoices/${id}`);
    expect(detail.body.availableActions).not.toContain('cancel');
  });

  it('issued offline by the source: KOD I and KOD II (signed with the offline certificate); a rejection is re-sent as a technical correction', async () => {
    await faults({ rejectInvoices: { count: 1, code: 450, description: 'Błąd weryfikacji semantyki dokumentu faktury', details: ['Nieprawidłowy adres nabywcy'] } });
    const invoice = sampleInvoice({ offline: true });
    const { id, handle } = await submit(invoice);
    await stateWhen(handle.workflowId, (s) => s.status === 'REJECTED');
    const [rejected] = simulatorRecords(invoice.invoiceNumber!);
    expect(rejected.offlineMode).toBe(true);

    const corrected = { ...invoice, buyer: { ...invoice.buyer!, address: { countryCode: 'PL', line1: 'ul. Długa 7', line2: '30-001 Kraków' } } };
    await handle.executeUpdate(correctDataUpdate, { args: [{ by: 'anna.k', invoice: corrected as any }] });
    const done = (await handle.result()) as InvoiceWorkflowState;
    expect(done.status).toBe('ACCEPTED');
    const records = simulatorRecords(invoice.invoiceNumber!);
    expect(records).toHaveLength(2);
    expect(records[1]).toMatchObject({ offlineMode: true, hashOfCorrectedInvoice: rejected.invoiceHash, invoicingMode: 'Offline' });

    const res = await stack.api(`/api/v1/invoices/${id}/offline`);
    expect(res.body.technicalCorrectionOf).toBe(rejected.invoiceHash);
    const kodII: string = res.body.qr.kodII.url;
    const hash = records[1].invoiceHash.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const prefix = `https://qr-test.ksef.mf.gov.pl/certificate/Nip/5260001246/5260001246/01F20A5D352AE590/${hash}`;
    expect(kodII.startsWith(`${prefix}/`)).toBe(true);
    const signature = Buffer.from(kodII.slice(prefix.length + 1), 'base64url');
    const signed = Buffer.from(prefix.replace('https://', ''), 'utf8');
    expect(verify('sha256', signed, { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature)).toBe(true);
    expect(res.body.qr.kodII.label).toBe('CERTYFIKAT');
  });
});

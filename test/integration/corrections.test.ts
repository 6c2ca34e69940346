/**
 * Corrections as first-class paths on the real stack: links and the chain view, the checklist
 * (wait for the corrected invoice, approval for edge cases), cancellation by a correction to zero,
 * and settlement invoices listing their advance invoices.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { approveUpdate, getStateQuery, type InvoiceWorkflowState } from '../../workflows/contracts';
import { parseFa3Xml } from '../../fa3/parse';
import type { InvoiceInput } from '../../domain/invoice';
import { sampleInvoice } from '../support/invoices';
import { eventually, startStack, type TestStack } from '../support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack({ lifecycle: { approvalThresholdGross: '10000', correctionWaitSlaMs: 1500, correctionPollMs: 200, triageSlaMs: 60_000 } });
});
afterAll(async () => {
  await stack?.stop();
});

async function submit(invoice: InvoiceInput) {
  const res = await stack.api('/api/v1/invoices', { body: invoice });
  expect(res.status).toBe(202);
  return { id: res.body.id as string, handle: stack.temporal.workflow.getHandle(res.body.workflowId as string) };
}

async function reaches(workflowId: string, predicate: (s: InvoiceWorkflowState) => boolean, timeoutMs = 30000) {
  return eventually(async () => {
    const s = await stack.temporal.workflow.getHandle(workflowId).query(getStateQuery);
    return predicate(s) ? s : undefined;
  }, timeoutMs);
}

async function accepted(invoice: InvoiceInput) {
  const { id, handle } = await submit(invoice);
  const done = (await handle.result()) as InvoiceWorkflowState;
  expect(done.status).toBe('ACCEPTED');
  return { id, ksefNumber: done.ksefNumber as string, invoice };
}

function correctionOf(original: InvoiceInput, ref: { ksefNumber?: string; issuedOutsideKsef?: boolean; number?: string; issueDate?: string }, overrides: Partial<InvoiceInput> = {}) {
  return sampleInvoice({
    type: 'KOR',
    correction: {
      reason: 'Zmiana ceny',
      effect: '2',
      correctedInvoices: [{ issueDate: ref.issueDate ?? original.issueDate!, number: ref.number ?? original.invoiceNumber!, ...(ref.ksefNumber ? { ksefNumber: ref.ksefNumber } : {}), ...(ref.issuedOutsideKsef ? { issuedOutsideKsef: true } : {}) }],
    },
    lines: [{ name: 'Rabat', unit: 'szt.', quantity: '1', unitNetPrice: '-100.00', netAmount: '-100.00', vatRate: '23' }],
    payment: undefined,
    ...overrides,
  });
}

describe('corrections and cancellations', () => {
  it('shows a correction with before/after (StanPrzed) lines in the registry with the difference as its gross amount', async () => {
    // The third-party suite's KOR: a 4065.04 net line before and 3658.54 after; its own P_15 is the oracle.
    const xml = readFileSync(path.resolve(__dirname, '..', 'fixtures', 'ksef-examples', 'third-party-ksef2-suite', 'KSEF_02_KOR.xml'), 'utf8');
    const expectedGross = /<P_15>([^<]+)<\/P_15>/.exec(xml)![1];
    const example = parseFa3Xml(xml);
    expect(example.lines.filter((l) => l.beforeCorrection)).toHaveLength(1);
    const original = await accepted(sampleInvoice());
    const kor = correctionOf(original.invoice, { ksefNumber: original.ksefNumber }, { lines: example.lines });
    expect(kor.grossAmount).toBeUndefined();
    const { id, handle } = await submit(kor);
    const detail = await stack.api(`/api/v1/invoices/${id}`);
    expect(Number(detail.body.grossAmount)).toBe(Number(expectedGross));
    expect(detail.body.grossAmount).toBe('-500.00');
    const listed = await stack.api(`/api/v1/invoices?q=${encodeURIComponent(kor.invoiceNumber!)}`);
    expect(listed.body.items.map((i: { grossAmount: string }) => i.grossAmount)).toEqual(['-500.00']);
    const done = (await handle.result()) as InvoiceWorkflowState;
    expect(done.status).toBe('ACCEPTED');
    // KSeF got the same difference in P_15.
    const record = [...stack.simulator.state.invoices.values()].find((r) => r.content?.toString('utf8').includes(`<P_2>${kor.invoiceNumber}</P_2>`));
    expect(record!.content!.toString('utf8')).toContain('<P_15>-500.00</P_15>');
  });

  it('links corrections to the corrected invoice and shows the chain with statuses', async () => {
    const original = await accepted(sampleInvoice());
    const first = await accepted(correctionOf(original.invoice, { ksefNumber: original.ksefNumber }));
    // A correction of the correction, referenced by number only: the registry knows it, so its KSeF number is written in.
    const secondInput = correctionOf(first.invoice, { issuedOutsideKsef: true });
    const second = await submit(secondInput);
    const done = (await second.handle.result()) as InvoiceWorkflowState;
    expect(done.status).toBe('ACCEPTED');
    const row = await stack.prisma.invoice.findUniqueOrThrow({ where: { id: second.id } });
    expect((row.payload as any).correction.correctedInvoices[0]).toMatchObject({ number: first.invoice.invoiceNumber, ksefNumber: first.ksefNumber });
    expect((row.payload as any).correction.correctedInvoices[0].issuedOutsideKsef).toBeUndefined();

    const chain = await stack.api(`/api/v1/invoices/${second.id}/chain`);
    expect(chain.status).toBe(200);
    expect(chain.body.requested).toBe(second.id);
    expect(chain.body.root).toMatchObject({
      id: original.id,
      invoiceType: 'VAT',
      status: 'ACCEPTED',
      ksefNumber: original.ksefNumber,
      corrections: [
        { id: first.id, invoiceType: 'KOR', status: 'ACCEPTED', grossAmount: '-123.00', corrections: [{ id: second.id, status: 'ACCEPTED', corrections: [] }] },
      ],
    });
    const links = await stack.prisma.invoiceLink.findMany({ where: { fromId: first.id } });
    expect(links).toEqual([expect.objectContaining({ kind: 'CORRECTS', targetId: original.id, targetKsefNumber: original.ksefNumber })]);
  });

  it('waits for the corrected invoice to be accepted (alert after the SLA), then sends the correction citing its KSeF number', async () => {
    const big = sampleInvoice({ lines: [{ name: 'Licencja', unit: 'szt.', quantity: '1', unitNetPrice: '9000.00', netAmount: '9000.00', vatRate: '23' }] });
    const original = await submit(big);
    await reaches(original.handle.workflowId, (s) => s.status === 'AWAITING_APPROVAL');
    const kor = await submit(correctionOf(big, { issuedOutsideKsef: true }));
    const waiting = await reaches(kor.handle.workflowId, (s) => s.step === 'awaiting-corrected-invoice');
    expect(waiting.status).toBe('VALIDATING');
    expect(waiting.nextAction).toContain(big.invoiceNumber);
    // The registry follows the workflow state once the projection activity lands.
    await eventually(async () => (await stack.prisma.invoice.findUniqueOrThrow({ where: { id: kor.id } })).step === 'awaiting-corrected-invoice');
    const alert = await eventually(() => stack.prisma.alert.findFirst({ where: { registryId: kor.id, errorCode: 'CORRECTION_WAITING_FOR_ORIGINAL' } }));
    expect(alert.reason).toContain(big.invoiceNumber);

    await original.handle.executeUpdate(approveUpdate, { args: [{ by: 'cfo.ewa' }] });
    const originalDone = (await original.handle.result()) as InvoiceWorkflowState;
    const korDone = (await kor.handle.result()) as InvoiceWorkflowState;
    expect(korDone.status).toBe('ACCEPTED');
    const ledger = (await (await fetch(`${stack.simulatorRootUrl}/_sim/ledger`)).json()) as { accepted: Array<{ invoiceNumber: string; acquisitionDate: string }> };
    const order = ledger.accepted.map((e) => e.invoiceNumber);
    expect(order.indexOf(big.invoiceNumber!)).toBeLessThan(order.indexOf((await stack.prisma.invoice.findUniqueOrThrow({ where: { id: kor.id } })).invoiceNumber));
    const payload = (await stack.prisma.invoice.findUniqueOrThrow({ where: { id: kor.id } })).payload as any;
    expect(payload.correction.correctedInvoices[0].ksefNumber).toBe(originalDone.ksefNumber);
  });

  it('asks for approval when a correction raises the total above the threshold or corrects an invoice issued outside KSeF', async () => {
    const original = await accepted(sampleInvoice());
    const raising = correctionOf(original.invoice, { ksefNumber: original.ksefNumber }, {
      lines: [{ name: 'Dodatkowe prace', unit: 'godz.', quantity: '1', unitNetPrice: '6800.00', netAmount: '6800.00', vatRate: '23' }],
    });
    const up = await submit(raising);
    const held = await reaches(up.handle.workflowId, (s) => s.status === 'AWAITING_APPROVAL');
    expect(held.nextAction).toContain('Approve');
    const raisingAlert = await eventually(() => stack.prisma.alert.findFirst({ where: { registryId: up.id, errorCode: 'APPROVAL_REQUIRED' } }));
    expect(raisingAlert.reason).toContain('raises the amount');

    const outside = await submit(correctionOf(original.invoice, { number: 'FV/2024/12/0007', issueDate: '2024-12-02', issuedOutsideKsef: true }));
    await reaches(outside.handle.workflowId, (s) => s.status === 'AWAITING_APPROVAL');
    const outsideAlert = await eventually(() => stack.prisma.alert.findFirst({ where: { registryId: outside.id, errorCode: 'APPROVAL_REQUIRED' } }));
    expect(outsideAlert.reason).toContain('issued outside KSeF');

    for (const h of [up.handle, outside.handle]) await h.executeUpdate(approveUpdate, { args: [{ by: 'cfo.ewa' }] });
    expect(((await up.handle.result()) as InvoiceWorkflowState).status).toBe('ACCEPTED');
    expect(((await outside.handle.result()) as InvoiceWorkflowState).status).toBe('ACCEPTED');
    const outsideLink = await stack.prisma.invoiceLink.findFirstOrThrow({ where: { fromId: outside.id } });
    expect(outsideLink).toMatchObject({ targetId: null, targetKsefNumber: null, targetNumber: 'FV/2024/12/0007' });
  });

  it('cancels an accepted invoice by a correction to zero that cites its KSeF number; nothing is deleted', async () => {
    const original = await accepted(sampleInvoice());
    const notYet = await stack.api(`/api/v1/invoices/${original.id}/actions/cancel-by-correction`, { body: { invoiceNumber: 5 } });
    expect(notYet.status).toBe(400);
    expect(notYet.body.errors[0].path).toEqual(['invoiceNumber']);

    const res = await stack.api(`/api/v1/invoices/${original.id}/actions/cancel-by-correction`, { body: { reason: 'Faktura wystawiona omyłkowo' } });
    expect(res.status).toBe(202);
    expect(res.body.invoiceNumber).toBe(`${original.invoice.invoiceNumber}/ANUL`);
    const again = await stack.api(`/api/v1/invoices/${original.id}/actions/cancel-by-correction`, { body: { reason: 'Faktura wystawiona omyłkowo' } });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: res.body.id, created: false });

    const done = (await stack.temporal.workflow.getHandle(res.body.workflowId).result()) as InvoiceWorkflowState;
    expect(done.status).toBe('ACCEPTED');
    const kor = await stack.prisma.invoice.findUniqueOrThrow({ where: { id: res.body.id } });
    expect(kor.invoiceType).toBe('KOR');
    expect(kor.grossAmount.toFixed(2)).toBe('-1950.00');
    expect((kor.payload as any).correction.correctedInvoices).toEqual([{ issueDate: original.invoice.issueDate, number: original.invoice.invoiceNumber, ksefNumber: original.ksefNumber }]);
    expect((await stack.prisma.invoice.findUniqueOrThrow({ where: { id: original.id } })).status).toBe('ACCEPTED');

    const chain = await stack.api(`/api/v1/invoices/${original.id}/chain`);
    expect(chain.body.root.corrections).toEqual([expect.objectContaining({ id: kor.id, invoiceType: 'KOR', status: 'ACCEPTED', grossAmount: '-1950.00' })]);
    const audit = await stack.prisma.auditEvent.findFirstOrThrow({ where: { targetId: original.id, action: 'invoice.cancel-by-correction' }, orderBy: { id: 'asc' } });
    expect(audit.result).toBe('submitted');

    // A correction is not cancelled as a whole, and an invoice KSeF does not hold yet is cancelled with "cancel".
    const onKor = await stack.api(`/api/v1/invoices/${kor.id}/actions/cancel-by-correction`, { body: {} });
    expect(onKor.status).toBe(409);
    expect(onKor.body.code).toBe('KSEFOPS_CANCEL_NOT_POSSIBLE');
    const monitor = await stack.api(`/api/v1/invoices/${original.id}/actions/cancel-by-correction`, { body: {}, as: 'monitor' });
    expect(monitor.status).toBe(403);
  });

  it('links a settlement invoice (ROZ) to the advance invoices it settles', async () => {
    const order = [{ name: 'Maszyna', unit: 'szt.', quantity: '1', unitNetPrice: '4000.00', netAmount: '4000.00', vatRate: '23' as const }];
    const zal = await accepted(sampleInvoice({ type: 'ZAL', lines: order, grossAmount: '1000.00', payment: undefined }));
    const roz = await accepted(
      sampleInvoice({ type: 'ROZ', lines: order, grossAmount: '3920.00', advanceInvoices: [{ number: zal.invoice.invoiceNumber!, ksefNumber: zal.ksefNumber }], payment: undefined }),
    );
    const rozChain = await stack.api(`/api/v1/invoices/${roz.id}/chain`);
    expect(rozChain.body.root.advanceInvoices).toEqual([{ number: zal.invoice.invoiceNumber, ksefNumber: zal.ksefNumber, id: zal.id, status: 'ACCEPTED' }]);
    const zalChain = await stack.api(`/api/v1/invoices/${zal.id}/chain`);
    expect(zalChain.body.root.settledBy).toEqual([{ id: roz.id, invoiceNumber: roz.invoice.invoiceNumber, status: 'ACCEPTED' }]);
  });

  it('links a KOR_ZAL to its advance invoice and a KOR_ROZ to its settlement invoice, each chain with statuses', async () => {
    const order = [
      { name: 'Rozdzielnica modułowa', unit: 'szt.', quantity: '3', unitNetPrice: '2400.00', netAmount: '7200.00', vatRate: '23' as const },
      { name: 'Montaż rozdzielnic', unit: 'usł.', quantity: '3', unitNetPrice: '500.00', netAmount: '1500.00', vatRate: '8' as const },
    ];
    const zal = await accepted(sampleInvoice({ type: 'ZAL', lines: order, grossAmount: '3000.00', payment: undefined }));
    const ref = (x: { invoice: InvoiceInput; ksefNumber: string }) => ({ issueDate: x.invoice.issueDate!, number: x.invoice.invoiceNumber!, ksefNumber: x.ksefNumber });
    // The wrong VAT rate on the assembly service, corrected on the advance invoice (MF example 11's case).
    const korZal = await accepted(
      sampleInvoice({
        type: 'KOR_ZAL',
        lines: [{ ...order[1], vatRate: '23', beforeCorrection: true }, order[1]],
        grossAmount: '-50.89',
        correction: { reason: 'Błędna stawka VAT dla usługi montażu', effect: '1', correctedInvoices: [ref(zal)] },
        payment: undefined,
      }),
    );
    const roz = await accepted(sampleInvoice({ type: 'ROZ', lines: order, grossAmount: '7476.00', advanceInvoices: [{ number: zal.invoice.invoiceNumber!, ksefNumber: zal.ksefNumber }], payment: undefined }));
    const korRoz = await accepted(
      sampleInvoice({
        type: 'KOR_ROZ',
        lines: [{ ...order[1], beforeCorrection: true }, { ...order[1], unitNetPrice: '450.00', netAmount: '1350.00' }],
        grossAmount: '-162.00',
        advanceInvoices: [{ number: zal.invoice.invoiceNumber!, ksefNumber: zal.ksefNumber }],
        correction: { reason: 'Obniżka ceny montażu po reklamacji', effect: '2', correctedInvoices: [ref(roz)] },
        payment: undefined,
      }),
    );

    const zalChain = await stack.api(`/api/v1/invoices/${korZal.id}/chain`);
    expect(zalChain.status).toBe(200);
    expect(zalChain.body.root).toMatchObject({
      id: zal.id,
      invoiceType: 'ZAL',
      status: 'ACCEPTED',
      ksefNumber: zal.ksefNumber,
      corrections: [{ id: korZal.id, invoiceType: 'KOR_ZAL', status: 'ACCEPTED', ksefNumber: korZal.ksefNumber, corrections: [] }],
    });
    // The KOR_ROZ lists the advance invoice too (FA(3) FakturaZaliczkowa), so the advance shows both settlements.
    expect(zalChain.body.root.settledBy).toEqual(
      expect.arrayContaining([
        { id: roz.id, invoiceNumber: roz.invoice.invoiceNumber, status: 'ACCEPTED' },
        { id: korRoz.id, invoiceNumber: korRoz.invoice.invoiceNumber, status: 'ACCEPTED' },
      ]),
    );
    expect(zalChain.body.root.settledBy).toHaveLength(2);
    const rozChain = await stack.api(`/api/v1/invoices/${korRoz.id}/chain`);
    expect(rozChain.body.root).toMatchObject({
      id: roz.id,
      invoiceType: 'ROZ',
      status: 'ACCEPTED',
      corrections: [{ id: korRoz.id, invoiceType: 'KOR_ROZ', status: 'ACCEPTED', ksefNumber: korRoz.ksefNumber }],
      advanceInvoices: [{ number: zal.invoice.invoiceNumber, ksefNumber: zal.ksefNumber, id: zal.id, status: 'ACCEPTED' }],
    });
    const links = await stack.prisma.invoiceLink.findMany({ where: { fromId: { in: [korZal.id, korRoz.id] } }, orderBy: [{ fromId: 'asc' }, { kind: 'asc' }] });
    expect(links.map((l) => [l.fromId === korZal.id ? 'KOR_ZAL' : 'KOR_ROZ', l.kind, l.targetId]).sort()).toEqual(
      [
        ['KOR_ZAL', 'CORRECTS', zal.id],
        ['KOR_ROZ', 'CORRECTS', roz.id],
        ['KOR_ROZ', 'SETTLES', zal.id],
      ].sort(),
    );
    // KSeF got the references: the corrected invoice's KSeF number in each correction.
    for (const [kor, original] of [[korZal, zal], [korRoz, roz]] as const) {
      const record = [...stack.simulator.state.invoices.values()].find((r) => r.content?.toString('utf8').includes(`<P_2>${kor.invoice.invoiceNumber}</P_2>`));
      expect(record!.content!.toString('utf8')).toContain(`<NrKSeFFaKorygowanej>${original.ksefNumber}</NrKSeFFaKorygowanej>`);
    }
  });
});

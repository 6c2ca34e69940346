import { isValidNip } from '../domain/nip';
import { validateFa3XmlBatch, type XsdResult } from '../fa3/xsd';
import type { SimulatorContext } from './context';
import { CORRECTION_KINDS, checkInvoiceFile, extractInvoiceFacts, INVOICE_TYPE_BY_KIND, type InvoiceFacts } from './invoice-facts';
import { warsawDateOf } from '../domain/business-days';
import { newKsefNumber } from './numbering';
import { invoicePermissionProblem } from './permissions';
import { finalizeSessionsIfSettled } from './session-lifecycle';
import { invoiceStatus, type InvoiceRecord, type StatusInfo } from './state';

/**
 * Asynchronous invoice verification, in KSeF's order: decryption, file checks, schema, form,
 * semantics, duplicate; then the KSeF number. Invoices due at the same time are schema-checked
 * in one wasm run (the expensive part), then decided one by one in arrival order so duplicate
 * detection is deterministic.
 */
export class InvoiceProcessor {
  private readonly due: InvoiceRecord[] = [];
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly ctx: () => SimulatorContext) {}

  enqueue(invoice: InvoiceRecord): void {
    const { options, schedule } = this.ctx();
    const delay = options.processingDelayMs;
    schedule(() => {
      if (invoice.status.code === 100) invoice.status = invoiceStatus(150);
    }, Math.floor(delay / 2));
    schedule(() => {
      this.due.push(invoice);
      this.chain = this.chain.then(() => this.drain()).catch((error: unknown) => this.ctx().logger.error({ err: error }, 'invoice processing failed'));
    }, delay);
  }

  /** Resolves once everything queued so far has a final status. */
  idle(): Promise<void> {
    return this.chain;
  }

  private async drain(): Promise<void> {
    const batch = this.due.splice(0);
    if (batch.length === 0) return;
    const ctx = this.ctx();
    const needsSchema: { invoice: InvoiceRecord; xml: string }[] = [];
    for (const invoice of batch) {
      // a reset may have removed the invoice while it was waiting
      if (ctx.state.invoices.get(invoice.referenceNumber) !== invoice) continue;
      invoice.status = invoiceStatus(150);
      if (!invoice.content) {
        this.finish(invoice, invoiceStatus(435, ['Nie udało się odszyfrować pliku faktury kluczem sesji.']));
        continue;
      }
      const forced = ctx.faults.nextForcedRejection();
      if (forced) {
        this.finish(invoice, { code: forced.code, description: forced.description, details: forced.details });
        continue;
      }
      const file = checkInvoiceFile(invoice.content);
      if (file.problems.length > 0) {
        this.finish(invoice, invoiceStatus(430, file.problems));
        continue;
      }
      needsSchema.push({ invoice, xml: file.xml });
    }
    const results = await validateInChunks(needsSchema.map((n) => n.xml), (error) =>
      ctx.logger.error({ err: error }, 'schema validation run failed; retrying its documents one by one'),
    );
    needsSchema.forEach(({ invoice, xml }, i) => {
      try {
        const result = results[i];
        if (!result) throw new Error('schema validation could not run for this document');
        if (!result.valid) {
          const details = result.issues.slice(0, 10).map((issue) => (issue.line ? `linia ${issue.line}: ${issue.message}` : issue.message));
          this.finish(invoice, invoiceStatus(430, details));
          return;
        }
        this.decide(invoice, extractInvoiceFacts(xml));
      } catch (error) {
        ctx.logger.error({ err: error, invoice: invoice.referenceNumber }, 'unexpected error while verifying invoice');
        this.finish(invoice, invoiceStatus(500, ['Nieoczekiwany błąd symulatora.']));
      }
    });
    finalizeSessionsIfSettled(ctx);
  }

  private decide(invoice: InvoiceRecord, facts: InvoiceFacts): void {
    const { state, options } = this.ctx();
    const session = state.sessions.get(invoice.sessionReferenceNumber);
    invoice.facts = facts;
    if (session && (facts.systemCode !== session.formCode.systemCode || facts.schemaVersion !== session.formCode.schemaVersion)) {
      this.finish(invoice, invoiceStatus(430, [`Faktura ma kod formularza ${facts.systemCode} ${facts.schemaVersion}, a sesja ${session.formCode.systemCode} ${session.formCode.schemaVersion}.`]));
      return;
    }
    const sizeLimit = facts.hasAttachment ? options.maxInvoiceWithAttachmentBytes : options.maxInvoiceBytes;
    if (invoice.invoiceSize > sizeLimit) {
      this.finish(invoice, invoiceStatus(430, [`Rozmiar faktury ${invoice.invoiceSize} B przekracza limit ${sizeLimit} B.`]));
      return;
    }
    const technicalCorrection = invoice.offlineMode && invoice.hashOfCorrectedInvoice !== null;
    if (facts.hasAttachment && session?.kind === 'Online' && options.onlineAttachments === 'reject' && !technicalCorrection) {
      this.finish(invoice, invoiceStatus(415, ['Faktury z załącznikiem (Zalacznik) można przesyłać wyłącznie w sesji wsadowej.']));
      return;
    }
    const permission = invoicePermissionProblem(this.ctx(), invoice.contextNip, facts);
    if (permission) {
      this.finish(invoice, permission);
      return;
    }
    const semanticProblems = this.semanticProblems(invoice, facts);
    if (semanticProblems.length > 0) {
      this.finish(invoice, invoiceStatus(450, semanticProblems));
      return;
    }
    const duplicateKey = `${facts.sellerNip}|${facts.invoiceType}|${facts.invoiceNumber}`;
    const original = state.byDuplicateKey.get(duplicateKey);
    if (original?.ksefNumber) {
      this.finish(
        invoice,
        invoiceStatus(
          440,
          [`Duplikat faktury. Faktura o numerze KSeF: ${original.ksefNumber} została już prawidłowo przesłana do systemu w sesji: ${original.sessionReferenceNumber}`],
          { originalSessionReferenceNumber: original.sessionReferenceNumber, originalKsefNumber: original.ksefNumber },
        ),
      );
      return;
    }
    this.accept(invoice, facts, duplicateKey);
  }

  private semanticProblems(invoice: InvoiceRecord, facts: InvoiceFacts): string[] {
    const { state, options } = this.ctx();
    const problems: string[] = [];
    if (options.enforceNipChecksum) {
      const nips: [string, string | null][] = [
        ['Podmiot1', facts.sellerNip],
        ['Podmiot2', facts.buyer.type === 'Nip' ? facts.buyer.value : null],
        ...facts.thirdPartyNips.map((nip): [string, string] => ['Podmiot3', nip]),
        ['PodmiotUpowazniony', facts.authorizedSubjectNip],
      ];
      for (const [subject, nip] of nips) {
        if (nip !== null && !isValidNip(nip)) problems.push(`Nieprawidłowy numer NIP ${nip} w ${subject} (suma kontrolna).`);
      }
    }
    if (facts.issueDate > warsawDateOf(invoice.invoicingDate)) {
      problems.push(`Data wystawienia faktury (P_1 = ${facts.issueDate}) jest późniejsza niż data przyjęcia faktury do systemu.`);
    }
    if (options.requireCorrectedInvoiceInLedger && CORRECTION_KINDS.has(facts.invoiceType)) {
      for (const ksefNumber of facts.correctedKsefNumbers) {
        if (!state.byKsefNumber.has(ksefNumber)) problems.push(`Faktura korygowana o numerze KSeF ${ksefNumber} nie istnieje w systemie.`);
      }
    }
    return problems;
  }

  private accept(invoice: InvoiceRecord, facts: InvoiceFacts, duplicateKey: string): void {
    const { state } = this.ctx();
    const now = new Date();
    invoice.ksefNumber = newKsefNumber(facts.sellerNip, invoice.invoicingDate);
    invoice.acquisitionDate = now;
    invoice.permanentStorageDate = now;
    // automatic offline (facts §9): issued on an earlier calendar day than it reached KSeF
    invoice.invoicingMode = invoice.offlineMode || facts.issueDate < warsawDateOf(invoice.invoicingDate) ? 'Offline' : 'Online';
    state.byKsefNumber.set(invoice.ksefNumber, invoice);
    state.byDuplicateKey.set(duplicateKey, invoice);
    state.ledger.push({
      ksefNumber: invoice.ksefNumber,
      sellerNip: facts.sellerNip,
      buyerNip: facts.buyer.type === 'Nip' ? facts.buyer.value : null,
      invoiceType: INVOICE_TYPE_BY_KIND[facts.invoiceType] ?? facts.invoiceType,
      invoiceNumber: facts.invoiceNumber,
      invoiceHash: invoice.invoiceHash,
      sessionReferenceNumber: invoice.sessionReferenceNumber,
      invoiceReferenceNumber: invoice.referenceNumber,
      contextNip: invoice.contextNip,
      invoicingMode: invoice.invoicingMode,
      invoicingDate: invoice.invoicingDate.toISOString(),
      acquisitionDate: now.toISOString(),
    });
    this.finish(invoice, invoiceStatus(200));
  }

  private finish(invoice: InvoiceRecord, status: StatusInfo): void {
    const { state, logger } = this.ctx();
    invoice.status = status;
    state.finalStatusCounts[status.code] = (state.finalStatusCounts[status.code] ?? 0) + 1;
    logger.info({ invoice: invoice.referenceNumber, session: invoice.sessionReferenceNumber, code: status.code, ksefNumber: invoice.ksefNumber }, 'invoice processed');
  }
}

/**
 * Validate in bounded chunks (one wasm run per chunk keeps memory bounded for a 10 000-invoice
 * batch); a chunk whose run fails is retried document by document, and a document that still cannot
 * be validated gets no result — its invoice then ends with status 500 instead of staying at 150.
 */
async function validateInChunks(xmls: string[], onRunFailure: (error: unknown) => void, chunkSize = 100): Promise<Array<XsdResult | undefined>> {
  const out: Array<XsdResult | undefined> = [];
  for (let start = 0; start < xmls.length; start += chunkSize) {
    const chunk = xmls.slice(start, start + chunkSize);
    try {
      out.push(...(await validateFa3XmlBatch(chunk)));
    } catch (error) {
      onRunFailure(error);
      for (const xml of chunk) out.push(await validateFa3XmlBatch([xml]).then((r) => r[0]).catch(() => undefined));
    }
  }
  return out;
}

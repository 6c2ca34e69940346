import { unzipSync } from 'fflate';
import type { SimulatorContext } from './context';
import { decryptInvoiceContent, sha256Base64 } from './crypto';
import { newReferenceNumber } from './numbering';
import { invoiceStatus, isFinalSessionCode, sessionStatus, type InvoiceRecord, type Session } from './state';
import { buildUpo } from './upo';

export function sessionInvoices(ctx: SimulatorContext, session: Session): InvoiceRecord[] {
  return session.invoiceReferences.map((ref) => ctx.state.invoices.get(ref)).filter((i): i is InvoiceRecord => !!i);
}

function isFinalInvoice(invoice: InvoiceRecord): boolean {
  return invoice.status.code !== 100 && invoice.status.code !== 150;
}

export function newInvoiceRecord(
  session: Session,
  fields: Pick<InvoiceRecord, 'invoiceHash' | 'invoiceSize' | 'content' | 'offlineMode' | 'hashOfCorrectedInvoice' | 'invoiceFileName' | 'invoicingDate'>,
): InvoiceRecord {
  return {
    ...fields,
    referenceNumber: newReferenceNumber('EE'),
    ordinalNumber: session.invoiceReferences.length + 1,
    sessionReferenceNumber: session.referenceNumber,
    contextNip: session.contextNip,
    acquisitionDate: null,
    permanentStorageDate: null,
    status: invoiceStatus(100),
    ksefNumber: null,
    invoicingMode: null,
    facts: null,
  };
}

/** Closed sessions (online 170, batch 150) become final once every invoice is final; then the collective UPO appears. */
export function finalizeSessionsIfSettled(ctx: SimulatorContext): void {
  for (const session of ctx.state.sessions.values()) {
    // A batch session closed a moment ago has no invoices yet (its package is unpacked on a timer):
    // judging it now would cancel it as empty (440) while another session of the context settles.
    const closing = (session.kind === 'Online' && session.status.code === 170) || (session.kind === 'Batch' && session.status.code === 150 && session.batch?.unpacked === true);
    if (!closing) continue;
    const invoices = sessionInvoices(ctx, session);
    if (!invoices.every(isFinalInvoice)) continue;
    const accepted = invoices.filter((i) => i.status.code === 200);
    if (invoices.length === 0) session.status = sessionStatus(440, ['Nie przesłano żadnej faktury.']);
    else if (accepted.length === 0) session.status = sessionStatus(445);
    else session.status = sessionStatus(200);
    session.upoPages = [];
    for (let from = 0; from < accepted.length; from += ctx.options.upoPageSize) {
      const page = accepted.slice(from, from + ctx.options.upoPageSize);
      session.upoPages.push({ referenceNumber: newReferenceNumber('EU'), xml: '' });
      const pageNumber = session.upoPages.length;
      session.upoPages[pageNumber - 1].xml = buildUpo(session, page, {
        page: pageNumber,
        pageCount: Math.ceil(accepted.length / ctx.options.upoPageSize),
        from: from + 1,
        total: accepted.length,
      });
    }
    session.dateUpdated = new Date();
    ctx.logger.info({ session: session.referenceNumber, code: session.status.code, invoices: invoices.length, accepted: accepted.length }, 'session finalised');
  }
}

export function closeOnlineSession(ctx: SimulatorContext, session: Session): void {
  session.status = sessionStatus(170);
  session.dateUpdated = new Date();
  // an empty or already-processed session has nothing to wait for
  ctx.schedule(() => finalizeSessionsIfSettled(ctx), ctx.options.processingDelayMs);
}

function failBatch(ctx: SimulatorContext, session: Session, code: number, detail: string): void {
  session.status = sessionStatus(code, [detail]);
  session.dateUpdated = new Date();
  ctx.logger.info({ session: session.referenceNumber, code, detail }, 'batch session failed');
}

/** Runs after POST /sessions/batch/{ref}/close: verify, decrypt and unpack the parts, then queue each invoice. */
export function processClosedBatch(ctx: SimulatorContext, session: Session): void {
  const batch = session.batch;
  if (!batch) return;
  session.status = sessionStatus(150);
  session.dateUpdated = new Date();
  ctx.schedule(() => {
    if (ctx.state.sessions.get(session.referenceNumber) !== session || isFinalSessionCode(session.status.code)) return;
    if (!session.symmetricKey) return failBatch(ctx, session, 415, 'Nie udało się odszyfrować klucza symetrycznego.');
    const plainParts: Buffer[] = [];
    for (const declared of [...batch.declaredParts].sort((a, b) => a.ordinalNumber - b.ordinalNumber)) {
      const encrypted = batch.uploadedParts.get(declared.ordinalNumber);
      if (!encrypted) return failBatch(ctx, session, 405, `Brak części ${declared.ordinalNumber}.`);
      if (sha256Base64(encrypted) !== declared.fileHash) {
        return failBatch(ctx, session, 405, `Skrót części ${declared.ordinalNumber} nie zgadza się z zadeklarowanym.`);
      }
      try {
        plainParts.push(decryptInvoiceContent(session.symmetricKey, session.initializationVector, encrypted));
      } catch {
        return failBatch(ctx, session, 435, `Nie udało się odszyfrować części ${declared.ordinalNumber}.`);
      }
    }
    const archive = Buffer.concat(plainParts);
    if (archive.length !== batch.declaredFileSize || sha256Base64(archive) !== batch.declaredFileHash) {
      return failBatch(ctx, session, 405, 'Rozmiar lub skrót archiwum nie zgadza się z zadeklarowanym (batchFile.fileSize/fileHash).');
    }
    let files: Record<string, Uint8Array>;
    try {
      files = unzipSync(new Uint8Array(archive));
    } catch {
      return failBatch(ctx, session, 430, 'Nie udało się rozpakować archiwum ZIP.');
    }
    const entries = Object.entries(files).filter(([name]) => !name.endsWith('/'));
    if (entries.length > ctx.options.maxInvoicesPerSession) {
      return failBatch(ctx, session, 420, `Archiwum zawiera ${entries.length} faktur, limit sesji to ${ctx.options.maxInvoicesPerSession}.`);
    }
    for (const [name, bytes] of entries) {
      const content = Buffer.from(bytes);
      const invoice = newInvoiceRecord(session, {
        invoiceHash: sha256Base64(content),
        invoiceSize: content.length,
        content,
        offlineMode: batch.offlineMode,
        hashOfCorrectedInvoice: null,
        invoiceFileName: name.slice(0, 128),
        // facts §4: in a batch every invoice is "received" at session open
        invoicingDate: session.dateCreated,
      });
      ctx.state.invoices.set(invoice.referenceNumber, invoice);
      session.invoiceReferences.push(invoice.referenceNumber);
      ctx.processor.enqueue(invoice);
    }
    batch.unpacked = true;
    if (entries.length === 0) finalizeSessionsIfSettled(ctx);
  }, 0);
}

import { Router, raw } from 'express';
import { z } from 'zod';
import type { SimulatorContext } from '../context';
import { decryptInvoiceContent, hmacBase64Url, rsaOaepDecrypt, safeEqual, sha256Base64 } from '../crypto';
import { ExceptionCode, KsefError } from '../errors';
import { claimsOf, parseBody, publicBaseUrl, requireBearer } from '../http';
import { newReferenceNumber } from '../numbering';
import { closeOnlineSession, newInvoiceRecord, processClosedBatch } from '../session-lifecycle';
import { sessionStatus, type FormCode, type Session } from '../state';
import { findKey } from './auth';

const SESSION_LIFETIME_MS = 12 * 3_600_000;
const UPLOAD_WINDOW_PER_PART_MS = 20 * 60_000;
const sha256Base64Schema = z.string().length(44);

const formCodeSchema = z.object({ systemCode: z.string(), schemaVersion: z.string(), value: z.string() });
const encryptionSchema = z.object({
  encryptedSymmetricKey: z.string().min(1),
  initializationVector: z.string().min(1),
  publicKeyId: z.string().length(44).nullish(),
});
const openOnlineSchema = z.object({ formCode: formCodeSchema, encryption: encryptionSchema });
const openBatchSchema = z.object({
  formCode: formCodeSchema,
  encryption: encryptionSchema,
  offlineMode: z.boolean().optional(),
  batchFile: z.object({
    fileSize: z.number().int().min(1).max(5_000_000_000),
    fileHash: sha256Base64Schema,
    compressionType: z.enum(['Zip', 'TarGz']).nullish(),
    fileParts: z
      .array(z.object({ ordinalNumber: z.number().int().min(1), fileSize: z.number().int().min(1), fileHash: sha256Base64Schema }))
      .min(1),
  }),
});
const sendInvoiceSchema = z.object({
  invoiceHash: sha256Base64Schema,
  invoiceSize: z.number().int().min(1),
  encryptedInvoiceHash: sha256Base64Schema,
  encryptedInvoiceSize: z.number().int().min(1),
  encryptedInvoiceContent: z.string().min(1),
  offlineMode: z.boolean().optional(),
  hashOfCorrectedInvoice: sha256Base64Schema.nullish(),
});

/** The simulator validates only FA(3); other forms are real KSeF forms it cannot check. */
function requireFa3(formCode: FormCode): void {
  if (formCode.systemCode !== 'FA (3)' || formCode.schemaVersion !== '1-0E' || formCode.value !== 'FA') {
    throw new KsefError(ExceptionCode.validation, 'Błąd walidacji danych wejściowych.', [
      `Nieobsługiwany kod formularza ${formCode.systemCode}/${formCode.schemaVersion}/${formCode.value}; symulator obsługuje FA (3)/1-0E/FA.`,
    ]);
  }
}

function unwrapSessionKey(ctx: SimulatorContext, encryption: z.infer<typeof encryptionSchema>): { key: Buffer | null; iv: Buffer } {
  const rsaKey = findKey(ctx, 'SymmetricKeyEncryption', encryption.publicKeyId);
  const iv = Buffer.from(encryption.initializationVector, 'base64');
  if (iv.length !== 16) throw new KsefError(ExceptionCode.validation, 'Błąd walidacji danych wejściowych.', ['initializationVector musi mieć 16 bajtów.']);
  try {
    const key = rsaOaepDecrypt(rsaKey, Buffer.from(encryption.encryptedSymmetricKey, 'base64'));
    return { key: key.length === 32 ? key : null, iv };
  } catch {
    return { key: null, iv };
  }
}

export function ownedSession(ctx: SimulatorContext, referenceNumber: string, contextNip: string): Session {
  const session = ctx.state.sessions.get(referenceNumber);
  // another context's session is indistinguishable from a missing one, as in KSeF
  if (!session || session.contextNip !== contextNip) {
    throw new KsefError(ExceptionCode.sessionNotFound, 'Nie znaleziono sesji.', [`Sesja o numerze referencyjnym ${referenceNumber} nie została odnaleziona.`]);
  }
  return session;
}

function requireOpen(session: Session): void {
  const expired = Date.now() > session.validUntil.getTime();
  if (session.status.code !== 100 || expired) {
    throw new KsefError(ExceptionCode.sessionStatusForbids, 'Status sesji nie pozwala na wykonanie operacji.', [
      `Sesja ${session.referenceNumber} ma status ${session.status.code}${expired ? ' (wygasła)' : ''}.`,
    ]);
  }
}

function newSession(ctx: SimulatorContext, kind: Session['kind'], claims: ReturnType<typeof claimsOf>, formCode: FormCode, key: Buffer | null, iv: Buffer): Session {
  const now = new Date();
  const op = ctx.state.authOperations.get(claims.authReferenceNumber);
  return {
    referenceNumber: newReferenceNumber(kind === 'Online' ? 'SO' : 'SB', now),
    kind,
    contextNip: claims.contextNip,
    authReferenceNumber: claims.authReferenceNumber,
    ksefTokenReference: op?.ksefTokenReference || newReferenceNumber('EC'),
    authenticationDocumentHash: op?.certificate?.documentHash,
    formCode,
    symmetricKey: key,
    initializationVector: iv,
    status: key ? sessionStatus(100) : sessionStatus(415, ['Nie udało się odszyfrować klucza symetrycznego.']),
    dateCreated: now,
    dateUpdated: now,
    validUntil: new Date(now.getTime() + SESSION_LIFETIME_MS),
    invoiceReferences: [],
    upoPages: [],
  };
}

/**
 * A wrong key fails the PKCS#7 padding check most of the time, but ~1/256 of wrong keys pass it
 * and yield garbage; garbage that does not even start like XML is a decryption failure too, so
 * the outcome (435) does not depend on luck.
 */
function decryptOrNull(key: Buffer, iv: Buffer, encrypted: Buffer): Buffer | null {
  try {
    const plain = decryptInvoiceContent(key, iv, encrypted);
    const start = plain.subarray(0, 64).toString('latin1').replace(/^\xEF\xBB\xBF/, '').trimStart();
    return start.startsWith('<') ? plain : null;
  } catch {
    return null;
  }
}

function uploadSignature(ctx: SimulatorContext, sessionRef: string, ordinal: number, expires: number): string {
  return hmacBase64Url(ctx.state.keys.hmacSecret, `upload|${sessionRef}|${ordinal}|${expires}`);
}

export function sessionRoutes(ctx: SimulatorContext): Router {
  const router = Router();
  const access = requireBearer(ctx, 'access');

  router.post('/sessions/online', access, (req, res) => {
    const body = parseBody(openOnlineSchema, req.body);
    requireFa3(body.formCode);
    const { key, iv } = unwrapSessionKey(ctx, body.encryption);
    const session = newSession(ctx, 'Online', claimsOf(res), body.formCode, key, iv);
    ctx.state.sessions.set(session.referenceNumber, session);
    ctx.logger.info({ session: session.referenceNumber, nip: session.contextNip, status: session.status.code }, 'online session opened');
    res.status(201).json({ referenceNumber: session.referenceNumber, validUntil: session.validUntil.toISOString() });
  });

  router.post('/sessions/online/:referenceNumber/invoices', access, (req, res) => {
    const session = ownedSession(ctx, String(req.params.referenceNumber), claimsOf(res).contextNip);
    if (session.kind !== 'Online') throw new KsefError(ExceptionCode.sessionNotFound, 'Nie znaleziono sesji.', ['To nie jest sesja interaktywna.']);
    const body = parseBody(sendInvoiceSchema, req.body);
    requireOpen(session);
    if (session.invoiceReferences.length >= ctx.options.maxInvoicesPerSession) {
      throw new KsefError(ExceptionCode.sessionInvoiceLimit, 'Przekroczono dozwoloną liczbę faktur w sesji.', [
        `Sesja o numerze referencyjnym ${session.referenceNumber} osiągnęła dozwolony limit liczby faktur ${ctx.options.maxInvoicesPerSession}.`,
      ]);
    }
    const encrypted = Buffer.from(body.encryptedInvoiceContent, 'base64');
    if (encrypted.length !== body.encryptedInvoiceSize) {
      throw new KsefError(ExceptionCode.sizeMismatch, 'Nieprawidłowy rozmiar faktury.', [`encryptedInvoiceSize ${body.encryptedInvoiceSize} ≠ ${encrypted.length}.`]);
    }
    if (sha256Base64(encrypted) !== body.encryptedInvoiceHash) {
      throw new KsefError(ExceptionCode.hashMismatch, 'Nieprawidłowy skrót faktury.', ['encryptedInvoiceHash nie zgadza się z zaszyfrowaną treścią.']);
    }
    // a decryption failure is reported asynchronously as invoice status 435, like KSeF
    const content = decryptOrNull(session.symmetricKey as Buffer, session.initializationVector, encrypted);
    if (content) {
      if (content.length !== body.invoiceSize) {
        throw new KsefError(ExceptionCode.sizeMismatch, 'Nieprawidłowy rozmiar faktury.', [`invoiceSize ${body.invoiceSize} ≠ ${content.length}.`]);
      }
      if (sha256Base64(content) !== body.invoiceHash) {
        throw new KsefError(ExceptionCode.hashMismatch, 'Nieprawidłowy skrót faktury.', ['invoiceHash nie zgadza się z odszyfrowaną treścią.']);
      }
    }
    const invoice = newInvoiceRecord(session, {
      invoiceHash: body.invoiceHash,
      invoiceSize: body.invoiceSize,
      content,
      offlineMode: body.offlineMode ?? false,
      hashOfCorrectedInvoice: body.hashOfCorrectedInvoice ?? null,
      invoiceFileName: null,
      invoicingDate: new Date(),
    });
    ctx.state.invoices.set(invoice.referenceNumber, invoice);
    session.invoiceReferences.push(invoice.referenceNumber);
    session.dateUpdated = new Date();
    ctx.processor.enqueue(invoice);
    res.status(202).json({ referenceNumber: invoice.referenceNumber });
  });

  router.post('/sessions/online/:referenceNumber/close', access, (req, res) => {
    const session = ownedSession(ctx, String(req.params.referenceNumber), claimsOf(res).contextNip);
    if (session.kind !== 'Online') throw new KsefError(ExceptionCode.sessionNotFound, 'Nie znaleziono sesji.', ['To nie jest sesja interaktywna.']);
    requireOpen(session);
    closeOnlineSession(ctx, session);
    res.status(204).end();
  });

  router.post('/sessions/batch', access, (req, res) => {
    const body = parseBody(openBatchSchema, req.body);
    requireFa3(body.formCode);
    const parts = body.batchFile.fileParts;
    if (parts.length > ctx.options.maxBatchParts) {
      throw new KsefError(ExceptionCode.tooManyParts, 'Przekroczono dozwoloną liczbę części pliku.', [`Zadeklarowano ${parts.length} części, limit ${ctx.options.maxBatchParts}.`]);
    }
    const ordinals = parts.map((p) => p.ordinalNumber).sort((a, b) => a - b);
    if (ordinals.some((n, i) => n !== i + 1)) {
      throw new KsefError(ExceptionCode.validation, 'Błąd walidacji danych wejściowych.', ['Numery części muszą być kolejnymi liczbami od 1.']);
    }
    if ((body.batchFile.compressionType ?? 'Zip') !== 'Zip') {
      throw new KsefError(ExceptionCode.validation, 'Błąd walidacji danych wejściowych.', ['Symulator obsługuje wyłącznie archiwa Zip.']);
    }
    const { key, iv } = unwrapSessionKey(ctx, body.encryption);
    const session = newSession(ctx, 'Batch', claimsOf(res), body.formCode, key, iv);
    const uploadDeadline = new Date(session.dateCreated.getTime() + UPLOAD_WINDOW_PER_PART_MS * parts.length);
    session.batch = {
      declaredFileSize: body.batchFile.fileSize,
      declaredFileHash: body.batchFile.fileHash,
      declaredParts: parts,
      uploadedParts: new Map(),
      uploadDeadline,
      offlineMode: body.offlineMode ?? false,
    };
    ctx.state.sessions.set(session.referenceNumber, session);
    const base = publicBaseUrl(ctx, req);
    const expires = uploadDeadline.getTime();
    res.status(201).json({
      referenceNumber: session.referenceNumber,
      partUploadRequests: parts.map((part) => ({
        ordinalNumber: part.ordinalNumber,
        method: 'PUT',
        url: `${base}/upload/${session.referenceNumber}/${part.ordinalNumber}?expires=${expires}&sig=${uploadSignature(ctx, session.referenceNumber, part.ordinalNumber, expires)}`,
        headers: { 'x-ms-blob-type': 'BlockBlob', 'Content-Type': 'application/octet-stream' },
      })),
    });
  });

  router.post('/sessions/batch/:referenceNumber/close', access, (req, res) => {
    const session = ownedSession(ctx, String(req.params.referenceNumber), claimsOf(res).contextNip);
    if (!session.batch) throw new KsefError(ExceptionCode.sessionNotFound, 'Nie znaleziono sesji.', ['To nie jest sesja wsadowa.']);
    requireOpen(session);
    const missing = session.batch.declaredParts.filter((p) => !session.batch?.uploadedParts.has(p.ordinalNumber));
    if (missing.length > 0) {
      throw new KsefError(ExceptionCode.partNotUploaded, 'Nie przesłano zadeklarowanej części pliku.', missing.map((p) => `Część ${p.ordinalNumber} nie została przesłana.`));
    }
    for (const declared of session.batch.declaredParts) {
      const uploaded = session.batch.uploadedParts.get(declared.ordinalNumber) as Buffer;
      if (uploaded.length !== declared.fileSize) {
        throw new KsefError(ExceptionCode.partSizeMismatch, 'Nieprawidłowy rozmiar części pliku.', [`Część ${declared.ordinalNumber}: zadeklarowano ${declared.fileSize} B, przesłano ${uploaded.length} B.`]);
      }
    }
    processClosedBatch(ctx, session);
    res.status(204).end();
  });

  return router;
}

/** Pre-signed part upload, outside /v2 like KSeF's blob storage: no bearer, no rate limit. */
export function uploadRoutes(ctx: SimulatorContext): Router {
  const router = Router();
  router.put('/upload/:referenceNumber/:ordinal', raw({ type: () => true, limit: '110mb' }), (req, res) => {
    const sessionRef = String(req.params.referenceNumber);
    const ordinal = Number(req.params.ordinal);
    const expires = Number(req.query.expires);
    const signature = String(req.query.sig ?? '');
    const session = ctx.state.sessions.get(sessionRef);
    if (!session?.batch || !safeEqual(signature, uploadSignature(ctx, sessionRef, ordinal, expires))) {
      res.status(401).type('text/plain').send('Invalid upload signature');
      return;
    }
    if (Date.now() > expires || session.status.code !== 100) {
      res.status(403).type('text/plain').send('Upload window expired or session is no longer accepting parts');
      return;
    }
    if (!session.batch.declaredParts.some((p) => p.ordinalNumber === ordinal)) {
      res.status(400).type('text/plain').send(`Part ${ordinal} was not declared`);
      return;
    }
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    session.batch.uploadedParts.set(ordinal, body);
    res.status(201).end();
  });
  return router;
}

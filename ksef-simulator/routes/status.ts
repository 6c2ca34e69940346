import { Router, type Request, type Response } from 'express';
import type { SimulatorContext } from '../context';
import { hmacBase64Url, safeEqual, sha256Base64 } from '../crypto';
import { ExceptionCode, KsefError } from '../errors';
import { claimsOf, publicBaseUrl, requireBearer } from '../http';
import { sessionInvoices } from '../session-lifecycle';
import { isFinalSessionCode, type InvoiceRecord, type Session } from '../state';
import { buildUpo } from '../upo';
import { ownedSession } from './sessions';

const DOWNLOAD_URL_LIFETIME_MS = 60 * 60_000;

function signedUrl(ctx: SimulatorContext, req: Request, target: string): { url: string; expires: Date } {
  const expires = Date.now() + DOWNLOAD_URL_LIFETIME_MS;
  const sig = hmacBase64Url(ctx.state.keys.hmacSecret, `upo|${target}|${expires}`);
  return { url: `${publicBaseUrl(ctx, req)}/upo-download/${target}?expires=${expires}&sig=${sig}`, expires: new Date(expires) };
}

function invoiceStatusBody(ctx: SimulatorContext, req: Request, invoice: InvoiceRecord) {
  // a fresh pre-signed URL on every status call, as KSeF does
  const upo = invoice.status.code === 200 ? signedUrl(ctx, req, `invoice/${invoice.referenceNumber}`) : null;
  return {
    ordinalNumber: invoice.ordinalNumber,
    invoiceNumber: invoice.facts?.invoiceNumber ?? null,
    ksefNumber: invoice.ksefNumber,
    referenceNumber: invoice.referenceNumber,
    invoiceHash: invoice.invoiceHash,
    invoiceFileName: invoice.invoiceFileName,
    acquisitionDate: invoice.acquisitionDate?.toISOString() ?? null,
    invoicingDate: invoice.invoicingDate.toISOString(),
    permanentStorageDate: invoice.permanentStorageDate?.toISOString() ?? null,
    upoDownloadUrl: upo?.url ?? null,
    upoDownloadUrlExpirationDate: upo?.expires.toISOString() ?? null,
    invoicingMode: invoice.invoicingMode,
    status: invoice.status,
  };
}

function sessionStatusBody(ctx: SimulatorContext, req: Request, session: Session) {
  const invoices = sessionInvoices(ctx, session);
  const final = isFinalSessionCode(session.status.code);
  return {
    status: session.status,
    dateCreated: session.dateCreated.toISOString(),
    dateUpdated: session.dateUpdated.toISOString(),
    validUntil: session.validUntil.toISOString(),
    upo:
      final && session.upoPages.length > 0
        ? {
            pages: session.upoPages.map((page) => {
              const link = signedUrl(ctx, req, `session/${session.referenceNumber}/${page.referenceNumber}`);
              return { referenceNumber: page.referenceNumber, downloadUrl: link.url, downloadUrlExpirationDate: link.expires.toISOString() };
            }),
          }
        : null,
    invoiceCount: invoices.length,
    successfulInvoiceCount: invoices.filter((i) => i.status.code === 200).length,
    failedInvoiceCount: invoices.filter((i) => i.status.code >= 400).length,
  };
}

function pageSizeOf(req: Request, min: number, max: number, fallback: number): number {
  const raw = req.query.pageSize;
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new KsefError(ExceptionCode.validation, 'Błąd walidacji danych wejściowych.', [`pageSize musi być liczbą z zakresu ${min}-${max}.`]);
  }
  return value;
}

/** Continuation tokens are opaque in KSeF; here they are just the base64 offset. */
function offsetOf(req: Request): number {
  const token = req.get('x-continuation-token');
  if (!token) return 0;
  const offset = Number(Buffer.from(token, 'base64').toString('utf8'));
  if (!Number.isInteger(offset) || offset < 0) throw new KsefError(ExceptionCode.badContinuationToken, 'Nieprawidłowy token kontynuacji.', []);
  return offset;
}

function page<T>(items: T[], req: Request, fallbackSize: number): { continuationToken: string | null; items: T[] } {
  const size = pageSizeOf(req, 10, 1000, fallbackSize);
  const offset = offsetOf(req);
  const next = offset + size;
  return { items: items.slice(offset, next), continuationToken: next < items.length ? Buffer.from(String(next)).toString('base64') : null };
}

function invoiceUpo(session: Session, invoice: InvoiceRecord | undefined): string {
  if (!invoice || invoice.sessionReferenceNumber !== session.referenceNumber || invoice.status.code !== 200) {
    throw new KsefError(ExceptionCode.upoNotFound, 'Nie znaleziono UPO.', ['UPO dla wskazanej faktury nie istnieje (faktura nie została przyjęta).']);
  }
  return buildUpo(session, [invoice]);
}

/** `upoIssuerName` serves UPOs the way KSeF names itself in them (environment suffix, outside the XSD). */
function sendXml(ctx: SimulatorContext, res: Response, xml: string): void {
  const body = ctx.options.upoIssuerName ? xml.replace(UPO_ISSUER, `<NazwaPodmiotuPrzyjmujacego>${escapeXmlText(ctx.options.upoIssuerName)}</NazwaPodmiotuPrzyjmujacego>`) : xml;
  res.setHeader('x-ms-meta-hash', sha256Base64(Buffer.from(body, 'utf8')));
  res.type('application/xml').send(body);
}

const UPO_ISSUER = '<NazwaPodmiotuPrzyjmujacego>Ministerstwo Finansów</NazwaPodmiotuPrzyjmujacego>';
const escapeXmlText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function statusRoutes(ctx: SimulatorContext): Router {
  const router = Router();
  const access = requireBearer(ctx, 'access');
  const owned = (req: Request, res: Response) => ownedSession(ctx, String(req.params.referenceNumber), claimsOf(res).contextNip);

  router.get('/sessions', access, (req, res) => {
    const type = req.query.sessionType;
    if (type !== 'Online' && type !== 'Batch') throw new KsefError(ExceptionCode.validation, 'Błąd walidacji danych wejściowych.', ['sessionType jest wymagany (Online|Batch).']);
    const nip = claimsOf(res).contextNip;
    const sessions = [...ctx.state.sessions.values()].filter((s) => s.contextNip === nip && s.kind === type);
    const { items, continuationToken } = page(sessions, req, 10);
    res.json({
      continuationToken,
      sessions: items.map((s) => {
        const body = sessionStatusBody(ctx, req, s);
        return {
          referenceNumber: s.referenceNumber,
          status: body.status,
          dateCreated: body.dateCreated,
          dateUpdated: body.dateUpdated,
          validUntil: body.validUntil,
          totalInvoiceCount: body.invoiceCount,
          successfulInvoiceCount: body.successfulInvoiceCount,
          failedInvoiceCount: body.failedInvoiceCount,
        };
      }),
    });
  });

  router.get('/sessions/:referenceNumber', access, (req, res) => {
    res.json(sessionStatusBody(ctx, req, owned(req, res)));
  });

  router.get('/sessions/:referenceNumber/invoices', access, (req, res) => {
    const invoices = sessionInvoices(ctx, owned(req, res));
    const { items, continuationToken } = page(invoices, req, 10);
    res.json({ continuationToken, invoices: items.map((i) => invoiceStatusBody(ctx, req, i)) });
  });

  router.get('/sessions/:referenceNumber/invoices/failed', access, (req, res) => {
    const invoices = sessionInvoices(ctx, owned(req, res)).filter((i) => i.status.code >= 400);
    const { items, continuationToken } = page(invoices, req, 10);
    res.json({ continuationToken, invoices: items.map((i) => invoiceStatusBody(ctx, req, i)) });
  });

  router.get('/sessions/:referenceNumber/invoices/ksef/:ksefNumber/upo', access, (req, res) => {
    const session = owned(req, res);
    sendXml(ctx, res, invoiceUpo(session, ctx.state.byKsefNumber.get(String(req.params.ksefNumber))));
  });

  router.get('/sessions/:referenceNumber/invoices/:invoiceReferenceNumber/upo', access, (req, res) => {
    const session = owned(req, res);
    sendXml(ctx, res, invoiceUpo(session, ctx.state.invoices.get(String(req.params.invoiceReferenceNumber))));
  });

  router.get('/sessions/:referenceNumber/invoices/:invoiceReferenceNumber', access, (req, res) => {
    const session = owned(req, res);
    const invoice = ctx.state.invoices.get(String(req.params.invoiceReferenceNumber));
    if (!invoice || invoice.sessionReferenceNumber !== session.referenceNumber) {
      throw new KsefError(ExceptionCode.validation, 'Błąd walidacji danych wejściowych.', [`Faktura o numerze referencyjnym ${req.params.invoiceReferenceNumber} nie istnieje w sesji.`]);
    }
    res.json(invoiceStatusBody(ctx, req, invoice));
  });

  router.get('/sessions/:referenceNumber/upo/:upoReferenceNumber', access, (req, res) => {
    const session = owned(req, res);
    const upoPage = session.upoPages.find((p) => p.referenceNumber === req.params.upoReferenceNumber);
    if (!upoPage) throw new KsefError(ExceptionCode.upoNotFound, 'Nie znaleziono UPO.', [`UPO ${req.params.upoReferenceNumber} nie istnieje.`]);
    sendXml(ctx, res, upoPage.xml);
  });

  return router;
}

/** Targets of upoDownloadUrl: pre-signed, no bearer, not rate-limited (outside /v2). */
export function upoDownloadRoutes(ctx: SimulatorContext): Router {
  const router = Router();
  router.get(/^\/upo-download\/(.+)$/, (req, res) => {
    const target = String((req.params as Record<string, string>)[0]);
    const expires = Number(req.query.expires);
    const expected = hmacBase64Url(ctx.state.keys.hmacSecret, `upo|${target}|${expires}`);
    if (!safeEqual(String(req.query.sig ?? ''), expected) || Date.now() > expires) {
      res.status(403).type('text/plain').send('Link expired or signature invalid');
      return;
    }
    const [kind, first, second] = target.split('/');
    if (kind === 'invoice') {
      const invoice = ctx.state.invoices.get(first);
      const session = invoice && ctx.state.sessions.get(invoice.sessionReferenceNumber);
      if (!invoice || !session || invoice.status.code !== 200) return void res.status(404).type('text/plain').send('UPO not found');
      return sendXml(ctx, res, buildUpo(session, [invoice]));
    }
    const upoPage = ctx.state.sessions.get(first)?.upoPages.find((p) => p.referenceNumber === second);
    if (!upoPage) return void res.status(404).type('text/plain').send('UPO not found');
    sendXml(ctx, res, upoPage.xml);
  });
  return router;
}

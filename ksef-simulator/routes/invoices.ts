import { Router } from 'express';
import { z } from 'zod';
import type { SimulatorContext } from '../context';
import { ExceptionCode, KsefError } from '../errors';
import { claimsOf, parseBody, requireBearer } from '../http';
import { INVOICE_TYPE_BY_KIND } from '../invoice-facts';
import type { InvoiceRecord } from '../state';

const MAX_RANGE_MS = 92 * 24 * 3_600_000; // "3 months"; KSeF does not say how it counts them

const dateTime = z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'niepoprawna data');
const queryFilters = z.object({
  subjectType: z.enum(['Subject1', 'Subject2', 'Subject3', 'SubjectAuthorized']),
  dateRange: z.object({
    dateType: z.enum(['Issue', 'Invoicing', 'PermanentStorage']),
    from: dateTime,
    to: dateTime.nullish(),
    restrictToPermanentStorageHwmDate: z.boolean().nullish(),
  }),
  ksefNumber: z.string().nullish(),
  invoiceNumber: z.string().nullish(),
  amount: z.object({ type: z.enum(['Brutto', 'Netto', 'Vat']), from: z.number().nullish(), to: z.number().nullish() }).nullish(),
  sellerNip: z.string().nullish(),
  buyerIdentifier: z.object({ type: z.enum(['Nip', 'VatUe', 'Other', 'None']), value: z.string().nullish() }).nullish(),
  currencyCodes: z.array(z.string()).nullish(),
  invoicingMode: z.enum(['Online', 'Offline']).nullish(),
  isSelfInvoicing: z.boolean().nullish(),
  formType: z.enum(['FA', 'PEF', 'FA_RR']).nullish(),
  invoiceTypes: z.array(z.string()).nullish(),
  hasAttachment: z.boolean().nullish(),
});
type QueryFilters = z.infer<typeof queryFilters>;

/** KSeF interprets a date-time without offset as Europe/Warsaw; approximated with the current offset. */
function parseQueryDate(value: string): number {
  if (/[zZ]|[+-]\d\d:?\d\d$/.test(value)) return Date.parse(value);
  const asUtc = Date.parse(`${value}Z`);
  const warsawNoon = new Date(asUtc).toLocaleString('en-US', { timeZone: 'Europe/Warsaw', hour12: false });
  const offsetMs = Date.parse(`${warsawNoon} UTC`) - Math.floor(asUtc / 1000) * 1000;
  return asUtc - offsetMs;
}

function visibleTo(invoice: InvoiceRecord, subjectType: QueryFilters['subjectType'], nip: string): boolean {
  const facts = invoice.facts;
  if (!facts) return false;
  switch (subjectType) {
    case 'Subject1':
      return facts.sellerNip === nip;
    case 'Subject2':
      return facts.buyer.type === 'Nip' && facts.buyer.value === nip;
    case 'Subject3':
      return facts.thirdPartyNips.includes(nip);
    case 'SubjectAuthorized':
      return facts.authorizedSubjectNip === nip;
  }
}

function dateOf(invoice: InvoiceRecord, dateType: QueryFilters['dateRange']['dateType']): number {
  if (dateType === 'Issue') return Date.parse(`${invoice.facts?.issueDate}T00:00:00Z`);
  if (dateType === 'Invoicing') return invoice.invoicingDate.getTime();
  return (invoice.permanentStorageDate ?? invoice.invoicingDate).getTime();
}

function matches(invoice: InvoiceRecord, f: QueryFilters, from: number, to: number): boolean {
  const facts = invoice.facts;
  if (!facts) return false;
  const at = dateOf(invoice, f.dateRange.dateType);
  if (at < from || at > to) return false;
  if (f.ksefNumber && invoice.ksefNumber !== f.ksefNumber) return false;
  if (f.invoiceNumber && facts.invoiceNumber !== f.invoiceNumber) return false;
  if (f.sellerNip && facts.sellerNip !== f.sellerNip) return false;
  if (f.buyerIdentifier && (facts.buyer.type !== f.buyerIdentifier.type || (f.buyerIdentifier.value && facts.buyer.value !== f.buyerIdentifier.value))) return false;
  if (f.currencyCodes?.length && !f.currencyCodes.includes(facts.currency)) return false;
  if (f.invoicingMode && invoice.invoicingMode !== f.invoicingMode) return false;
  if (f.isSelfInvoicing !== null && f.isSelfInvoicing !== undefined && facts.isSelfInvoicing !== f.isSelfInvoicing) return false;
  if (f.formType && f.formType !== 'FA') return false;
  if (f.invoiceTypes?.length && !f.invoiceTypes.includes(INVOICE_TYPE_BY_KIND[facts.invoiceType] ?? facts.invoiceType)) return false;
  if (f.hasAttachment !== null && f.hasAttachment !== undefined && facts.hasAttachment !== f.hasAttachment) return false;
  if (f.amount) {
    const value = f.amount.type === 'Brutto' ? facts.grossAmount : f.amount.type === 'Netto' ? facts.netAmount : facts.vatAmount;
    if (f.amount.from !== null && f.amount.from !== undefined && value < f.amount.from) return false;
    if (f.amount.to !== null && f.amount.to !== undefined && value > f.amount.to) return false;
  }
  return true;
}

function metadataOf(invoice: InvoiceRecord) {
  const facts = invoice.facts!;
  return {
    ksefNumber: invoice.ksefNumber,
    invoiceNumber: facts.invoiceNumber,
    issueDate: facts.issueDate,
    invoicingDate: invoice.invoicingDate.toISOString(),
    acquisitionDate: invoice.acquisitionDate!.toISOString(),
    permanentStorageDate: (invoice.permanentStorageDate ?? invoice.acquisitionDate!).toISOString(),
    seller: { nip: facts.sellerNip, name: facts.sellerName },
    buyer: { identifier: { type: facts.buyer.type, value: facts.buyer.value }, name: facts.buyer.name },
    netAmount: facts.netAmount,
    grossAmount: facts.grossAmount,
    vatAmount: facts.vatAmount,
    currency: facts.currency,
    invoicingMode: invoice.invoicingMode,
    invoiceType: INVOICE_TYPE_BY_KIND[facts.invoiceType] ?? facts.invoiceType,
    formCode: { systemCode: 'FA (3)', schemaVersion: '1-0E', value: 'FA' },
    isSelfInvoicing: facts.isSelfInvoicing,
    hasAttachment: facts.hasAttachment,
    invoiceHash: invoice.invoiceHash,
    hashOfCorrectedInvoice: invoice.hashOfCorrectedInvoice,
  };
}

function canSee(invoice: InvoiceRecord, nip: string): boolean {
  return (['Subject1', 'Subject2', 'Subject3', 'SubjectAuthorized'] as const).some((s) => visibleTo(invoice, s, nip));
}

export function invoiceRoutes(ctx: SimulatorContext): Router {
  const router = Router();
  const access = requireBearer(ctx, 'access');

  router.post('/invoices/query/metadata', access, (req, res) => {
    const filters = parseBody(queryFilters, req.body);
    const sortOrder = req.query.sortOrder ?? 'Asc';
    const pageOffset = Number(req.query.pageOffset ?? 0);
    const pageSize = Number(req.query.pageSize ?? 10);
    if ((sortOrder !== 'Asc' && sortOrder !== 'Desc') || !Number.isInteger(pageOffset) || pageOffset < 0 || !Number.isInteger(pageSize) || pageSize < 10 || pageSize > 250) {
      throw new KsefError(ExceptionCode.validation, 'Błąd walidacji danych wejściowych.', ['sortOrder Asc|Desc, pageOffset ≥ 0, pageSize 10–250.']);
    }
    const hwm = new Date();
    const from = parseQueryDate(filters.dateRange.from);
    let to = filters.dateRange.to ? parseQueryDate(filters.dateRange.to) : hwm.getTime();
    if (filters.dateRange.restrictToPermanentStorageHwmDate) to = Math.min(to, hwm.getTime());
    if (to < from || to - from > MAX_RANGE_MS) {
      throw new KsefError(ExceptionCode.queryError, 'Nieprawidłowy zakres dat.', ['Zakres dat nie może przekraczać 3 miesięcy, a data "to" musi być późniejsza niż "from".']);
    }
    const nip = claimsOf(res).contextNip;
    const dateType = filters.dateRange.dateType;
    const found = [...ctx.state.invoices.values()]
      .filter((i) => i.status.code === 200 && visibleTo(i, filters.subjectType, nip) && matches(i, filters, from, to))
      .sort((a, b) => (dateOf(a, dateType) - dateOf(b, dateType)) * (sortOrder === 'Asc' ? 1 : -1));
    const isTruncated = found.length > ctx.options.maxQueryResults;
    const capped = found.slice(0, ctx.options.maxQueryResults);
    const start = pageOffset * pageSize;
    res.json({
      hasMore: start + pageSize < capped.length,
      isTruncated,
      permanentStorageHwmDate: hwm.toISOString(),
      invoices: capped.slice(start, start + pageSize).map(metadataOf),
    });
  });

  router.get('/invoices/ksef/:ksefNumber', access, (req, res) => {
    const invoice = ctx.state.byKsefNumber.get(String(req.params.ksefNumber));
    if (!invoice?.content || !canSee(invoice, claimsOf(res).contextNip)) {
      throw new KsefError(ExceptionCode.invoiceNotFound, 'Faktura o podanym numerze KSeF nie została odnaleziona.', [`Numer KSeF: ${req.params.ksefNumber}`]);
    }
    res.setHeader('x-ms-meta-hash', invoice.invoiceHash);
    res.type('application/xml').send(invoice.content);
  });

  return router;
}

import type { InvoiceRecord, Session } from './state';

export const UPO_NAMESPACE = 'http://upo.schematy.mf.gov.pl/KSeF/v4-3';

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

// Built once: a formatter per UPO line was measurable in the bench profile.
const WARSAW_DATE_TIME = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Warsaw',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** UPO dates are local Polish time with offset, like the MF examples (2025-09-16T11:05:40.841+02:00). */
function warsawDateTime(at: Date): string {
  const parts = Object.fromEntries(WARSAW_DATE_TIME.formatToParts(at).map((p) => [p.type, p.value]));
  const local = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
  const offsetMinutes = Math.round((local - Math.floor(at.getTime() / 1000) * 1000) / 60000);
  const sign = offsetMinutes >= 0 ? '+' : '-';
  const abs = Math.abs(offsetMinutes);
  const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  const ms = String(at.getUTCMilliseconds()).padStart(3, '0');
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}.${ms}${offset}`;
}

function documentEntry(invoice: InvoiceRecord): string {
  const facts = invoice.facts;
  if (!facts || !invoice.ksefNumber || !invoice.acquisitionDate) throw new Error(`invoice ${invoice.referenceNumber} has no UPO data`);
  return [
    '\t<Dokument>',
    `\t\t<NipSprzedawcy>${escapeXml(facts.sellerNip)}</NipSprzedawcy>`,
    `\t\t<NumerKSeFDokumentu>${invoice.ksefNumber}</NumerKSeFDokumentu>`,
    `\t\t<NumerFaktury>${escapeXml(facts.invoiceNumber)}</NumerFaktury>`,
    `\t\t<DataWystawieniaFaktury>${facts.issueDate}</DataWystawieniaFaktury>`,
    `\t\t<DataPrzeslaniaDokumentu>${warsawDateTime(invoice.invoicingDate)}</DataPrzeslaniaDokumentu>`,
    `\t\t<DataNadaniaNumeruKSeF>${warsawDateTime(invoice.acquisitionDate)}</DataNadaniaNumeruKSeF>`,
    `\t\t<SkrotDokumentu>${invoice.invoiceHash}</SkrotDokumentu>`,
    `\t\t<TrybWysylki>${invoice.invoicingMode ?? 'Online'}</TrybWysylki>`,
    '\t</Dokument>',
  ].join('\n');
}

interface PageInfo {
  page: number;
  pageCount: number;
  from: number;
  total: number;
}

/**
 * UPO v4-3 document. Real UPOs carry MF's XAdES signature (ds:Signature); the schema does not
 * require it and the simulator does not sign. The receiving-party name is the schema's fixed
 * value (the MF examples append the environment name, which the XSD itself rejects).
 */
export function buildUpo(session: Session, invoices: InvoiceRecord[], page?: PageInfo): string {
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<Potwierdzenie xmlns="${UPO_NAMESPACE}">`,
    '\t<NazwaPodmiotuPrzyjmujacego>Ministerstwo Finansów</NazwaPodmiotuPrzyjmujacego>',
    `\t<NumerReferencyjnySesji>${session.referenceNumber}</NumerReferencyjnySesji>`,
    '\t<Uwierzytelnienie>',
    `\t\t<IdKontekstu>\n\t\t\t<Nip>${session.contextNip}</Nip>\n\t\t</IdKontekstu>`,
    // upo-v4-3: a token authentication is named by the token's reference, a XAdES one by the signed document's hash
    session.authenticationDocumentHash
      ? `\t\t<SkrotDokumentuUwierzytelniajacego>${session.authenticationDocumentHash}</SkrotDokumentuUwierzytelniajacego>`
      : `\t\t<NumerReferencyjnyTokenaKSeF>${session.ksefTokenReference}</NumerReferencyjnyTokenaKSeF>`,
    '\t</Uwierzytelnienie>',
  ];
  if (page) {
    lines.push(
      '\t<OpisPotwierdzenia>',
      `\t\t<Strona>${page.page}</Strona>`,
      `\t\t<LiczbaStron>${page.pageCount}</LiczbaStron>`,
      `\t\t<ZakresDokumentowOd>${page.from}</ZakresDokumentowOd>`,
      // the XSD calls it exclusive, but the MF example lists 2 documents as 1..2, so follow the example
      `\t\t<ZakresDokumentowDo>${page.from + invoices.length - 1}</ZakresDokumentowDo>`,
      `\t\t<CalkowitaLiczbaDokumentow>${page.total}</CalkowitaLiczbaDokumentow>`,
      '\t</OpisPotwierdzenia>',
    );
  }
  lines.push('\t<NazwaStrukturyLogicznej>Schemat_FA(3)_v1-0E.xsd</NazwaStrukturyLogicznej>', `\t<KodFormularza>${escapeXml(session.formCode.systemCode)}</KodFormularza>`);
  for (const invoice of invoices) lines.push(documentEntry(invoice));
  lines.push('</Potwierdzenie>');
  return lines.join('\n');
}

import type { IssuePath, LocalizedMessage } from './types';

/**
 * Human names of model fields. Finance users see "line 3 — VAT rate" rather than
 * "lines.2.vatRate"; the dotted path still travels in `field` for UIs.
 */
const LABELS: Record<string, LocalizedMessage> = {
  sourceSystem: { en: 'source system', pl: 'system źródłowy' },
  type: { en: 'invoice type', pl: 'rodzaj faktury' },
  invoiceNumber: { en: 'invoice number', pl: 'numer faktury' },
  issueDate: { en: 'issue date', pl: 'data wystawienia' },
  issuePlace: { en: 'place of issue', pl: 'miejsce wystawienia' },
  saleDate: { en: 'sale date', pl: 'data sprzedaży' },
  currency: { en: 'currency', pl: 'waluta' },
  exchangeRate: { en: 'exchange rate', pl: 'kurs waluty' },
  grossAmount: { en: 'gross total', pl: 'kwota brutto' },
  splitPayment: { en: 'split payment (MPP)', pl: 'mechanizm podzielonej płatności' },
  reverseCharge: { en: 'reverse charge', pl: 'odwrotne obciążenie' },
  exemption: { en: 'VAT exemption basis', pl: 'podstawa zwolnienia z VAT' },
  'exemption.basis': { en: 'VAT exemption basis type', pl: 'rodzaj podstawy zwolnienia' },
  'exemption.text': { en: 'VAT exemption legal basis', pl: 'podstawa prawna zwolnienia' },
  seller: { en: 'seller', pl: 'sprzedawca' },
  'seller.nip': { en: 'seller NIP', pl: 'NIP sprzedawcy' },
  'seller.name': { en: 'seller name', pl: 'nazwa sprzedawcy' },
  'seller.address': { en: 'seller address', pl: 'adres sprzedawcy' },
  'seller.address.line1': { en: 'seller address', pl: 'adres sprzedawcy' },
  'seller.email': { en: 'seller e-mail', pl: 'e-mail sprzedawcy' },
  'seller.phone': { en: 'seller phone', pl: 'telefon sprzedawcy' },
  buyer: { en: 'buyer', pl: 'nabywca' },
  'buyer.identifier': { en: 'buyer identifier', pl: 'identyfikator nabywcy' },
  'buyer.identifier.nip': { en: 'buyer NIP', pl: 'NIP nabywcy' },
  'buyer.identifier.countryCode': { en: 'buyer country code', pl: 'kod kraju nabywcy' },
  'buyer.identifier.vatNumber': { en: 'buyer EU VAT number', pl: 'numer VAT UE nabywcy' },
  'buyer.identifier.id': { en: 'buyer tax id', pl: 'identyfikator podatkowy nabywcy' },
  'buyer.name': { en: 'buyer name', pl: 'nazwa nabywcy' },
  'buyer.address': { en: 'buyer address', pl: 'adres nabywcy' },
  'buyer.isLocalGovernmentUnit': { en: 'buyer JST mark', pl: 'oznaczenie JST nabywcy' },
  'buyer.isVatGroupMember': { en: 'buyer VAT group mark', pl: 'oznaczenie grupy VAT nabywcy' },
  'buyer.buyerId': { en: 'buyer id (IDNabywcy)', pl: 'identyfikator nabywcy (IDNabywcy)' },
  thirdParties: { en: 'third parties', pl: 'podmioty trzecie' },
  'thirdParties.*': { en: 'third party', pl: 'podmiot trzeci' },
  'thirdParties.*.identifier': { en: 'third party identifier', pl: 'identyfikator podmiotu trzeciego' },
  'thirdParties.*.identifier.nip': { en: 'third party NIP', pl: 'NIP podmiotu trzeciego' },
  'thirdParties.*.identifier.internalId': { en: 'third party internal id', pl: 'identyfikator wewnętrzny podmiotu trzeciego' },
  'thirdParties.*.identifier.countryCode': { en: 'third party country code', pl: 'kod kraju podmiotu trzeciego' },
  'thirdParties.*.identifier.vatNumber': { en: 'third party EU VAT number', pl: 'numer VAT UE podmiotu trzeciego' },
  'thirdParties.*.name': { en: 'third party name', pl: 'nazwa podmiotu trzeciego' },
  'thirdParties.*.role': { en: 'third party role', pl: 'rola podmiotu trzeciego' },
  'thirdParties.*.otherRole': { en: 'third party role description', pl: 'opis roli podmiotu trzeciego' },
  'thirdParties.*.share': { en: 'third party share', pl: 'udział podmiotu trzeciego' },
  'correction.originalBuyers': { en: 'buyer data before correction', pl: 'dane nabywcy przed korektą' },
  'correction.originalBuyers.*.identifier.nip': { en: 'NIP of the buyer before correction', pl: 'NIP nabywcy przed korektą' },
  'correction.originalBuyers.*.identifier.vatNumber': { en: 'EU VAT number of the buyer before correction', pl: 'numer VAT UE nabywcy przed korektą' },
  'correction.originalBuyers.*.name': { en: 'name of the buyer before correction', pl: 'nazwa nabywcy przed korektą' },
  lines: { en: 'invoice lines', pl: 'pozycje faktury' },
  'lines.*': { en: 'line', pl: 'pozycja' },
  'lines.*.unit': { en: 'unit of measure', pl: 'jednostka miary' },
  'lines.*.beforeCorrection': { en: '"before correction" mark', pl: 'oznaczenie "przed korektą"' },
  'lines.*.vatCode': { en: 'source VAT code', pl: 'kod VAT z systemu źródłowego' },
  'lines.*.name': { en: 'name of goods/service', pl: 'nazwa towaru/usługi' },
  'lines.*.quantity': { en: 'quantity', pl: 'ilość' },
  'lines.*.unitNetPrice': { en: 'unit net price', pl: 'cena jednostkowa netto' },
  'lines.*.netAmount': { en: 'net value', pl: 'wartość netto' },
  'lines.*.discount': { en: 'discount', pl: 'opust / obniżka ceny' },
  'lines.*.vatRate': { en: 'VAT rate', pl: 'stawka VAT' },
  correction: { en: 'correction data', pl: 'dane korekty' },
  'correction.correctedInvoices': { en: 'corrected invoices', pl: 'faktury korygowane' },
  'correction.correctedInvoices.*': { en: 'corrected invoice', pl: 'faktura korygowana' },
  'correction.correctedInvoices.*.issueDate': { en: 'corrected invoice issue date', pl: 'data wystawienia faktury korygowanej' },
  'correction.correctedInvoices.*.number': { en: 'corrected invoice number', pl: 'numer faktury korygowanej' },
  'correction.correctedInvoices.*.issuedOutsideKsef': { en: '"issued outside KSeF" mark', pl: 'oznaczenie "wystawiona poza KSeF"' },
  'correction.reason': { en: 'correction reason', pl: 'przyczyna korekty' },
  'correction.correctedInvoices.*.ksefNumber': { en: 'corrected invoice KSeF number', pl: 'numer KSeF faktury korygowanej' },
  advanceInvoices: { en: 'advance invoices', pl: 'faktury zaliczkowe' },
  'advanceInvoices.*': { en: 'advance invoice', pl: 'faktura zaliczkowa' },
  'advanceInvoices.*.number': { en: 'advance invoice number', pl: 'numer faktury zaliczkowej' },
  'advanceInvoices.*.ksefNumber': { en: 'advance invoice KSeF number', pl: 'numer KSeF faktury zaliczkowej' },
  'advanceInvoices.*.issuedOutsideKsef': { en: '"issued outside KSeF" mark of the advance invoice', pl: 'oznaczenie "wystawiona poza KSeF" faktury zaliczkowej' },
  'notes.*.key': { en: 'additional note key', pl: 'klucz dodatkowego opisu' },
  'notes.*.value': { en: 'additional note value', pl: 'wartość dodatkowego opisu' },
  'payment.method': { en: 'payment method', pl: 'forma płatności' },
  payment: { en: 'payment', pl: 'płatność' },
  'payment.dueDate': { en: 'payment due date', pl: 'termin płatności' },
  'payment.paidOn': { en: 'payment date', pl: 'data zapłaty' },
  'payment.bankAccount': { en: 'bank account', pl: 'rachunek bankowy' },
};

export function dottedField(path: IssuePath): string {
  return path.map(String).join('.');
}

/** "line 3 — VAT rate" / "pozycja 3 — stawka VAT"; positions are shown 1-based like on paper. */
export function fieldLabel(path: IssuePath): LocalizedMessage {
  if (path.length === 0) return { en: 'invoice', pl: 'faktura' };
  const key = path.map((p) => (typeof p === 'number' ? '*' : p)).join('.');
  // Own keys only: an unknown field named "toString" or "__proto__" must not find Object.prototype's.
  const direct = Object.hasOwn(LABELS, key) ? LABELS[key] : undefined;
  const lineIdx = path[0] === 'lines' && typeof path[1] === 'number' ? path[1] + 1 : undefined;
  const base = direct ?? { en: dottedField(path), pl: dottedField(path) };
  if (lineIdx !== undefined) {
    if (path.length === 2) return { en: `line ${lineIdx}`, pl: `pozycja ${lineIdx}` };
    return { en: `line ${lineIdx} — ${base.en}`, pl: `pozycja ${lineIdx} — ${base.pl}` };
  }
  // Other lists (corrected invoices, advances, notes): say which entry when we have a real label.
  const idx = path.find((p): p is number => typeof p === 'number');
  if (direct && idx !== undefined) return { en: `${base.en} (#${idx + 1})`, pl: `${base.pl} (nr ${idx + 1})` };
  return base;
}

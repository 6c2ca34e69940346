/** The invoice JSON as a flat list of editable fields (path → value) and back, so every error path maps to one input. */
export function flatten(value, prefix = []) {
  if (Array.isArray(value)) return value.flatMap((v, i) => flatten(v, [...prefix, i]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => flatten(v, [...prefix, k]));
  return [{ path: prefix, key: prefix.join('.'), value }];
}

// jsonb stores keys alphabetically; finance expects the invoice's own order, flags last.
const ORDER = ['invoiceNumber', 'type', 'sourceSystem', 'issueDate', 'saleDate', 'issuePlace', 'currency', 'exchangeRate', 'grossAmount', 'seller', 'buyer', 'thirdParties', 'lines', 'payment', 'correction', 'advanceInvoices', 'exemption', 'notes'];

export function editableFields(invoice) {
  const rank = (f) => {
    if (typeof f.value === 'boolean') return 1000;
    const i = ORDER.indexOf(String(f.path[0]));
    return i === -1 ? 500 : i;
  };
  return flatten(invoice)
    .map((f, i) => ({ f, i }))
    .sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i)
    .map(({ f }) => f);
}

export function withValue(root, path, value) {
  const copy = structuredClone(root);
  let node = copy;
  for (let i = 0; i < path.length - 1; i++) node = node[path[i]];
  node[path[path.length - 1]] = value;
  return copy;
}

// Finance reads "Nabywca — nazwa", not "buyer.name"; unknown paths fall back to the path itself.
const LABELS = {
  pl: { invoiceNumber: 'Numer faktury', issueDate: 'Data wystawienia', saleDate: 'Data sprzedaży', currency: 'Waluta', type: 'Rodzaj',
    sourceSystem: 'System źródłowy', grossAmount: 'Kwota brutto', 'seller.nip': 'Sprzedawca — NIP', 'seller.name': 'Sprzedawca — nazwa',
    'buyer.name': 'Nabywca — nazwa', 'buyer.identifier.nip': 'Nabywca — NIP', 'buyer.identifier.type': 'Nabywca — rodzaj identyfikatora',
    name: 'nazwa', quantity: 'ilość', unitNetPrice: 'cena netto', netAmount: 'wartość netto', vatRate: 'stawka VAT', unit: 'jednostka',
    line1: 'adres', line2: 'adres c.d.', countryCode: 'kraj', dueDate: 'termin płatności', method: 'forma płatności', bankAccount: 'rachunek',
    splitPayment: 'Mechanizm podzielonej płatności', cashAccounting: 'Metoda kasowa', selfBilling: 'Samofakturowanie', reverseCharge: 'Odwrotne obciążenie',
    isVatGroupMember: 'członek grupy VAT', isLocalGovernmentUnit: 'JST', type: 'Rodzaj' },
  en: { invoiceNumber: 'Invoice number', issueDate: 'Issue date', saleDate: 'Sale date', currency: 'Currency', type: 'Type',
    sourceSystem: 'Source system', grossAmount: 'Gross amount', 'seller.nip': 'Seller — NIP', 'seller.name': 'Seller — name',
    'buyer.name': 'Buyer — name', 'buyer.identifier.nip': 'Buyer — NIP', 'buyer.identifier.type': 'Buyer — identifier type',
    splitPayment: 'Split payment', cashAccounting: 'Cash accounting', selfBilling: 'Self-billing', reverseCharge: 'Reverse charge' },
};

export function fieldLabel(key, lang) {
  const labels = LABELS[lang] || LABELS.en;
  if (labels[key]) return labels[key];
  const parts = key.split('.');
  const last = parts[parts.length - 1];
  const lineIndex = parts[0] === 'lines' ? Number(parts[1]) + 1 : null;
  const partyIndex = parts[0] === 'thirdParties' ? Number(parts[1]) + 1 : null;
  const base = lang === 'pl' ? { lines: 'Pozycja', seller: 'Sprzedawca', buyer: 'Nabywca', payment: 'Płatność', thirdParties: 'Podmiot trzeci' } : { lines: 'Line', seller: 'Seller', buyer: 'Buyer', payment: 'Payment', thirdParties: 'Third party' };
  if (lineIndex) return `${base.lines} ${lineIndex} — ${labels[last] || last}`;
  if (partyIndex) return `${base.thirdParties} ${partyIndex} — ${labels[last] || parts.slice(2).join('.')}`;
  if (base[parts[0]] && parts.length > 1) return `${base[parts[0]]} — ${labels[last] || parts.slice(1).join('.')}`;
  return labels[last] || key;
}

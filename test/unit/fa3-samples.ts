import { InvoiceSchema, type Invoice, type InvoiceInput } from '../../domain/invoice';

/** Sample invoices for every FA(3) invoice type the builder supports. Shared by fa3 and ksef-client tests. */

export const SELLER_NIP = '5260001246';
export const BUYER_NIP = '9999999999';

const base: InvoiceInput = {
  sourceSystem: 'erp',
  invoiceNumber: 'FV/2026/02/001',
  issueDate: '2026-02-15',
  issuePlace: 'Warszawa',
  saleDate: '2026-02-14',
  seller: {
    nip: SELLER_NIP,
    name: 'ACME sp. z o.o.',
    address: { countryCode: 'PL', line1: 'ul. Prosta 1', line2: '00-001 Warszawa' },
    email: 'faktury@acme.pl',
    phone: '221234567',
  },
  buyer: {
    identifier: { type: 'NIP', nip: BUYER_NIP },
    name: 'F.H.U. Jan Kowalski',
    address: { countryCode: 'PL', line1: 'ul. Polna 1', line2: '00-002 Warszawa' },
  },
  lines: [
    { name: 'lodówka Zimnotech mk1', unit: 'szt.', quantity: '1', unitNetPrice: '1626.01', netAmount: '1626.01', vatRate: '23' },
    { name: 'wniesienie sprzętu', unit: 'szt.', quantity: '1', unitNetPrice: '40.65', netAmount: '40.65', vatRate: '23' },
    { name: 'mleko', unit: 'l', quantity: '1', unitNetPrice: '0.95', netAmount: '0.95', vatRate: '5' },
  ],
  payment: { dueDate: '2026-03-01', method: '6', bankAccount: '61109010140000071219812874' },
};

const correctedRef = { issueDate: '2026-02-15', number: 'FV/2026/02/001', ksefNumber: '5265877635-20250826-0100001AF629-AF' };

export const SAMPLE_INPUTS: Record<string, InvoiceInput> = {
  VAT: base,
  UPR: { ...base, type: 'UPR', invoiceNumber: 'UPR/1', buyer: { identifier: { type: 'NONE' } }, payment: { paid: true, paidOn: '2026-02-15', method: '1' } },
  ZAL: {
    ...base,
    type: 'ZAL',
    invoiceNumber: 'ZAL/1',
    lines: [{ name: 'mieszkanie 50m^2', unit: 'szt.', quantity: '1', unitNetPrice: '16260.16', netAmount: '16260.16', vatRate: '23' }],
    payment: { paid: true, paidOn: '2026-02-15', method: '6' },
  },
  ROZ: { ...base, type: 'ROZ', invoiceNumber: 'ROZ/1', advanceInvoices: [{ number: 'ZAL/1', ksefNumber: correctedRef.ksefNumber }, { number: 'ZAL/OUT/2' }] },
  KOR: {
    ...base,
    type: 'KOR',
    invoiceNumber: 'KOR/1',
    correction: { reason: 'obniżka ceny', effect: '3', correctedInvoices: [correctedRef] },
    lines: [
      { name: 'lodówka Zimnotech mk1', unit: 'szt.', quantity: '1', unitNetPrice: '1626.01', netAmount: '1626.01', vatRate: '23', beforeCorrection: true },
      { name: 'lodówka Zimnotech mk1', unit: 'szt.', quantity: '1', unitNetPrice: '1463.41', netAmount: '1463.41', vatRate: '23' },
    ],
  },
  KOR_outside_ksef: {
    ...base,
    type: 'KOR',
    invoiceNumber: 'KOR/2',
    correction: { correctedInvoices: [{ issueDate: '2025-12-01', number: 'PAPER/1' }] },
    lines: [{ name: 'rabat', quantity: '1', unitNetPrice: '-100', netAmount: '-100.00', vatRate: '23' }],
  },
  KOR_ZAL: {
    ...base,
    type: 'KOR_ZAL',
    invoiceNumber: 'KZ/1',
    correction: { reason: 'błędna stawka VAT', effect: '3', correctedInvoices: [correctedRef] },
    lines: [
      { name: 'mieszkanie', quantity: '1', unitNetPrice: '300000', netAmount: '300000', vatRate: '23', beforeCorrection: true },
      { name: 'mieszkanie', quantity: '1', unitNetPrice: '341666.67', netAmount: '341666.67', vatRate: '8' },
    ],
  },
  KOR_ROZ: {
    ...base,
    type: 'KOR_ROZ',
    invoiceNumber: 'KR/1',
    correction: { reason: 'zmiana ilości', effect: '2', correctedInvoices: [correctedRef] },
    advanceInvoices: [{ number: 'ZAL/1', ksefNumber: correctedRef.ksefNumber }],
    lines: [{ name: 'usługi dodatkowe', quantity: '-1', unitNetPrice: '4500', netAmount: '-4500', vatRate: '23' }],
  },
  EUR: {
    ...base,
    invoiceNumber: 'FV/EUR/1',
    currency: 'EUR',
    exchangeRate: '4.5005',
    lines: [
      { name: 'lodówka', unit: 'szt.', quantity: '10', unitNetPrice: '406', netAmount: '4060', vatRate: '23' },
      { name: 'zamrażarka', unit: 'szt.', quantity: '20', unitNetPrice: '250', netAmount: '5000', vatRate: '23' },
      { name: 'zmywarka', unit: 'szt.', quantity: '15', unitNetPrice: '300', netAmount: '4500', vatRate: '23' },
    ],
  },
  reverse_charge: {
    ...base,
    invoiceNumber: 'FV/OO/1',
    reverseCharge: true,
    lines: [{ name: 'złom stalowy', unit: 'kg', quantity: '1000.5', unitNetPrice: '1.2', netAmount: '1200.60', vatRate: 'oo' }],
  },
  split_payment: {
    ...base,
    invoiceNumber: 'FV/MPP/1',
    splitPayment: true,
    lines: [{ name: 'telefon komórkowy', unit: 'szt.', quantity: '50', unitNetPrice: '300', netAmount: '15000', vatRate: '23' }],
  },
  exempt: {
    ...base,
    invoiceNumber: 'FV/ZW/1',
    exemption: { basis: 'ACT', text: 'art. 43 ust. 1 pkt 37 ustawy VAT' },
    lines: [
      { name: 'rata leasingowa', quantity: '1', unitNetPrice: '2000', netAmount: '2000', vatRate: '23' },
      { name: 'pakiet ubezpieczeń', quantity: '1', unitNetPrice: '300', netAmount: '300', vatRate: 'zw' },
    ],
  },
  export_eu_buyer: {
    ...base,
    invoiceNumber: 'FV/WDT/1',
    buyer: { identifier: { type: 'EU_VAT', countryCode: 'DE', vatNumber: '123456789' }, name: 'Müller GmbH & Co. KG', address: { countryCode: 'DE', line1: 'Hauptstraße 1, 10115 Berlin' } },
    lines: [{ name: 'maszyna <typ A>', quantity: '1', unitNetPrice: '10000', netAmount: '10000', vatRate: '0 WDT' }],
  },
  third_parties: {
    ...base,
    invoiceNumber: 'FV/P3/1',
    buyer: { ...base.buyer, isVatGroupMember: true, customerNumber: 'K-0042' },
    thirdParties: [
      {
        identifier: { type: 'NIP', nip: '2222222222' },
        name: 'Bank BBB Faktoring',
        address: { countryCode: 'PL', line1: 'ul. Bankowa 1', line2: '00-003 Łódź' },
        email: 'bbb@efaktoring.pl',
        phone: '666888999',
        role: '1',
      },
      { identifier: { type: 'INTERNAL', internalId: '9999999999-00001' }, name: 'Oddział Kraków', role: '10' },
      { identifier: { type: 'EU_VAT', countryCode: 'DE', vatNumber: '123456789' }, name: 'Zahler GmbH', otherRole: 'płatnik zagraniczny', customerNumber: 'Z-1' },
      { identifier: { type: 'NIP', nip: '3333333333' }, name: 'Grażyna Kowalska', role: '4', share: '50', buyerId: 'B2' },
    ],
  },
  KOR_buyer_data: {
    ...base,
    type: 'KOR',
    invoiceNumber: 'KOR/NAB/1',
    buyer: { ...base.buyer, buyerId: '0001' },
    correction: {
      reason: 'błędna nazwa nabywcy',
      effect: '1',
      correctedInvoices: [correctedRef],
      originalBuyers: [{ identifier: { type: 'NIP', nip: BUYER_NIP }, name: 'F.H.U. Jan Kowalsky', address: { countryCode: 'PL', line1: 'ul. Polna 1' }, buyerId: '0001' }],
    },
    lines: [],
  },
  all_rates: {
    ...base,
    invoiceNumber: 'FV/ALL/1',
    exemption: { basis: 'DIRECTIVE', text: 'art. 135 ust. 1 lit. g dyrektywy 2006/112/WE' },
    buyer: { identifier: { type: 'OTHER', countryCode: 'US', id: 'EIN-12-3456789' }, isLocalGovernmentUnit: false, isVatGroupMember: true },
    notes: [{ key: 'zamówienie', value: 'PO-77 & "pilne"' }],
    lines: ['23', '22', '8', '7', '5', '4', '3', '0 KR', '0 WDT', '0 EX', 'zw', 'oo', 'np I', 'np II'].map((rate, i) => ({
      name: `pozycja ${i + 1}`,
      quantity: '0003.500',
      unitNetPrice: '10.12345678',
      netAmount: '35.43',
      vatRate: rate as never,
    })),
  },
};

export function sampleInvoice(kind: keyof typeof SAMPLE_INPUTS, overrides: Partial<InvoiceInput> = {}): Invoice {
  return InvoiceSchema.parse({ ...SAMPLE_INPUTS[kind], ...overrides });
}

export const GENERATED_AT = new Date('2026-02-15T08:30:00Z');

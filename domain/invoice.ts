import { z } from 'zod';
import { AMOUNT_PATTERN } from './money';
import { isValidNip, normalizeNip } from './nip';

/**
 * The one invoice model (aligned to FA(3)). The API validates requests with it, the workflow takes
 * it as input, the FA(3) XML builder reads it and the registry stores it. Field names are English;
 * the FA(3) element each one becomes is named in the XML builder (fa3/build.ts).
 */

// Product-wide wording for absent fields: "is required" reads better to a finance user than
// "expected string, received undefined".
z.config({
  customError: (issue) => (issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : undefined),
});

export const INVOICE_TYPES = ['VAT', 'KOR', 'ZAL', 'ROZ', 'UPR', 'KOR_ZAL', 'KOR_ROZ'] as const;
export const InvoiceTypeSchema = z.enum(INVOICE_TYPES);
export type InvoiceType = z.infer<typeof InvoiceTypeSchema>;

/** FA(3) TStawkaPodatku values. */
export const VAT_RATES = ['23', '22', '8', '7', '5', '4', '3', '0 KR', '0 WDT', '0 EX', 'zw', 'oo', 'np I', 'np II'] as const;
export const VatRateSchema = z.enum(VAT_RATES);
export type VatRate = z.infer<typeof VatRateSchema>;

export const AmountSchema = z
  .string()
  .regex(AMOUNT_PATTERN, 'must be a decimal amount with at most 2 decimal places, e.g. "1234.50"');
export const QuantitySchema = z
  .string()
  .regex(/^-?\d{1,16}(\.\d{1,6})?$/, 'must be a decimal quantity with at most 6 decimal places');
export const UnitPriceSchema = z
  .string()
  .regex(/^-?\d{1,16}(\.\d{1,8})?$/, 'must be a decimal price with at most 8 decimal places');
export const IsoDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date in YYYY-MM-DD format')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'is not a real calendar date');

/** NIP as sent by source systems ("PL 526-000-12-46"); normalised to 10 digits and checksum-verified. */
export const NipSchema = z
  .string()
  .transform(normalizeNip)
  .refine(isValidNip, 'is not a valid Polish NIP (10 digits with a correct checksum)');

export const SourceSystemSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'must be a short lowercase id (letters, digits, "-" or "_"), e.g. "erp"');

export const AddressSchema = z.strictObject({
  countryCode: z.string().regex(/^[A-Z]{2}$/, 'must be a 2-letter ISO country code').default('PL'),
  line1: z.string().min(1).max(512),
  line2: z.string().min(1).max(512).optional(),
});

export const SellerSchema = z.strictObject({
  nip: NipSchema,
  name: z.string().min(1).max(512),
  address: AddressSchema,
  email: z.string().email().optional(),
  phone: z.string().max(16).optional(),
});

export const BuyerIdentifierSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('NIP'), nip: NipSchema }),
  z.strictObject({
    type: z.literal('EU_VAT'),
    countryCode: z.string().regex(/^[A-Z]{2}$/, 'must be a 2-letter EU country code'),
    vatNumber: z.string().min(1).max(20),
  }),
  z.strictObject({ type: z.literal('OTHER'), countryCode: z.string().regex(/^[A-Z]{2}$/).optional(), id: z.string().min(1).max(50) }),
  z.strictObject({ type: z.literal('NONE') }),
]);

export const BuyerSchema = z.strictObject({
  identifier: BuyerIdentifierSchema,
  name: z.string().min(1).max(512).optional(),
  address: AddressSchema.optional(),
  email: z.string().email().optional(),
  /** Buyer is a subordinate unit of a local government (FA(3) JST). */
  isLocalGovernmentUnit: z.boolean().default(false),
  /** Buyer is a member of a VAT group (FA(3) GV). */
  isVatGroupMember: z.boolean().default(false),
  /** FA(3) NrKlienta: the buyer's customer number at the seller. */
  customerNumber: z.string().min(1).max(256).optional(),
  /** FA(3) IDNabywcy: links this buyer to its "before correction" data in correction.originalBuyers. */
  buyerId: z.string().min(1).max(32).optional(),
});

export const InvoiceLineSchema = z.strictObject({
  name: z.string().min(1).max(512),
  unit: z.string().min(1).max(256).optional(),
  quantity: QuantitySchema,
  unitNetPrice: UnitPriceSchema,
  /**
   * FA(3) P_10: discount or price reduction not already in the unit net price; `netAmount` is the value
   * after it. MF example 04 states it per unit (20 × (1000 − 100) = 18000), others read it as the
   * line's total, so validation accepts either (LINE_NET_MISMATCH).
   */
  discount: AmountSchema.optional(),
  netAmount: AmountSchema,
  vatRate: VatRateSchema,
  /** Marks the "before correction" line of a correcting invoice (FA(3) StanPrzed). */
  beforeCorrection: z.boolean().optional(),
});

// ---------------------------------------------------------------------------------------------
// Third parties (FA(3) Podmiot3) and original buyer data of a buyer-data correction (Podmiot2K)

/** FA(3) TRolaPodmiotu3. */
export const THIRD_PARTY_ROLES = {
  '1': 'factor',
  '2': 'recipient (internal unit or branch of the buyer)',
  '3': 'original entity (taken over or transformed)',
  '4': 'additional buyer',
  '5': 'invoice issuer on behalf of the taxpayer',
  '6': 'payer',
  '7': 'local government unit (JST) — issuer',
  '8': 'local government unit (JST) — recipient',
  '9': 'VAT group member — issuer',
  '10': 'VAT group member — recipient',
  '11': 'employee',
} as const;
export const ThirdPartyRoleSchema = z.enum(Object.keys(THIRD_PARTY_ROLES) as [keyof typeof THIRD_PARTY_ROLES, ...Array<keyof typeof THIRD_PARTY_ROLES>]);
export type ThirdPartyRole = z.infer<typeof ThirdPartyRoleSchema>;

/** Podmiot3 may also be named by its internal id within a VAT group or JST (FA(3) IDWew: "NIP-5 digits"). */
export const ThirdPartyIdentifierSchema = z.discriminatedUnion('type', [
  ...BuyerIdentifierSchema.options,
  z.strictObject({
    type: z.literal('INTERNAL'),
    internalId: z.string().regex(/^[1-9]((\d[1-9])|([1-9]\d))\d{7}-\d{5}$/, 'must be an internal id: the NIP, a dash and 5 digits, e.g. "5260001246-00001"'),
  }),
]);

export const ThirdPartySchema = z.strictObject({
  identifier: ThirdPartyIdentifierSchema,
  name: z.string().min(1).max(512).optional(),
  address: AddressSchema.optional(),
  /** FA(3) TAdresEmail ("x@y"): a third party's contact is copied from documents, not used for mail by us. */
  email: z.string().min(3).max(255).regex(/^\S+@\S+$/, 'must be an e-mail address').optional(),
  phone: z.string().max(16).optional(),
  /** FA(3) Rola. Exactly one of role / otherRole (checked by THIRD_PARTY_ROLE_REQUIRED). */
  role: ThirdPartyRoleSchema.optional(),
  /** FA(3) RolaInna + OpisRoli: a role outside the list, described in words. */
  otherRole: z.string().min(1).max(256).optional(),
  /** FA(3) Udzial: share in percent, e.g. of an additional buyer (role 4). */
  share: z
    .string()
    .regex(/^(100(\.0{1,6})?|\d{1,2}(\.\d{1,6})?)$/, 'must be a percentage between 0 and 100 with at most 6 decimal places')
    .optional(),
  customerNumber: z.string().min(1).max(256).optional(),
  /** FA(3) IDNabywcy (max 32 characters). */
  buyerId: z.string().min(1).max(32).optional(),
});
export type ThirdParty = z.infer<typeof ThirdPartySchema>;

export const OriginalBuyerSchema = z.strictObject({
  identifier: BuyerIdentifierSchema,
  name: z.string().min(1).max(512).optional(),
  address: AddressSchema.optional(),
  buyerId: z.string().min(1).max(32).optional(),
});
export type OriginalBuyer = z.infer<typeof OriginalBuyerSchema>;

export const CorrectedInvoiceRefSchema = z.strictObject({
  issueDate: IsoDateSchema,
  number: z.string().min(1).max(256),
  /** KSeF number of the corrected invoice; absent when it was issued outside KSeF. */
  ksefNumber: z.string().regex(/^\d{10}-\d{8}-[0-9A-F]{12}-[0-9A-F]{2}$/, 'must be a 35-character KSeF number').optional(),
  /** Explicit "issued outside KSeF" (FA(3) NrKSeFN); validation asks for it when ksefNumber is absent, so a forgotten number is not mistaken for it. */
  issuedOutsideKsef: z.boolean().optional(),
});

export const CorrectionSchema = z.strictObject({
  reason: z.string().min(1).max(256).optional(),
  /** 1 effective at the original date, 2 at the correction date, 3 other. */
  effect: z.enum(['1', '2', '3']).optional(),
  correctedInvoices: z.array(CorrectedInvoiceRefSchema).min(1).max(50000),
  /** Buyer data as printed on the corrected invoice, when this correction changes it (FA(3) Podmiot2K). */
  originalBuyers: z.array(OriginalBuyerSchema).min(1).max(101).optional(),
});

/** An advance invoice settled by a ROZ / KOR_ROZ invoice (FA(3) FakturaZaliczkowa). */
export const AdvanceInvoiceRefSchema = z.strictObject({
  number: z.string().min(1).max(256),
  /** KSeF number of the advance invoice; absent when it was issued outside KSeF. */
  ksefNumber: z.string().regex(/^\d{10}-\d{8}-[0-9A-F]{12}-[0-9A-F]{2}$/, 'must be a 35-character KSeF number').optional(),
  /** Explicit "issued outside KSeF" (FA(3) NrKSeFZN); see CorrectedInvoiceRefSchema. */
  issuedOutsideKsef: z.boolean().optional(),
});

export const PaymentSchema = z.strictObject({
  dueDate: IsoDateSchema.optional(),
  /** FA(3) FormaPlatnosci: 1 cash, 2 card, 3 voucher, 4 cheque, 5 credit, 6 transfer, 7 mobile. */
  method: z.enum(['1', '2', '3', '4', '5', '6', '7']).optional(),
  bankAccount: z.string().min(10).max(34).optional(),
  paid: z.boolean().optional(),
  paidOn: IsoDateSchema.optional(),
});

/**
 * FA(3) Zalacznik: structured data the seller appends to the invoice (utility bills: meter readings,
 * tariff tables). Every text is an xsd:token, so whitespace runs carry no meaning; cells and sums
 * (TZnakowy2) may be empty, all other texts may not. KSeF takes such invoices only in batch sessions.
 */
const AttachmentText256 = z.string().min(1).max(256);
const AttachmentText512 = z.string().min(1).max(512);
const AttachmentCell = z.string().max(256);
export const ATTACHMENT_COLUMN_TYPES = ['date', 'datetime', 'dec', 'int', 'time', 'txt'] as const;
const AttachmentKeyValue = z.strictObject({ key: AttachmentText256, value: AttachmentText256 });

export const AttachmentTableSchema = z.strictObject({
  /** TMetaDane. */
  metadata: z.array(AttachmentKeyValue).max(1000).optional(),
  /** Opis. */
  description: AttachmentText512.optional(),
  /** TNaglowek/Kol: column type (attribute Typ) and heading (NKom). */
  columns: z.array(z.strictObject({ type: z.enum(ATTACHMENT_COLUMN_TYPES), name: AttachmentCell })).min(1).max(20),
  /** Wiersz/WKom. */
  rows: z.array(z.array(AttachmentCell).min(1).max(20)).min(1).max(1000),
  /** Suma/SKom. */
  sum: z.array(AttachmentCell).min(1).max(20).optional(),
});

export const AttachmentBlockSchema = z.strictObject({
  /** ZNaglowek. */
  heading: AttachmentText512.optional(),
  /** MetaDane (ZKlucz/ZWartosc). */
  metadata: z.array(AttachmentKeyValue).min(1).max(1000),
  /** Tekst/Akapit. */
  paragraphs: z.array(AttachmentText512).min(1).max(10).optional(),
  /** Tabela. */
  tables: z.array(AttachmentTableSchema).min(1).max(1000).optional(),
});

export const InvoiceAttachmentSchema = z.strictObject({
  /** BlokDanych. */
  blocks: z.array(AttachmentBlockSchema).min(1).max(1000),
});
export type InvoiceAttachment = z.infer<typeof InvoiceAttachmentSchema>;

export const InvoiceSchema = z.strictObject({
  sourceSystem: SourceSystemSchema,
  type: InvoiceTypeSchema.default('VAT'),
  invoiceNumber: z.string().min(1).max(256),
  issueDate: IsoDateSchema,
  issuePlace: z.string().min(1).max(256).optional(),
  saleDate: IsoDateSchema.optional(),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be a 3-letter ISO 4217 currency code').default('PLN'),
  /** PLN per 1 unit of `currency`; required for foreign-currency invoices. */
  exchangeRate: z.string().regex(/^\d{1,8}(\.\d{1,6})?$/, 'must be a decimal rate').optional(),
  seller: SellerSchema,
  buyer: BuyerSchema,
  /** FA(3) Podmiot3: factor, payer, recipient, additional buyer… (at most 100). */
  thirdParties: z.array(ThirdPartySchema).min(1).max(100).optional(),
  /** May be empty only on a KOR that corrects data other than amounts, e.g. buyer data (MF examples 5, 6); see REQUIRED_FIELD_FOR_TYPE. */
  lines: z.array(InvoiceLineSchema).max(10000),
  /** Gross total (FA(3) P_15). When given it must agree with the lines. */
  grossAmount: AmountSchema.optional(),
  splitPayment: z.boolean().default(false),
  cashAccounting: z.boolean().default(false),
  selfBilling: z.boolean().default(false),
  reverseCharge: z.boolean().default(false),
  /** Legal basis of a VAT exemption (FA(3) P_19A/B/C), required when a line is "zw". */
  exemption: z
    .object({ basis: z.enum(['ACT', 'DIRECTIVE', 'OTHER']), text: z.string().min(1).max(256) })
    .optional(),
  correction: CorrectionSchema.optional(),
  payment: PaymentSchema.optional(),
  advanceInvoices: z.array(AdvanceInvoiceRefSchema).min(1).max(100).optional(),
  notes: z.array(z.strictObject({ key: z.string().min(1).max(256), value: z.string().min(1).max(256) })).max(100).optional(),
  /** FA(3) Zalacznik (structured attachment block), not to be confused with uploaded attachment files. */
  attachment: InvoiceAttachmentSchema.optional(),
  /** Issued offline by the source system (offline24): sent with offlineMode, QR KOD I on the visualisation, deadline next business day. */
  offline: z.boolean().optional(),
});

/** What the API accepts; `InvoiceInput` (pre-transform) vs `Invoice` (normalised). */
export type InvoiceInput = z.input<typeof InvoiceSchema>;
export type Invoice = z.infer<typeof InvoiceSchema>;
export type InvoiceLine = z.infer<typeof InvoiceLineSchema>;
export type Buyer = z.infer<typeof BuyerSchema>;

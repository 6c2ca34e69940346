import { z } from 'zod';
import { normalizeNip } from './nip';
import { SourceSystemSchema } from './invoice';
import { lineText, TEXT_INVALID_CHARACTER } from './text';
import { diagnoseNip, EU_VAT_FORMATS, ruleDescription } from './validation';

/**
 * Counterparty master data as source systems send it (JSON or CSV row) → one normalised record,
 * or the list of what is wrong with the row. The same identifier checks as invoice validation,
 * so a counterparty that imports cleanly never fails NIP / EU VAT rules on an invoice.
 */

export const VAT_STATUSES = ['ACTIVE', 'EXEMPT', 'NOT_REGISTERED', 'REMOVED', 'UNKNOWN'] as const;
export type CounterpartyVatStatus = (typeof VAT_STATUSES)[number];

// The shared text rule (domain/text.ts): a NUL from a CSV export must not reach PostgreSQL.
const text = (max: number) => lineText(max);
// CSV has no types: "true/false", "1/0", "yes/no", "tak/nie" all mean a flag.
const flag = z.union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no', 'tak', 'nie', 'TRUE', 'FALSE']).transform((v) => ['true', '1', 'yes', 'tak', 'TRUE'].includes(v))]);
const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const opt = <T extends z.ZodType>(schema: T) => z.preprocess(blankToUndefined, schema.optional());

export const CounterpartyInputSchema = z.strictObject({
  idType: opt(z.enum(['NIP', 'EU_VAT', 'OTHER'])),
  nip: opt(z.string().max(40)),
  euVatNumber: opt(z.string().max(40)),
  otherId: opt(text(50)),
  countryCode: opt(z.string().trim().toUpperCase().regex(/^[A-Z]{2}$/, 'must be a 2-letter country code')),
  name: z.preprocess(blankToUndefined, text(512)),
  addressLine1: opt(text(512)),
  addressLine2: opt(text(512)),
  active: opt(flag),
  vatStatus: opt(z.string().trim().toUpperCase().pipe(z.enum(VAT_STATUSES))),
  sourceSystem: opt(SourceSystemSchema),
});
export type CounterpartyInput = z.input<typeof CounterpartyInputSchema>;

export interface CounterpartyRecordData {
  identifierKey: string;
  idType: 'NIP' | 'EU_VAT' | 'OTHER';
  nip: string | null;
  euVatNumber: string | null;
  otherId: string | null;
  countryCode: string;
  name: string;
  addressLine1: string | null;
  addressLine2: string | null;
  active: boolean;
  vatStatus: CounterpartyVatStatus;
  sourceSystem: string;
}

export interface RowIssue {
  path: (string | number)[];
  field: string;
  code: string;
  message: string;
  messagePl: string;
}

export type RowResult = { ok: true; record: CounterpartyRecordData } | { ok: false; issues: RowIssue[] };

const issue = (field: string, code: string, message: string, messagePl = message): RowIssue => ({ path: [field], field, code, message, messagePl });

/** Validate and normalise one row; `defaultSourceSystem` fills rows that do not name one. */
export function normaliseCounterparty(raw: unknown, defaultSourceSystem: string): RowResult {
  const parsed = CounterpartyInputSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((i) => {
        const field = i.path.join('.') || (i.code === 'unrecognized_keys' ? (i as { keys?: string[] }).keys?.join(',') ?? '(row)' : '(row)');
        return { path: i.path.length ? (i.path as (string | number)[]) : [field], field, code: i.code === 'custom' && i.params?.code === TEXT_INVALID_CHARACTER ? TEXT_INVALID_CHARACTER : `SCHEMA_${i.code.toUpperCase()}`, message: i.message, messagePl: i.message };
      }),
    };
  }
  const row = parsed.data;
  const idType = row.idType ?? (row.nip ? 'NIP' : row.euVatNumber ? 'EU_VAT' : row.otherId ? 'OTHER' : undefined);
  const base = {
    name: row.name,
    addressLine1: row.addressLine1 ?? null,
    addressLine2: row.addressLine2 ?? null,
    active: row.active ?? true,
    vatStatus: row.vatStatus ?? 'UNKNOWN',
    sourceSystem: row.sourceSystem ?? defaultSourceSystem,
  } as const;
  if (idType === 'NIP') {
    if (!row.nip) return { ok: false, issues: [issue('nip', 'SCHEMA_REQUIRED', 'is required when idType is NIP', 'jest wymagany dla typu NIP')] };
    const problem = diagnoseNip(row.nip);
    if (problem) {
      const d = ruleDescription(problem);
      return { ok: false, issues: [issue('nip', problem, `"${row.nip.slice(0, 40)}": ${d.en}`, `"${row.nip.slice(0, 40)}": ${d.pl}`)] };
    }
    if (row.countryCode && row.countryCode !== 'PL') return { ok: false, issues: [issue('countryCode', 'EU_VAT_COUNTRY', 'a NIP identifies a Polish party: country must be PL (use euVatNumber or otherId for others)', 'NIP identyfikuje polski podmiot: kraj musi być PL')] };
    const nip = normalizeNip(row.nip);
    return { ok: true, record: { ...base, identifierKey: `NIP:${nip}`, idType, nip, euVatNumber: null, otherId: null, countryCode: 'PL' } };
  }
  if (idType === 'EU_VAT') {
    const country = row.countryCode;
    if (!country) return { ok: false, issues: [issue('countryCode', 'SCHEMA_REQUIRED', 'is required for an EU VAT id', 'jest wymagany dla numeru VAT UE')] };
    if (!row.euVatNumber) return { ok: false, issues: [issue('euVatNumber', 'SCHEMA_REQUIRED', 'is required when idType is EU_VAT', 'jest wymagany dla typu EU_VAT')] };
    const pattern = EU_VAT_FORMATS[country];
    if (!pattern || country === 'PL') {
      const d = ruleDescription('EU_VAT_COUNTRY');
      return { ok: false, issues: [issue('countryCode', 'EU_VAT_COUNTRY', `"${country}": ${d.en}`, `"${country}": ${d.pl}`)] };
    }
    // Master data comes in every spelling ("DE 123.456.789"); store the form the invoice rules expect.
    let number = row.euVatNumber.replace(/[\s.-]/g, '').toUpperCase();
    if (number.startsWith(country) && pattern.test(number.slice(country.length))) number = number.slice(country.length);
    if (!pattern.test(number)) {
      const d = ruleDescription('EU_VAT_ID_FORMAT');
      return { ok: false, issues: [issue('euVatNumber', 'EU_VAT_ID_FORMAT', `"${row.euVatNumber.slice(0, 40)}" (${country}): ${d.en}`, `"${row.euVatNumber.slice(0, 40)}" (${country}): ${d.pl}`)] };
    }
    return { ok: true, record: { ...base, identifierKey: `EU_VAT:${country}:${number}`, idType, nip: null, euVatNumber: number, otherId: null, countryCode: country } };
  }
  if (idType === 'OTHER') {
    if (!row.otherId) return { ok: false, issues: [issue('otherId', 'SCHEMA_REQUIRED', 'is required when idType is OTHER', 'jest wymagany dla typu OTHER')] };
    if (!row.countryCode) return { ok: false, issues: [issue('countryCode', 'SCHEMA_REQUIRED', 'is required for a non-EU identifier', 'jest wymagany dla identyfikatora spoza UE')] };
    return { ok: true, record: { ...base, identifierKey: `OTHER:${row.countryCode}:${row.otherId}`, idType, nip: null, euVatNumber: null, otherId: row.otherId, countryCode: row.countryCode } };
  }
  return { ok: false, issues: [issue('nip', 'COUNTERPARTY_IDENTIFIER_REQUIRED', 'a counterparty needs an identifier: nip, euVatNumber (with countryCode) or otherId (with countryCode)', 'kontrahent musi mieć identyfikator: nip, euVatNumber (z countryCode) lub otherId (z countryCode)')] };
}

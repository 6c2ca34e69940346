import type { z } from 'zod';
import { makeIssue } from './issue';
import { nipIssue } from './nip';
import type { RuleCode } from './rules';
import type { IssuePath, LocalizedMessage, ValidationIssue, VatDictionary } from './types';
import { unknownRateIssue } from './vat-rates';

/**
 * zod errors → the same issue shape business rules produce, so the API answers a malformed
 * payload and a business-rule violation identically. NIP and VAT-rate failures get the domain
 * codes (NIP_CHECKSUM, VAT_CODE_UNMAPPED…) because those are the ones users act on.
 */

type ZodIssue = z.core.$ZodIssue;

export interface SchemaIssueOptions {
  /** The payload that failed; lets NIP/VAT issues quote the value and tells "missing" from "wrong type". */
  input?: unknown;
  vatDictionary?: VatDictionary;
}

function valueAt(root: unknown, path: IssuePath): unknown {
  let cur = root;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

/** Known model-level format messages; the model's English text is kept, Polish is added here. */
const FORMAT_PL: Array<[RegExp, string]> = [
  [/decimal amount/, 'musi być kwotą z najwyżej 2 miejscami po przecinku, np. "1234.50"'],
  [/decimal quantity/, 'musi być liczbą z najwyżej 6 miejscami po przecinku'],
  [/decimal price/, 'musi być ceną z najwyżej 8 miejscami po przecinku'],
  [/decimal rate/, 'musi być kursem w postaci liczby dziesiętnej, np. "4.2512"'],
  [/YYYY-MM-DD/, 'musi być datą w formacie RRRR-MM-DD'],
  [/real calendar date/, 'nie jest istniejącą datą kalendarzową'],
  [/ISO 4217/, 'musi być 3-literowym kodem waluty ISO 4217, np. "EUR"'],
  [/country code/, 'musi być 2-literowym kodem kraju, np. "DE"'],
  [/KSeF number/, 'musi być 35-znakowym numerem KSeF'],
  [/lowercase id/, 'musi być krótkim identyfikatorem z małych liter, cyfr, "-" lub "_", np. "erp"'],
  [/at least one line/, 'faktura musi mieć co najmniej jedną pozycję'],
  [/percentage between 0 and 100/, 'musi być procentem od 0 do 100 z najwyżej 6 miejscami po przecinku'],
  [/internal id/, 'musi być identyfikatorem wewnętrznym: NIP, myślnik i 5 cyfr, np. "5260001246-00001"'],
  [/e-mail address/, 'musi być adresem e-mail'],
];

function translateFormat(message: string): string {
  return FORMAT_PL.find(([re]) => re.test(message))?.[1] ?? 'ma niewłaściwy format';
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function convert(issue: ZodIssue, options: SchemaIssueOptions): ValidationIssue {
  const path: IssuePath = issue.path.map((p) => (typeof p === 'symbol' ? String(p.description ?? 'symbol') : p));
  const last = path[path.length - 1];
  const value = valueAt(options.input, path);

  // "Missing" is the actionable message whatever check tripped first (enum, union, type).
  const missing = value === undefined && options.input !== undefined;
  if (missing && (issue.code === 'invalid_type' || issue.code === 'invalid_value' || issue.code === 'invalid_union')) {
    return makeIssue('SCHEMA_REQUIRED', path, { en: 'is required.', pl: 'jest wymagane.' });
  }
  if (last === 'nip' && issue.code === 'custom') {
    const nip = nipIssue(value, path);
    if (nip) return nip;
  }
  if (last === 'vatRate' && issue.code === 'invalid_value') {
    return unknownRateIssue(value, path, valueAt(options.input, ['sourceSystem']), options.vatDictionary);
  }

  let code: RuleCode;
  let detail: LocalizedMessage;
  switch (issue.code) {
    case 'invalid_type':
      code = 'SCHEMA_INVALID_TYPE';
      detail = options.input === undefined
        ? { en: `must be ${issue.expected}.`, pl: `musi być typu ${issue.expected}.` }
        : {
            en: `must be ${issue.expected}, not ${describeType(value)}.`,
            pl: `musi być typu ${issue.expected}, a nie ${describeType(value)}.`,
          };
      break;
    case 'invalid_format':
      code = 'SCHEMA_FORMAT';
      detail = { en: `${issue.message}.`, pl: `${translateFormat(issue.message)}.` };
      break;
    case 'too_small': {
      code = 'SCHEMA_TOO_SHORT';
      const min = String(issue.minimum);
      detail =
        issue.origin === 'array'
          ? { en: `needs at least ${min} item(s).`, pl: `wymaga co najmniej ${min} elementu(ów).` }
          : issue.origin === 'string'
            ? { en: min === '1' ? 'must not be empty.' : `must have at least ${min} characters.`, pl: min === '1' ? 'nie może być puste.' : `musi mieć co najmniej ${min} znaków.` }
            : { en: `must be at least ${min}.`, pl: `musi wynosić co najmniej ${min}.` };
      if (/at least one line/.test(issue.message)) detail = { en: 'an invoice needs at least one line.', pl: translateFormat(issue.message) + '.' };
      break;
    }
    case 'too_big': {
      code = 'SCHEMA_TOO_LONG';
      const max = String(issue.maximum);
      detail =
        issue.origin === 'array'
          ? { en: `may have at most ${max} items.`, pl: `może mieć najwyżej ${max} elementów.` }
          : issue.origin === 'string'
            ? { en: `may have at most ${max} characters.`, pl: `może mieć najwyżej ${max} znaków.` }
            : { en: `must be at most ${max}.`, pl: `może wynosić najwyżej ${max}.` };
      break;
    }
    case 'invalid_value': {
      code = 'SCHEMA_INVALID_VALUE';
      const allowed = issue.values.map((v) => JSON.stringify(v)).join(', ');
      detail = { en: `must be one of ${allowed}.`, pl: `musi mieć jedną z wartości: ${allowed}.` };
      break;
    }
    case 'invalid_union': {
      code = 'SCHEMA_INVALID_VALUE';
      const options_ = 'options' in issue && Array.isArray((issue as { options?: unknown[] }).options) ? (issue as { options: unknown[] }).options : undefined;
      detail = options_
        ? { en: `must be one of ${options_.map((v) => JSON.stringify(v)).join(', ')}.`, pl: `musi mieć jedną z wartości: ${options_.map((v) => JSON.stringify(v)).join(', ')}.` }
        : { en: 'does not match any allowed shape.', pl: 'nie pasuje do żadnej dozwolonej postaci.' };
      break;
    }
    case 'unrecognized_keys':
      // issuesFromZodError splits these per key first; this is the fallback for a direct call.
      code = 'SCHEMA_UNKNOWN_FIELD';
      detail = { en: `unexpected field(s): ${issue.keys.join(', ')}.`, pl: `nieoczekiwane pole(a): ${issue.keys.join(', ')}.` };
      break;
    default:
      code = issue.code === 'custom' && /real calendar date/.test(issue.message) ? 'SCHEMA_FORMAT' : 'SCHEMA_INVALID';
      detail = { en: `${issue.message}.`, pl: `${translateFormat(issue.message)}.` };
  }
  return makeIssue(code, path, detail);
}

/** One issue per field: a malformed date also fails the calendar check, which adds nothing for the user. */
export function issuesFromZodError(error: { issues: readonly ZodIssue[] }, options: SchemaIssueOptions = {}): ValidationIssue[] {
  const seen = new Set<string>();
  const out: ValidationIssue[] = [];
  for (const issue of error.issues) {
    const converted = issue.code === 'unrecognized_keys' ? unknownFieldIssues(issue) : [convert(issue, options)];
    for (const one of converted) {
      if (seen.has(one.field)) continue;
      seen.add(one.field);
      out.push(one);
    }
  }
  return out;
}

/**
 * One issue per unknown key, its path naming the key itself ("lines.0.splitPaymnet"): a misspelled
 * field is found by its own name, not by the object that holds it.
 */
export function unknownFieldIssues(issue: { path: readonly PropertyKey[]; keys: readonly string[] }, severity?: 'warning'): ValidationIssue[] {
  const parent: IssuePath = issue.path.map((p) => (typeof p === 'symbol' ? String(p.description ?? 'symbol') : p));
  return issue.keys.map((key) =>
    makeIssue(
      'SCHEMA_UNKNOWN_FIELD',
      // An empty key has no dotted form of its own; the holding object is named instead.
      key === '' ? parent : [...parent, key],
      severity === 'warning'
        ? { en: `"${key}" is not a field of the invoice model; it was dropped (unknown fields are allowed for this source system).`, pl: `"${key}" nie jest polem modelu faktury; pominięto je (ten system źródłowy może przesyłać nieznane pola).` }
        : { en: `"${key}" is not a field of the invoice model (misspelled?); nothing was stored.`, pl: `"${key}" nie jest polem modelu faktury (literówka?); niczego nie zapisano.` },
      severity,
    ),
  );
}

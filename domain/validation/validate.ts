import { InvoiceSchema, type Invoice } from '../invoice';
import { checkCounterparty } from './counterparty';
import { checkCurrency } from './currency';
import { checkDates } from './dates';
import { checkEuVatId } from './eu-vat';
import { checkInvoiceNumber } from './invoice-number';
import { checkInvoiceType } from './invoice-type';
import { makeIssue } from './issue';
import { checkNips } from './nip';
import { checkParties } from './parties';
import { issuesFromZodError, unknownFieldIssues } from './schema-issues';
import { checkSplitPayment } from './split-payment';
import { checkTotals } from './totals';
import type { Rule, ValidationContext, ValidationIssue, ValidationResult } from './types';
import { checkVatRates } from './vat-rates';
import { mapSourceVatCodes } from './vat-dictionary';
import { checkXmlText } from './xml-text';
import { checkXsd } from './xsd-step';

/** Order only affects the order of issues; every rule runs, so the user sees all problems at once. */
const RULE_CHAIN: ReadonlyArray<readonly [string, Rule]> = [
  ['nip', (inv) => checkNips(inv)],
  ['eu-vat', (inv) => checkEuVatId(inv)],
  ['parties', (inv) => checkParties(inv)],
  ['invoice-type', (inv) => checkInvoiceType(inv)],
  ['vat-rates', (inv, ctx) => checkVatRates(inv, ctx.vatDictionary)],
  ['totals', (inv) => checkTotals(inv)],
  ['currency', (inv) => checkCurrency(inv)],
  ['dates', (inv, ctx) => checkDates(inv, ctx.today)],
  ['split-payment', (inv) => checkSplitPayment(inv)],
  ['xml-text', (inv) => checkXmlText(inv)],
  ['invoice-number', (inv) => checkInvoiceNumber(inv)],
  ['counterparty', (inv, ctx) => checkCounterparty(inv, ctx.counterparties)],
];

export function resultOf(issues: ValidationIssue[]): ValidationResult {
  return { valid: !issues.some((i) => i.severity === 'error'), issues };
}

/**
 * Business validation before an invoice is sent to KSeF. Pure apart from the optional counterparty
 * lookup: no clock, no randomness, so it is safe to call from a Temporal activity and to replay.
 *
 * The invoice is re-checked against InvoiceSchema first; a caller holding data that never went
 * through the schema (from the DB, from a test) gets SCHEMA_* / NIP_* issues instead of a crash,
 * and business rules run only on data that has the model's shape. The XSD step runs last and only
 * when nothing else is an error — an XSD complaint about a field already reported would be noise.
 */
export async function validateInvoice(invoice: Invoice, context: ValidationContext): Promise<ValidationResult> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(context?.today ?? '')) {
    throw new TypeError('validateInvoice: context.today must be an ISO date (YYYY-MM-DD)');
  }
  const parsed = InvoiceSchema.safeParse(invoice);
  if (!parsed.success) {
    return resultOf(issuesFromZodError(parsed.error, { input: invoice, vatDictionary: context.vatDictionary }));
  }
  const data = parsed.data;
  const issues: ValidationIssue[] = [];
  for (const [name, rule] of RULE_CHAIN) {
    try {
      issues.push(...(await rule(data, context)));
    } catch (e) {
      // A rule bug must not take the workflow down; surface it as a blocking issue instead.
      issues.push(
        makeIssue('INTERNAL_RULE_ERROR', [], {
          en: `validation rule "${name}" failed unexpectedly (${e instanceof Error ? e.message.slice(0, 200) : String(e)}); please report this.`,
          pl: `reguła walidacji "${name}" zakończyła się nieoczekiwanym błędem (${e instanceof Error ? e.message.slice(0, 200) : String(e)}); zgłoś to.`,
        }),
      );
    }
  }
  if (context.xsd && !issues.some((i) => i.severity === 'error')) {
    issues.push(...(await checkXsd(data, context.today, typeof context.xsd === 'object' ? context.xsd : {})));
  }
  return resultOf(issues);
}

/**
 * For the API: raw JSON in, one uniform list of issues out (VAT code mapping, schema, business
 * rules). Returns the parsed invoice when it has the model's shape.
 */
export async function validateInvoiceInput(
  input: unknown,
  context: ValidationContext,
): Promise<ValidationResult & { invoice?: Invoice }> {
  const mapped = mapSourceVatCodes(input, context.vatDictionary ?? {});
  const lenient = dropUnknownFieldsIfAllowed(mapped.input, context);
  const parsed = lenient.parsed;
  if (!parsed.success) {
    const schema = issuesFromZodError(parsed.error, { input: lenient.input, vatDictionary: context.vatDictionary });
    // The mapper already named unmapped codes; drop the schema's duplicate for the same line.
    const seen = new Set(mapped.issues.map((i) => i.path.slice(0, 2).join('.')));
    const rest = schema.filter((i) => !(i.path[0] === 'lines' && i.path[2] === 'vatRate' && seen.has(i.path.slice(0, 2).join('.'))));
    return resultOf([...mapped.issues, ...lenient.dropped, ...rest]);
  }
  const result = await validateInvoice(parsed.data, context);
  return { ...resultOf([...mapped.issues, ...lenient.dropped, ...result.issues]), invoice: parsed.data };
}

/**
 * Unknown fields are refused (a misspelled `splitPaymnet` would otherwise vanish and the invoice go out
 * without split payment). Only a source system listed in `lenientSourceSystems` (old integrations that
 * send extra data) has them dropped, each named by a SCHEMA_UNKNOWN_FIELD warning.
 */
function dropUnknownFieldsIfAllowed(input: unknown, context: ValidationContext) {
  let parsed = InvoiceSchema.safeParse(input);
  const dropped: ValidationIssue[] = [];
  const system = input && typeof input === 'object' ? (input as { sourceSystem?: unknown }).sourceSystem : undefined;
  if (parsed.success || typeof system !== 'string' || !context.lenientSourceSystems?.includes(system)) return { parsed, input, dropped };
  let copy: unknown = input;
  // zod reports unknown keys of every level in one pass; a second round only catches keys under
  // a union branch that could not be chosen before.
  for (let round = 0; round < 3 && !parsed.success; round++) {
    const unknown = parsed.error.issues.filter((i) => i.code === 'unrecognized_keys');
    if (unknown.length === 0) break;
    if (copy === input) copy = structuredClone(input);
    for (const issue of unknown) {
      let holder: unknown = copy;
      for (const key of issue.path) holder = holder && typeof holder === 'object' ? (holder as Record<PropertyKey, unknown>)[key as PropertyKey] : undefined;
      if (holder && typeof holder === 'object') for (const key of issue.keys) delete (holder as Record<string, unknown>)[key];
      dropped.push(...unknownFieldIssues(issue, 'warning'));
    }
    parsed = InvoiceSchema.safeParse(copy);
  }
  return { parsed, input: copy, dropped };
}

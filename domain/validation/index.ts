/**
 * Pre-send validation: business rules that stop invoices KSeF would reject (or that would be
 * legally wrong), each with a stable code, a field path and a message in English and Polish.
 * See README.md in this folder for the list of codes.
 */
export { validateInvoice, validateInvoiceInput } from './validate';
export { RULES, RULE_CODES, ruleDescription, type RuleCode, type RuleDescription } from './rules';
export { issuesFromZodError, type SchemaIssueOptions } from './schema-issues';
export { mapSourceVatCodes, parseVatDictionary, vatDictionaryFromEnv, VatDictionaryError, type MappedVatCodes } from './vat-dictionary';
export { diagnoseNip } from './nip';
export { EU_VAT_FORMATS } from './eu-vat';
export type {
  CounterpartyLookup,
  CounterpartyRecord,
  IssuePath,
  LocalizedMessage,
  Severity,
  ValidationContext,
  ValidationIssue,
  ValidationResult,
  VatDictionary,
  XsdStepOptions,
} from './types';

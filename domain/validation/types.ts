import type { Invoice, VatRate } from '../invoice';
import type { RuleCode } from './rules';

export type IssuePath = (string | number)[];
export type Severity = 'error' | 'warning';

export interface LocalizedMessage {
  en: string;
  pl: string;
}

export interface ValidationIssue {
  code: RuleCode;
  path: IssuePath;
  /** Dotted form of `path` ("lines.2.vatRate"), convenient for UIs that highlight a field. */
  field: string;
  message: LocalizedMessage;
  severity: Severity;
}

export interface ValidationResult {
  /** False when at least one issue has severity "error"; warnings never block sending. */
  valid: boolean;
  issues: ValidationIssue[];
}

/** Source system id → its own VAT code → FA(3) rate, e.g. `{ erp: { A: '23', ZW: 'zw' } }`. */
export type VatDictionary = Record<string, Record<string, VatRate>>;

export interface CounterpartyRecord {
  nip: string;
  name?: string;
  /** False when the party is known but must not be invoiced (closed, blocked in the ERP, …). */
  active?: boolean;
  /** Status on the VAT white list, when the lookup knows it. */
  vatStatus?: 'ACTIVE' | 'EXEMPT' | 'NOT_REGISTERED' | 'REMOVED';
}

/** Backed by the database later; validation only needs reads and must survive lookup failures. */
export interface CounterpartyLookup {
  findByNip(nip: string): Promise<CounterpartyRecord | null>;
}

export interface XsdStepOptions {
  /** DataWytworzeniaFa used for the trial build; defaults to noon UTC of `today` so results stay deterministic. */
  generatedAt?: Date;
}

export interface ValidationContext {
  /** ISO date (YYYY-MM-DD) the check is made on; injected so rules never read the clock. */
  today: string;
  vatDictionary?: VatDictionary;
  counterparties?: CounterpartyLookup;
  /** Build FA(3) XML and validate it against the XSD as the last step (only when no errors were found before). */
  xsd?: boolean | XsdStepOptions;
  /** Source systems whose unknown invoice fields are dropped with a warning instead of refused (old integrations); default none. */
  lenientSourceSystems?: readonly string[];
}

/** A rule sees a schema-valid invoice; it may be async (counterparty lookups) and must not throw. */
export type Rule = (invoice: Invoice, context: ValidationContext) => ValidationIssue[] | Promise<ValidationIssue[]>;

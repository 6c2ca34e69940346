import { dottedField, fieldLabel } from './labels';
import { RULES, type RuleCode } from './rules';
import type { IssuePath, LocalizedMessage, Severity, ValidationIssue } from './types';

/**
 * Build an issue; the message is prefixed with the human field name so it reads on its own in
 * an e-mail or a table without the UI having to know the path.
 */
export function makeIssue(code: RuleCode, path: IssuePath, detail: LocalizedMessage, severity?: Severity): ValidationIssue {
  const label = fieldLabel(path);
  return {
    code,
    path,
    field: dottedField(path) || '(invoice)',
    message: { en: `${capitalize(label.en)}: ${detail.en}`, pl: `${capitalize(label.pl)}: ${detail.pl}` },
    severity: severity ?? RULES[code].severity,
  };
}

function capitalize(s: string): string {
  return s.length === 0 ? s : s[0].toUpperCase() + s.slice(1);
}

/** Amount in grosze printed the Polish way for messages ("1 234,50") next to the English one ("1,234.50"). */
export function formatAmount(grosze: bigint): LocalizedMessage {
  const negative = grosze < 0n;
  const abs = negative ? -grosze : grosze;
  const whole = (abs / 100n).toString();
  const frac = (abs % 100n).toString().padStart(2, '0');
  const group = (sep: string) => whole.replace(/\B(?=(\d{3})+(?!\d))/g, sep);
  const sign = negative ? '-' : '';
  return { en: `${sign}${group(',')}.${frac}`, pl: `${sign}${group('\u00a0')},${frac}` };
}

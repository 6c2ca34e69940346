/**
 * KSeF refuses a second invoice with the same seller NIP + RodzajFaktury + P_2, whoever sends it
 * (KSEF-API-FACTS.md §10 "Duplicate detection": checked globally, kept 10 years). The registry must
 * hold the same key, so two source systems cannot both get a 202 for one invoice number.
 *
 * How the number is compared: P_2 is an FA(3) `TZnakowy`, an `xsd:token`, so XML whitespace (space,
 * tab, CR, LF) is collapsed to single spaces and trimmed before KSeF ever sees the value. We do the
 * same and go one step further on purpose: every Unicode space separator (NBSP U+00A0, U+1680,
 * U+2000–U+200A, U+202F narrow NBSP, U+205F, U+3000) and the line/paragraph separators count as a
 * space too — a number pasted from a spreadsheet with an NBSP looks exactly like the one with a space,
 * and refusing a look-alike at the door is cheaper than a KSeF 440 after a day in a queue. The key is
 * also in Unicode NFC, so "é" typed as e + combining accent equals the precomposed "é". Letter case
 * is kept: KSeF compares P_2 as text and "fv/1" is a different number from "FV/1".
 */

const SPACES = /[\s\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]+/gu;

/** The comparison form of an invoice number (see above); the number itself is stored as sent. */
export function invoiceNumberKey(invoiceNumber: string): string {
  return invoiceNumber.normalize('NFC').replace(SPACES, ' ').trim();
}

/**
 * Invisible characters that make two numbers look alike while comparing different: format characters
 * (zero-width space/joiner, soft hyphen, bidi marks and overrides, BOM), line breaks and tabs inside a
 * number. XML control characters are TEXT_INVALID_CHARACTER already (any text field).
 */
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\p{Cf}\t\n\r\u2028\u2029]/u;

/** Scripts whose letters pass for Latin ones (А/A, Е/E, О/O, Р/P, С/C, Ѕ/S, Α/A, Ο/O, Ρ/P …). */
const SCRIPTS: ReadonlyArray<readonly [string, RegExp]> = [
  ['Latin', /\p{Script=Latin}/u],
  ['Cyrillic', /\p{Script=Cyrillic}/u],
  ['Greek', /\p{Script=Greek}/u],
];

export type InvoiceNumberProblem =
  | { kind: 'invisible'; codePoint: string; index: number }
  | { kind: 'mixed-script'; scripts: string[] };

/**
 * Why a number would be a look-alike of another, or null. Mixed scripts are refused only when letters
 * of two of Latin / Cyrillic / Greek meet in one number: "FV/Б/1" of a Cyrillic-only series is fine,
 * "SEC/XSYS-56d35а" with one Cyrillic "а" is not.
 */
export function invoiceNumberProblem(invoiceNumber: string): InvoiceNumberProblem | null {
  const chars = [...invoiceNumber];
  const at = chars.findIndex((c) => INVISIBLE.test(c));
  if (at >= 0) return { kind: 'invisible', codePoint: `U+${chars[at].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`, index: at };
  const scripts = SCRIPTS.filter(([, re]) => chars.some((c) => re.test(c))).map(([name]) => name);
  return scripts.length > 1 ? { kind: 'mixed-script', scripts } : null;
}

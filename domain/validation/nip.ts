import type { Invoice } from '../invoice';
import { isValidNip, normalizeNip } from '../nip';
import { makeIssue } from './issue';
import type { IssuePath, ValidationIssue } from './types';

export type NipProblem = 'NIP_FORMAT' | 'NIP_CHECKSUM';

/** Distinguishes "not a NIP at all" from "a NIP with a typo": the fix a user needs differs. */
export function diagnoseNip(raw: unknown): NipProblem | null {
  if (typeof raw !== 'string') return 'NIP_FORMAT';
  const nip = normalizeNip(raw);
  // KSeF's own pattern also forbids "00" in positions 2–3, which only the format rule can explain.
  if (!/^[1-9]((\d[1-9])|([1-9]\d))\d{7}$/.test(nip)) return 'NIP_FORMAT';
  return isValidNip(nip) ? null : 'NIP_CHECKSUM';
}

export function nipIssue(raw: unknown, path: IssuePath): ValidationIssue | null {
  const problem = diagnoseNip(raw);
  if (!problem) return null;
  const shown = typeof raw === 'string' ? `"${raw.slice(0, 40)}"` : String(typeof raw);
  return problem === 'NIP_FORMAT'
    ? makeIssue('NIP_FORMAT', path, {
        en: `${shown} is not a NIP — it must be 10 digits (spaces, dashes and a "PL" prefix are allowed) and cannot start with 0.`,
        pl: `${shown} nie jest NIP-em — musi mieć 10 cyfr (dozwolone spacje, myślniki i prefiks "PL") i nie może zaczynać się od 0.`,
      })
    : makeIssue('NIP_CHECKSUM', path, {
        en: `the check digit of ${shown} is wrong — please verify the number against the counterparty's documents.`,
        pl: `cyfra kontrolna w ${shown} jest błędna — sprawdź numer w dokumentach kontrahenta.`,
      });
}

export function checkNips(invoice: Invoice): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const seller = nipIssue(invoice.seller.nip, ['seller', 'nip']);
  if (seller) out.push(seller);
  if (invoice.buyer.identifier.type === 'NIP') {
    const buyer = nipIssue(invoice.buyer.identifier.nip, ['buyer', 'identifier', 'nip']);
    if (buyer) out.push(buyer);
  }
  return out;
}

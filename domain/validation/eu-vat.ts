import type { Invoice } from '../invoice';
import { makeIssue } from './issue';
import type { IssuePath, ValidationIssue } from './types';

/**
 * National VAT number shapes (without the country prefix), as published for VIES. Deliberately
 * structural only — VIES is the authority on whether a number exists.
 */
export const EU_VAT_FORMATS: Record<string, RegExp> = {
  AT: /^U\d{8}$/,
  BE: /^[01]\d{9}$/,
  BG: /^\d{9,10}$/,
  CY: /^\d{8}[A-Z]$/,
  CZ: /^\d{8,10}$/,
  DE: /^\d{9}$/,
  DK: /^\d{8}$/,
  EE: /^\d{9}$/,
  EL: /^\d{9}$/,
  ES: /^[A-Z0-9]\d{7}[A-Z0-9]$/,
  FI: /^\d{8}$/,
  FR: /^[A-Z0-9]{2}\d{9}$/,
  HR: /^\d{11}$/,
  HU: /^\d{8}$/,
  IE: /^(\d{7}[A-W][A-I]?|\d[A-Z+*]\d{5}[A-W])$/,
  IT: /^\d{11}$/,
  LT: /^(\d{9}|\d{12})$/,
  LU: /^\d{8}$/,
  LV: /^\d{11}$/,
  MT: /^\d{8}$/,
  NL: /^\d{9}B\d{2}$/,
  PT: /^\d{9}$/,
  RO: /^[1-9]\d{1,9}$/,
  SE: /^\d{10}01$/,
  SI: /^\d{8}$/,
  SK: /^\d{10}$/,
  XI: /^(\d{9}|\d{12}|GD\d{3}|HA\d{3})$/,
};

/** Codes people commonly type for the two members whose VAT prefix differs from ISO 3166. */
const ISO_TO_VAT_PREFIX: Record<string, string> = { GR: 'EL', GB: 'XI' };

export function checkEuVatId(invoice: Invoice): ValidationIssue[] {
  return euVatIdIssues(invoice.buyer.identifier, ['buyer', 'identifier'], { en: 'buyer', enMany: 'buyers', pl: 'nabywcę', plOf: 'nabywców' });
}

/** The same structural check for any party identified by an EU VAT id (buyer, third party, original buyer). */
export function euVatIdIssues(
  id: { type: string; countryCode?: string; vatNumber?: string },
  base: IssuePath,
  who: { en: string; enMany: string; pl: string; plOf: string },
): ValidationIssue[] {
  if (id.type !== 'EU_VAT' || id.countryCode === undefined || id.vatNumber === undefined) return [];
  const country = id.countryCode;
  if (country === 'PL') {
    return [
      makeIssue('EU_VAT_COUNTRY', [...base, 'countryCode'], {
        en: `a Polish ${who.en} must be identified by NIP (identifier type "NIP"), not as an EU VAT id.`,
        pl: `polskiego ${who.pl} identyfikuje się NIP-em (typ identyfikatora "NIP"), a nie numerem VAT UE.`,
      }),
    ];
  }
  const pattern = EU_VAT_FORMATS[country];
  if (!pattern) {
    const hint = ISO_TO_VAT_PREFIX[country];
    return [
      makeIssue('EU_VAT_COUNTRY', [...base, 'countryCode'], {
        en: `"${country}" is not an EU VAT country code${hint ? ` — use "${hint}"` : `; for ${who.enMany} outside the EU use identifier type "OTHER"`}.`,
        pl: `"${country}" nie jest kodem kraju UE dla VAT${hint ? ` — użyj "${hint}"` : `; dla ${who.plOf} spoza UE użyj typu identyfikatora "OTHER"`}.`,
      }),
    ];
  }
  const raw = id.vatNumber;
  const compact = raw.replace(/[\s.-]/g, '').toUpperCase();
  if (pattern.test(compact) && compact === raw) return [];
  const prefixed = compact.startsWith(country) && pattern.test(compact.slice(country.length));
  const detail = prefixed
    ? { en: `remove the "${country}" prefix — enter "${compact.slice(country.length)}".`, pl: `usuń prefiks "${country}" — wpisz "${compact.slice(country.length)}".` }
    : pattern.test(compact)
      ? { en: `write the number in capitals without spaces, dots or dashes: "${compact}".`, pl: `wpisz numer wielkimi literami, bez spacji, kropek i myślników: "${compact}".` }
      : { en: `"${raw.slice(0, 30)}" does not look like a ${country} VAT number.`, pl: `"${raw.slice(0, 30)}" nie wygląda na numer VAT z kraju ${country}.` };
  return [makeIssue('EU_VAT_ID_FORMAT', [...base, 'vatNumber'], detail)];
}

import type { Invoice } from '../invoice';
import { FORBIDDEN_TEXT } from '../text';
import { makeIssue } from './issue';
import type { IssuePath, ValidationIssue } from './types';

/**
 * Characters XML 1.0 forbids plus the discouraged ranges KSeF rejects (facts §10) — the one text
 * rule of domain/text.ts. Found before the XML is built so the user learns which field holds the
 * pasted control character.
 */
const FORBIDDEN = FORBIDDEN_TEXT;

export function findForbiddenText(value: unknown, path: IssuePath = [], found: IssuePath[] = [], limit = 20): IssuePath[] {
  if (found.length >= limit) return found;
  if (typeof value === 'string') {
    if (FORBIDDEN.test(value)) found.push(path);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => findForbiddenText(v, [...path, i], found, limit));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) findForbiddenText(v, [...path, k], found, limit);
  }
  return found;
}

export function checkXmlText(invoice: Invoice): ValidationIssue[] {
  return findForbiddenText(invoice).map((path) =>
    makeIssue('TEXT_INVALID_CHARACTER', path, {
      en: 'contains an invisible control or non-character (often pasted from another program); KSeF rejects such XML — retype the text.',
      pl: 'zawiera niewidoczny znak sterujący lub niedozwolony (często wklejony z innego programu); KSeF odrzuca taki XML — wpisz tekst ponownie.',
    }),
  );
}

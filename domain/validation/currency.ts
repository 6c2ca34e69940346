import type { Invoice } from '../invoice';
import { makeIssue } from './issue';
import type { ValidationIssue } from './types';

export function checkCurrency(invoice: Invoice): ValidationIssue[] {
  if (invoice.currency === 'PLN') {
    return invoice.exchangeRate !== undefined
      ? [
          makeIssue('CURRENCY_RATE_NOT_ALLOWED', ['exchangeRate'], {
            en: 'the invoice is in PLN, so it must not carry an exchange rate — remove it or set the invoice currency.',
            pl: 'faktura jest w PLN, więc nie może zawierać kursu waluty — usuń go albo ustaw walutę faktury.',
          }),
        ]
      : [];
  }
  if (invoice.exchangeRate === undefined) {
    return [
      makeIssue('CURRENCY_RATE_REQUIRED', ['exchangeRate'], {
        en: `the invoice is in ${invoice.currency}; give the PLN exchange rate (usually the NBP average rate from the last business day before the tax point).`,
        pl: `faktura jest w ${invoice.currency}; podaj kurs przeliczenia na PLN (zwykle średni kurs NBP z ostatniego dnia roboczego przed powstaniem obowiązku podatkowego).`,
      }),
    ];
  }
  if (!/[1-9]/.test(invoice.exchangeRate)) {
    return [
      makeIssue('CURRENCY_RATE_INVALID', ['exchangeRate'], {
        en: `the exchange rate ${invoice.exchangeRate} must be greater than zero.`,
        pl: `kurs waluty ${invoice.exchangeRate} musi być większy od zera.`,
      }),
    ];
  }
  return [];
}

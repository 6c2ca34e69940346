import type { Invoice } from '../invoice';
import { vatPercent } from '../totals';
import { makeIssue } from './issue';
import type { ValidationIssue } from './types';

/**
 * FA(3) wants a rate only where tax is converted to PLN: KursWaluty / KursWalutyZ are "the rate used
 * to compute the tax amount" and P_14_xW the tax "converted under Dział VI" (XSD annotations), both
 * optional. A foreign-currency invoice whose lines carry no tax (0 WDT, 0 EX, 0 KR, zw, np, oo) has
 * nothing to convert — MF example 23 (export in USD) has no rate at all.
 */
export function needsExchangeRate(invoice: Pick<Invoice, 'currency' | 'lines'>): boolean {
  return invoice.currency !== 'PLN' && invoice.lines.some((l) => vatPercent(l.vatRate) !== null);
}

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
    if (!needsExchangeRate(invoice)) return [];
    return [
      makeIssue('CURRENCY_RATE_REQUIRED', ['exchangeRate'], {
        en: `the invoice is in ${invoice.currency} and charges VAT, which must also be stated in PLN (art. 106e(11)); give the PLN exchange rate (usually the NBP average rate from the last business day before the tax point).`,
        pl: `faktura jest w ${invoice.currency} i nalicza VAT, który trzeba podać także w PLN (art. 106e ust. 11); podaj kurs przeliczenia na PLN (zwykle średni kurs NBP z ostatniego dnia roboczego przed powstaniem obowiązku podatkowego).`,
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

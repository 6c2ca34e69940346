import { lang } from './i18n.js';

const locale = () => (lang.value === 'pl' ? 'pl-PL' : 'en-GB');

export function money(amount, currency) {
  return `${Number(amount).toLocaleString(locale(), { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ${currency}`;
}

export function dateTime(iso) {
  return iso ? new Date(iso).toLocaleString(locale(), { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Warsaw' }) : '–';
}

export function duration(seconds) {
  if (seconds === null || seconds === undefined) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

export function percent(rate) {
  return rate === null || rate === undefined ? '–' : `${(rate * 100).toLocaleString(locale(), { maximumFractionDigits: 1 })}%`;
}

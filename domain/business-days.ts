/**
 * Business days on the Polish calendar, for the KSeF offline sending deadlines (facts §9):
 * Saturdays, Sundays and public holidays are not business days (Ordynacja podatkowa art. 12 §5
 * moves a deadline falling on them). Pure date arithmetic on YYYY-MM-DD strings, so it is the same
 * in activities, workflows and tests.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

function toUtc(date: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new RangeError(`KSEFOPS_INVALID_DATE: expected YYYY-MM-DD, got "${date}"`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
}

function fromUtc(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return fromUtc(toUtc(date) + days * DAY_MS);
}

/** Easter Sunday (Gregorian computus, anonymous algorithm). */
function easterSunday(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return Date.UTC(year, month - 1, day);
}

const holidayCache = new Map<number, ReadonlySet<string>>();

/** Statutory public holidays in Poland (ustawa o dniach wolnych od pracy), incl. 24 December from 2025. */
export function polishHolidays(year: number): ReadonlySet<string> {
  const cached = holidayCache.get(year);
  if (cached) return cached;
  const easter = easterSunday(year);
  const fixed = ['01-01', '01-06', '05-01', '05-03', '08-15', '11-01', '11-11', '12-25', '12-26'];
  if (year >= 2025) fixed.push('12-24');
  const days = new Set<string>(fixed.map((md) => `${year}-${md}`));
  for (const offset of [0, 1, 49, 60]) days.add(fromUtc(easter + offset * DAY_MS)); // Easter, Easter Monday, Pentecost, Corpus Christi
  holidayCache.set(year, days);
  return days;
}

export function isBusinessDay(date: string): boolean {
  const weekday = new Date(toUtc(date)).getUTCDay();
  if (weekday === 0 || weekday === 6) return false;
  return !polishHolidays(Number(date.slice(0, 4))).has(date);
}

/** The n-th business day after `date` (n ≥ 1); `date` itself never counts. */
export function addBusinessDays(date: string, n: number): string {
  let current = date;
  let left = n;
  while (left > 0) {
    current = addDays(current, 1);
    if (isBusinessDay(current)) left -= 1;
  }
  return current;
}

// Built once: constructing an Intl formatter costs more than formatting with it many times over
// (it showed up in CPU profiles of the API, the workers and the simulator alike).
const WARSAW_DATE = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Warsaw', year: 'numeric', month: '2-digit', day: '2-digit' });
const WARSAW_HOUR_MINUTE = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Warsaw', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** The calendar date in Poland of an instant (YYYY-MM-DD). */
export function warsawDateOf(instant: Date): string {
  return WARSAW_DATE.format(instant);
}

/** The last millisecond of a Polish calendar day, as an instant (handles CET/CEST). */
export function endOfWarsawDay(date: string): Date {
  const nextMidnightUtc = toUtc(addDays(date, 1));
  for (const offsetHours of [1, 2]) {
    const candidate = new Date(nextMidnightUtc - offsetHours * 60 * 60 * 1000);
    const hm = WARSAW_HOUR_MINUTE.format(candidate);
    if (hm === '00:00' && warsawDateOf(candidate) === addDays(date, 1)) return new Date(candidate.getTime() - 1);
  }
  throw new RangeError(`KSEFOPS_INVALID_DATE: cannot place the end of ${date} in Europe/Warsaw`);
}

export type OfflineMode = 'OFFLINE24' | 'UNAVAILABILITY' | 'EMERGENCY';

/**
 * The legal sending deadline (facts §9): offline24 — next business day after the issue date;
 * KSeF unavailability — next business day after it ends; emergency — 7 business days after it ends.
 * While an announced period is still going on its end is unknown: pass today, which gives the
 * earliest possible deadline (the workflow sends as soon as KSeF is back anyway).
 */
export function offlineSendingDeadline(mode: OfflineMode, issueDate: string, periodEndDate: string): Date {
  const day = mode === 'OFFLINE24' ? addBusinessDays(issueDate, 1) : mode === 'UNAVAILABILITY' ? addBusinessDays(periodEndDate, 1) : addBusinessDays(periodEndDate, 7);
  return endOfWarsawDay(day);
}

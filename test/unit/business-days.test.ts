import { addBusinessDays, endOfWarsawDay, isBusinessDay, offlineSendingDeadline, polishHolidays } from '../../domain/business-days';

describe('Polish business days', () => {
  it('knows the movable and fixed holidays', () => {
    const h2026 = polishHolidays(2026);
    // Easter 2026 is 5 April: Easter Monday 6 April, Pentecost 24 May, Corpus Christi 4 June.
    expect([...h2026]).toEqual(expect.arrayContaining(['2026-04-05', '2026-04-06', '2026-05-24', '2026-06-04', '2026-12-24', '2026-11-11']));
    expect(polishHolidays(2024).has('2024-12-24')).toBe(false);
    expect(polishHolidays(2025).has('2025-12-24')).toBe(true);
  });

  it('skips weekends and holidays', () => {
    expect(isBusinessDay('2026-02-06')).toBe(true); // Friday
    expect(isBusinessDay('2026-02-07')).toBe(false); // Saturday
    expect(addBusinessDays('2026-02-06', 1)).toBe('2026-02-09');
    // Thursday 24 Dec 2026 → 24, 25, 26(Sat), 27(Sun) off → Monday 28
    expect(addBusinessDays('2026-12-23', 1)).toBe('2026-12-28');
    // Easter: Friday 3 April 2026 → Monday 6 April is a holiday → Tuesday 7
    expect(addBusinessDays('2026-04-03', 1)).toBe('2026-04-07');
    expect(addBusinessDays('2026-04-30', 7)).toBe('2026-05-12'); // 1 May Fri, 3 May Sun
  });

  it('computes the legal deadlines at the end of the Polish day (CET and CEST)', () => {
    expect(offlineSendingDeadline('OFFLINE24', '2026-02-06', '2026-02-06').toISOString()).toBe('2026-02-09T22:59:59.999Z');
    expect(offlineSendingDeadline('UNAVAILABILITY', '2026-07-01', '2026-07-03').toISOString()).toBe('2026-07-06T21:59:59.999Z');
    expect(offlineSendingDeadline('EMERGENCY', '2026-02-02', '2026-02-06').toISOString()).toBe('2026-02-17T22:59:59.999Z');
    expect(endOfWarsawDay('2026-03-29').toISOString()).toBe('2026-03-29T21:59:59.999Z'); // DST starts that day
  });
});

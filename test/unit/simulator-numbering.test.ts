import { crc8, isValidKsefNumber, isValidReferenceNumber, newKsefNumber, newReferenceNumber } from '../../ksef-simulator/numbering';
import { RateLimiter } from '../../ksef-simulator/rate-limits';

describe('simulator identifiers', () => {
  it('verifies the documented KSeF number example', () => {
    expect(isValidKsefNumber('5265877635-20250826-0100001AF629-AF')).toBe(true);
    expect(crc8('5265877635-20250826-0100001AF629').toString(16).toUpperCase()).toBe('AF');
  });

  it('rejects a wrong CRC, including the one printed in the MF example invoices', () => {
    expect(isValidKsefNumber('5265877635-20250826-0100001AF629-AE')).toBe(false);
    expect(isValidKsefNumber('9999999999-20230908-8BEF280C8D35-4D')).toBe(false);
  });

  it('verifies documented reference numbers and the UPO example', () => {
    expect(isValidReferenceNumber('20250626-SO-2F14610000-242991F8C9-B4')).toBe(true);
    expect(isValidReferenceNumber('20250626-SO-2F14610000-242991F8C9-B5')).toBe(false);
  });

  it('issues 35-char KSeF numbers and 36-char reference numbers with valid CRCs', () => {
    const at = new Date('2026-03-01T23:30:00Z'); // already 2 March in Warsaw
    const ksef = newKsefNumber('5265877635', at);
    expect(ksef).toHaveLength(35);
    expect(ksef).toMatch(/^5265877635-20260302-[0-9A-F]{12}-[0-9A-F]{2}$/);
    expect(isValidKsefNumber(ksef)).toBe(true);
    const ref = newReferenceNumber('EE', at);
    expect(ref).toHaveLength(36);
    expect(ref.startsWith('20260302-EE-')).toBe(true);
    expect(isValidReferenceNumber(ref)).toBe(true);
  });
});

describe('simulator sliding-window rate limiter', () => {
  it('enforces all windows at once and computes Retry-After from the oldest hit', () => {
    const limiter = new RateLimiter(true, { invoiceSend: { perSecond: 2, perMinute: 3, perHour: null } });
    const t0 = 1_000_000;
    expect(limiter.check('invoiceSend', 'k', t0).allowed).toBe(true);
    expect(limiter.check('invoiceSend', 'k', t0 + 10).allowed).toBe(true);
    const perSecond = limiter.check('invoiceSend', 'k', t0 + 20);
    expect(perSecond).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    expect(limiter.check('invoiceSend', 'k', t0 + 1500).allowed).toBe(true);
    const perMinute = limiter.check('invoiceSend', 'k', t0 + 3000);
    expect(perMinute.allowed).toBe(false);
    expect(perMinute.retryAfterSeconds).toBe(57);
    expect(limiter.check('invoiceSend', 'other-key', t0 + 3000).allowed).toBe(true);
  });
});

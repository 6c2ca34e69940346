import { PUBLISHED_LIMITS, available, batchSessionInterval, lastUse, record, whenAvailable } from '../../workflows/rate-budget';

describe('rate budget', () => {
  it('spaces batch sessions so an hour of the published budget is never spent early', () => {
    // 60 batch-session requests an hour, two per session (open + close) → 30 sessions → one per 2 minutes.
    expect(batchSessionInterval(PUBLISHED_LIMITS)).toBe(120_000);
    expect(batchSessionInterval({ ...PUBLISHED_LIMITS, batchSession: { perSecond: 10, perMinute: 20, perHour: 7 } })).toBe(1_200_000);
    expect(batchSessionInterval({ ...PUBLISHED_LIMITS, batchSession: { perSecond: 1, perMinute: 1, perHour: 1 } })).toBe(3_600_000);
  });

  it('knows when a group was last used', () => {
    expect(lastUse({}, 'batchSession')).toBe(0);
    expect(lastUse(record({}, 'batchSession', [5_000, 9_000, 7_000]), 'batchSession')).toBe(9_000);
  });

  it('counts every window at once and says when the next request fits', () => {
    const now = 10_000_000;
    const log = record({}, 'onlineSend', Array.from({ length: 30 }, (_, i) => now - 50_000 + i * 1000));
    expect(available(log, PUBLISHED_LIMITS, 'onlineSend', now)).toBe(0); // 30 in the last minute
    // The oldest of the 30 leaves the minute window 60 s after it was sent.
    expect(whenAvailable(log, PUBLISHED_LIMITS, 'onlineSend', 1, now)).toBe(now - 50_000 + 60_000 + 1);
  });
});

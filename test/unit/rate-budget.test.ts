import { PUBLISHED_LIMITS, available, batchSessionInterval, nextBatchSessionAt, record, whenAvailable } from '../../workflows/rate-budget';

describe('rate budget', () => {
  it('spaces batch sessions so an hour of the published budget is never spent early', () => {
    // 60 batch-session requests an hour, two per session (open + close) → 30 sessions → one per 2 minutes.
    expect(batchSessionInterval(PUBLISHED_LIMITS)).toBe(120_000);
    expect(batchSessionInterval({ ...PUBLISHED_LIMITS, batchSession: { perSecond: 10, perMinute: 20, perHour: 7 } })).toBe(1_200_000);
    expect(batchSessionInterval({ ...PUBLISHED_LIMITS, batchSession: { perSecond: 1, perMinute: 1, perHour: 1 } })).toBe(3_600_000);
  });

  it('lets half the hour\'s batch sessions go at once, then paces the rest', () => {
    const now = 100_000_000;
    // 14 sessions (28 requests) in the last hour: under half of 30, the next may open now.
    let log = record({}, 'batchSession', Array.from({ length: 28 }, (_, i) => now - 600_000 + Math.floor(i / 2) * 1000));
    expect(nextBatchSessionAt(log, PUBLISHED_LIMITS, now)).toBe(now);
    // The 15th makes half: the next waits one interval after the latest.
    log = record(log, 'batchSession', [now - 5_000, now - 5_000]);
    expect(nextBatchSessionAt(log, PUBLISHED_LIMITS, now)).toBe(now - 5_000 + 120_000);
    // Sessions older than an hour no longer count.
    expect(nextBatchSessionAt(log, PUBLISHED_LIMITS, now + 3_600_000)).toBe(now + 3_600_000);
  });

  it('counts every window at once and says when the next request fits', () => {
    const now = 10_000_000;
    const log = record({}, 'onlineSend', Array.from({ length: 30 }, (_, i) => now - 50_000 + i * 1000));
    expect(available(log, PUBLISHED_LIMITS, 'onlineSend', now)).toBe(0); // 30 in the last minute
    // The oldest of the 30 leaves the minute window 60 s after it was sent.
    expect(whenAvailable(log, PUBLISHED_LIMITS, 'onlineSend', 1, now)).toBe(now - 50_000 + 60_000 + 1);
  });
});

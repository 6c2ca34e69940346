import { metricsAllowed } from '../../api/routes/metrics';

const TOKEN = 'metrics-token-0123456789abcdef';

describe('who may read /metrics', () => {
  it('without a token: callers on this host only', () => {
    for (const local of ['127.0.0.1', '::1', '::ffff:127.0.0.1', '127.1.2.3']) expect([local, metricsAllowed(local, undefined, undefined)]).toEqual([local, true]);
    for (const remote of ['10.0.0.5', '192.168.1.20', '::ffff:10.1.1.1', '2001:db8::1', '', undefined]) expect([remote, metricsAllowed(remote, undefined, undefined)]).toEqual([remote, false]);
  });

  it('with a token: that bearer token from anywhere, nothing else (loopback included)', () => {
    expect(metricsAllowed('10.0.0.5', `Bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(metricsAllowed('127.0.0.1', undefined, TOKEN)).toBe(false);
    expect(metricsAllowed('10.0.0.5', `Bearer ${TOKEN}x`, TOKEN)).toBe(false);
    expect(metricsAllowed('10.0.0.5', TOKEN, TOKEN)).toBe(false);
    expect(metricsAllowed('10.0.0.5', 'Bearer ', TOKEN)).toBe(false);
  });
});

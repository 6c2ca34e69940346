/**
 * The stuck-invoice sweep's SLAs are configuration: STUCK_SLA_JSON merges over the defaults, a step's
 * entry wins over its status's, and a bad value stops the process at start with a code naming the key.
 */
import { loadConfig } from '../../config';
import { defaultStuckSlas, stuckSweepSettings } from '../../config/stuck-slas';
import { slaFor } from '../../activities/stuck-sweep';

const APPROVAL = 8 * 3_600_000;

describe('stuck-invoice SLAs', () => {
  it('defaults cover every open status and none of the final ones', () => {
    const slas = defaultStuckSlas(APPROVAL);
    for (const status of ['RECEIVED', 'VALIDATING', 'AWAITING_APPROVAL', 'SENDING', 'SENT', 'NEEDS_FIX', 'REJECTED']) expect(slas[status]).toBeGreaterThan(0);
    for (const status of ['ACCEPTED', 'MANUAL_EXCEPTION', 'CANCELLED']) expect(slas[status]).toBeUndefined();
    expect(slas.AWAITING_APPROVAL).toBe(2 * APPROVAL);
  });

  it('STUCK_SLA_JSON overrides per status and per step; a step entry wins over its status', () => {
    const settings = stuckSweepSettings({ STUCK_SLA_JSON: '{"SENDING":1800000,"SENT/confirm":60000}', STUCK_REALERT_MS: 3_600_000 }, APPROVAL);
    expect(slaFor(settings, 'SENDING', 'send')).toBe(1_800_000);
    expect(slaFor(settings, 'SENDING', 'offline')).toBe(5 * 24 * 3_600_000);
    expect(slaFor(settings, 'SENT', 'confirm')).toBe(60_000);
    expect(slaFor(settings, 'SENT', 'other')).toBe(2 * 3_600_000);
    expect(slaFor(settings, 'ACCEPTED', 'closed')).toBeNull();
    expect(settings.realertAfterMs).toBe(3_600_000);
  });

  it.each([
    ['{not json', 'not valid JSON'],
    ['{"ACCEPTED":60000}', 'ACCEPTED'],
    ['{"SENDING":5}', 'at least 1000 ms'],
    ['{"SENDING":"soon"}', 'SENDING'],
    ['{"sending":60000}', 'sending'],
  ])('refuses STUCK_SLA_JSON=%s with KSEFOPS_CONFIG_INVALID', (json, named) => {
    expect(() => stuckSweepSettings({ STUCK_SLA_JSON: json }, APPROVAL)).toThrow(/KSEFOPS_CONFIG_INVALID/);
    expect(() => stuckSweepSettings({ STUCK_SLA_JSON: json }, APPROVAL)).toThrow(named);
  });

  it('reaches the configuration the worker reads (env → config.stuck)', () => {
    const config = loadConfig({ STUCK_SLA_JSON: '{"VALIDATING":120000}', SLA_APPROVAL_MS: '3600000', STUCK_REALERT_MS: '600000' } as NodeJS.ProcessEnv);
    expect(config.stuck.slaMs.VALIDATING).toBe(120_000);
    expect(config.stuck.slaMs.AWAITING_APPROVAL).toBe(2 * 3_600_000);
    expect(config.stuck.realertAfterMs).toBe(600_000);
    expect(config.alerts.sweep.checksEveryMs).toBe(5 * 60_000);
  });
});

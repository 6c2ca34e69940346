import { matchingClassesOf, pickRule, problemClassOf } from '../../activities/alerting';
import { backoffMs } from '../../activities/webhooks/delivery';
import { signPayload, verifySignature } from '../../activities/webhooks/signature';
import { requirementOf } from '../../api/auth/route-policy';

const rule = (id: string, r: Partial<{ sourceSystem: string; sellerNip: string; errorClass: string; errorCode: string }>, createdAt = new Date(0)) => ({
  id,
  sourceSystem: r.sourceSystem ?? null,
  sellerNip: r.sellerNip ?? null,
  errorClass: r.errorClass ?? null,
  errorCode: r.errorCode ?? null,
  role: null,
  owner: `${id}@example.test`,
  escalation: [],
  webhookUrl: null,
  createdAt,
});

describe('responsibility map: most specific rule wins', () => {
  const rules = [
    rule('catch-all', {}),
    rule('erp', { sourceSystem: 'erp' }),
    rule('rejections', { errorClass: 'ksef-rejection' }),
    rule('erp-rejections', { sourceSystem: 'erp', errorClass: 'ksef-rejection' }),
    rule('seller-rejections', { sellerNip: '5260001246', errorClass: 'ksef-rejection' }),
    rule('code-450', { errorCode: 'KSEF_450' }),
    rule('sla', { errorClass: 'sla' }),
  ];
  const facts = (over: object) => ({ sourceSystem: 'erp', sellerNip: '1111111111', errorClasses: ['ksef-rejection' as const], errorCode: 'KSEF_440', ...over });

  it('prefers more criteria, then code > NIP > source system > class', () => {
    expect(pickRule(rules, facts({}))?.id).toBe('erp-rejections');
    expect(pickRule(rules, facts({ sellerNip: '5260001246' }))?.id).toBe('seller-rejections');
    expect(pickRule(rules, facts({ sourceSystem: 'crm' }))?.id).toBe('rejections');
    expect(pickRule(rules, facts({ sourceSystem: 'crm', errorCode: 'KSEF_450' }))?.id).toBe('code-450');
    expect(pickRule(rules, { errorClasses: ['validation'], errorCode: 'NIP_CHECKSUM' })?.id).toBe('catch-all');
    expect(pickRule([], facts({}))).toBeNull();
  });

  it('lets escalations match SLA rules before the problem class', () => {
    const classes = matchingClassesOf({ kind: 'sla-missed', errorCode: 'KSEF_450' });
    expect(classes).toEqual(['sla', 'ksef-rejection']);
    expect(pickRule(rules.filter((r) => r.errorClass), { sourceSystem: 'crm', errorClasses: classes, errorCode: 'X' })?.id).toBe('sla');
  });

  it('classifies problems', () => {
    expect(problemClassOf({ kind: 'triage', errorCode: 'KSEF_450' })).toBe('ksef-rejection');
    expect(problemClassOf({ kind: 'triage', errorCode: 'KSEF_TIMEOUT' })).toBe('ksef-unavailable');
    expect(problemClassOf({ kind: 'triage', errorCode: 'NIP_CHECKSUM' })).toBe('validation');
    expect(problemClassOf({ kind: 'approval-needed', errorCode: 'APPROVAL_REQUIRED' })).toBe('approval');
    expect(problemClassOf({ kind: 'bus-factor', errorCode: 'BUS_FACTOR_ADMIN' })).toBe('bus-factor');
  });
});

describe('status webhook signature and backoff', () => {
  it('signs timestamp + body and refuses tampering and stale timestamps', () => {
    const now = 1_800_000_000;
    const sig = signPayload('whsec_x', now, '{"a":1}');
    expect(sig).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(verifySignature('whsec_x', now, '{"a":1}', sig, 300, now + 10)).toBe(true);
    expect(verifySignature('whsec_x', now, '{"a":2}', sig, 300, now + 10)).toBe(false);
    expect(verifySignature('whsec_y', now, '{"a":1}', sig, 300, now + 10)).toBe(false);
    expect(verifySignature('whsec_x', now, '{"a":1}', sig, 300, now + 301)).toBe(false);
  });

  it('backs off exponentially up to the cap', () => {
    const s = { initialBackoffMs: 1000, maxBackoffMs: 5000 };
    expect([1, 2, 3, 4, 5].map((a) => backoffMs(a, s))).toEqual([1000, 2000, 4000, 5000, 5000]);
  });
});

describe('route policy', () => {
  it('maps requests to matrix actions', () => {
    expect(requirementOf('POST', '/api/v1/invoices')).toEqual({ kind: 'action', action: 'invoice.submit' });
    expect(requirementOf('POST', '/api/v1/invoices/x/actions/approve')).toEqual({ kind: 'action', action: 'invoice.approve' });
    expect(requirementOf('GET', '/api/v1/invoices/x/upo')).toEqual({ kind: 'action', action: 'invoice.read' });
    expect(requirementOf('DELETE', '/api/v1/invoices/x')).toEqual({ kind: 'not-in-matrix' });
    expect(requirementOf('GET', '/healthz')).toEqual({ kind: 'public' });
    expect(requirementOf('POST', '/api/v1/auth/login')).toEqual({ kind: 'public' });
    expect(requirementOf('PATCH', '/api/v1/users/1')).toEqual({ kind: 'action', action: 'users.manage' });
  });
});

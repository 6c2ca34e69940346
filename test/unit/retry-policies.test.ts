/**
 * No activity may retry forever on a deterministic error: every proxyActivities call in workflows/
 * takes a named policy from the one table (workflows/retry-policies.ts), and each policy is bounded
 * or says why unbounded is right. A new proxy with inline options, or an unbounded policy without a
 * reason, fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { RETRY_POLICIES, activityOptions, type NamedPolicy } from '../../workflows/retry-policies';

const WORKFLOWS = path.resolve(__dirname, '..', '..', 'workflows');

interface ProxyCall {
  file: string;
  line: number;
  argument: string;
}

/** Every `proxyActivities<…>(…)` call in a source text, with its argument (parentheses balanced). */
function proxyCallsIn(file: string, source: string): ProxyCall[] {
  const calls: ProxyCall[] = [];
  const pattern = /\bproxyActivities\s*(<[^()]*?>)?\s*\(/g;
  for (let m = pattern.exec(source); m; m = pattern.exec(source)) {
    let depth = 1;
    let i = m.index + m[0].length;
    const start = i;
    for (; i < source.length && depth > 0; i++) {
      if (source[i] === '(') depth++;
      else if (source[i] === ')') depth--;
    }
    calls.push({ file, line: source.slice(0, m.index).split('\n').length, argument: source.slice(start, i - 1).trim() });
  }
  return calls;
}

/** The policy name a call uses, or why it does not count as using the table. */
function policyOf(call: ProxyCall): { name: string } | { problem: string } {
  const m = /^activityOptions\(\s*'([A-Za-z]+)'\s*(,[\s\S]*)?\)$/.exec(call.argument);
  if (!m) return { problem: `${call.file}:${call.line} passes inline options instead of activityOptions('<policy>'): ${call.argument.slice(0, 80)}` };
  if (!(m[1] in RETRY_POLICIES)) return { problem: `${call.file}:${call.line} names unknown policy '${m[1]}'` };
  // Per call only the bound, the first delay and the heartbeat may come from settings.
  const overrides = m[2] ?? '';
  const keys = [...overrides.matchAll(/([A-Za-z]+)\s*:/g)].map((k) => k[1]);
  const allowed = ['maximumAttempts', 'initialInterval', 'heartbeatTimeout'];
  const extra = keys.filter((k) => !allowed.includes(k));
  if (extra.length) return { problem: `${call.file}:${call.line} overrides ${extra.join(', ')} outside the table` };
  return { name: m[1] };
}

function workflowSources(): Array<{ file: string; source: string }> {
  return readdirSync(WORKFLOWS)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => ({ file: `workflows/${f}`, source: readFileSync(path.join(WORKFLOWS, f), 'utf8') }));
}

describe('retry policies', () => {
  const calls = workflowSources().flatMap(({ file, source }) => proxyCallsIn(file, source));

  it('finds the proxies of every workflow', () => {
    const files = new Set(calls.map((c) => c.file));
    for (const f of ['workflows/invoice-lifecycle.ts', 'workflows/dispatcher.ts', 'workflows/operations-sweep.ts', 'workflows/purchase-import.ts', 'workflows/counterparty-audit.ts']) {
      expect(files).toContain(f);
    }
    expect(calls.length).toBeGreaterThanOrEqual(10);
  });

  it('every proxyActivities call uses a named policy from the table', () => {
    const problems = calls.map(policyOf).filter((p): p is { problem: string } => 'problem' in p);
    expect(problems).toEqual([]);
  });

  it('every policy is bounded or explains why unbounded is right', () => {
    for (const [name, policy] of Object.entries(RETRY_POLICIES) as Array<[string, NamedPolicy]>) {
      const bounded = typeof policy.retry.maximumAttempts === 'number' && policy.retry.maximumAttempts > 0;
      if (!bounded) expect({ name, reason: (policy.unboundedReason ?? '').length >= 40 }).toEqual({ name, reason: true });
      // A bounded policy with a reason for being unbounded would be a stale comment.
      if (bounded) expect({ name, unboundedReason: policy.unboundedReason }).toEqual({ name, unboundedReason: undefined });
    }
  });

  it('every policy in the table is used by some workflow (no stale rows)', () => {
    const used = new Set(calls.map(policyOf).flatMap((p) => ('name' in p ? [p.name] : [])));
    expect([...Object.keys(RETRY_POLICIES)].filter((n) => !used.has(n))).toEqual([]);
  });

  it('the check itself catches inline options, unknown names and overrides outside the table', () => {
    const bad = proxyCallsIn(
      'x.ts',
      `const a = proxyActivities<A>({ startToCloseTimeout: '1 minute', retry: { initialInterval: '1 second' } });
       const b = proxyActivities<B>(activityOptions('nope'));
       const c = proxyActivities<C>(activityOptions('registry', { maximumInterval: 5 }));
       const d = proxyActivities<D>(activityOptions('ksefCall', { maximumAttempts: settings.ksefMaxAttempts }));`,
    );
    expect(bad.map(policyOf)).toEqual([
      { problem: expect.stringContaining('inline options') },
      { problem: expect.stringContaining("unknown policy 'nope'") },
      { problem: expect.stringContaining('overrides maximumInterval') },
      { name: 'ksefCall' },
    ]);
  });

  it('activityOptions carries the table and the per-call bound', () => {
    expect(activityOptions('ksefCall', { maximumAttempts: 7, initialInterval: 100 })).toEqual({
      startToCloseTimeout: '2 minutes',
      retry: { maximumAttempts: 7, initialInterval: 100, backoffCoefficient: 2, nonRetryableErrorTypes: ['KSEF_BUSINESS_REJECTION', 'KSEF_AUTH'] },
    });
    expect(activityOptions('registry')).toEqual({ startToCloseTimeout: '1 minute', retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 } });
  });
});

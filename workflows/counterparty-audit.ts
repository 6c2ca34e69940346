import { proxyActivities } from '@temporalio/workflow';
import type { CounterpartyAuditActivities } from '../activities/counterparty-audit';

const { runCounterpartyAudit } = proxyActivities<CounterpartyAuditActivities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '5 seconds', maximumAttempts: 5 },
});

/** Started by the counterparty-audit Schedule (and by the API on demand): one stored audit run. */
export async function counterpartyAuditWorkflow(input: { trigger: string }): Promise<{ runId: string; checked: number; failing: number }> {
  return runCounterpartyAudit(input);
}

import { proxyActivities } from '@temporalio/workflow';
import type { CounterpartyAuditActivities } from '../activities/counterparty-audit';
import { activityOptions } from './retry-policies';

const { runCounterpartyAudit } = proxyActivities<CounterpartyAuditActivities>(activityOptions('counterpartyAudit'));

/** Started by the counterparty-audit Schedule (and by the API on demand): one stored audit run. */
export async function counterpartyAuditWorkflow(input: { trigger: string }): Promise<{ runId: string; checked: number; failing: number }> {
  return runCounterpartyAudit(input);
}

import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';

export const counterpartyAuditScheduleId = (taskQueue: string) => `counterparty-audit/${taskQueue}`;

/**
 * The counterparty audit's Temporal Schedule, one per task queue. Every worker calls this at start:
 * the first creates it, later ones bring its interval in line with their configuration.
 */
export async function ensureCounterpartyAuditSchedule(client: Client, taskQueue: string, everyMs: number): Promise<string> {
  const scheduleId = counterpartyAuditScheduleId(taskQueue);
  const spec = { intervals: [{ every: everyMs }] };
  try {
    await client.schedule.create({
      scheduleId,
      spec,
      action: { type: 'startWorkflow', workflowType: 'counterpartyAuditWorkflow', taskQueue, args: [{ trigger: 'schedule' }], workflowId: `counterparty-audit-scheduled/${taskQueue}` },
      // A run still going when the next is due makes the next one pointless.
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: Math.max(everyMs, 60_000) },
    });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec }));
  }
  return scheduleId;
}

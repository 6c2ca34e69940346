import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptionsAction } from '@temporalio/client';

export interface PurchaseImportScheduleOptions {
  buyerNips: string[];
  everyMs: number;
  /** Schedule ids are `<prefix><buyer NIP>`; tests sharing one server use their own prefix. */
  idPrefix?: string;
}

export const PURCHASE_IMPORT_SCHEDULE_PREFIX = 'purchase-import-';

/**
 * One Temporal Schedule per buyer NIP, created or brought up to date on every start (idempotent).
 * Overlapping runs are skipped: a slow import is never raced by the next tick.
 */
export async function ensurePurchaseImportSchedules(temporal: Client, taskQueue: string, options: PurchaseImportScheduleOptions): Promise<string[]> {
  const ids: string[] = [];
  for (const buyerNip of options.buyerNips) {
    const scheduleId = `${options.idPrefix ?? PURCHASE_IMPORT_SCHEDULE_PREFIX}${buyerNip}`;
    const action: ScheduleOptionsAction = {
      type: 'startWorkflow',
      workflowType: 'purchaseImportWorkflow',
      workflowId: `${scheduleId}-run`,
      taskQueue,
      args: [{ buyerNip }],
    };
    const spec = { intervals: [{ every: options.everyMs }] };
    try {
      await temporal.schedule.create({ scheduleId, spec, action, policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' } });
    } catch (error) {
      if (!(error instanceof ScheduleAlreadyRunning)) throw error;
      await temporal.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec, action, policies: { ...previous.policies, overlap: ScheduleOverlapPolicy.SKIP } }));
    }
    ids.push(scheduleId);
  }
  return ids;
}

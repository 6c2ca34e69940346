import type { Client } from '@temporalio/client';
import type { PrismaClient } from '../../prisma/client';
import { getStateQuery, type HumanDecision, type InvoiceWorkflowState } from '../../workflows/contracts';

export interface TimelineEntry {
  at: string;
  source: 'audit' | 'workflow';
  action: string;
  actor: string;
  /** The person's name when the actor is a user (`user:<id>`), so finance sees who, not an id. */
  actorName: string | null;
  result: string | null;
  details: unknown;
}

/** The workflow's own view; null when it cannot answer quickly (no worker, engine down). */
export async function workflowState(temporal: Client, workflowId: string, timeoutMs = 3000): Promise<InvoiceWorkflowState | null> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      temporal.workflow.getHandle(workflowId).query(getStateQuery),
      new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), timeoutMs);
      }),
    ]);
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Every step (audit log, written by the workflow) and every human decision. Decisions normally
 * have their own audit entry; one the log lacks (e.g. the audit write is still being retried) is
 * taken from the workflow so the timeline never hides a decision.
 */
export async function invoiceTimeline(prisma: PrismaClient, id: string, decisions: HumanDecision[]): Promise<TimelineEntry[]> {
  const events = await prisma.auditEvent.findMany({ where: { targetType: 'invoice', targetId: id }, orderBy: [{ at: 'asc' }, { id: 'asc' }] });
  const entries: TimelineEntry[] = events.map((e) => ({
    at: e.at.toISOString(),
    source: 'audit',
    action: e.action,
    actor: e.actor,
    actorName: null,
    result: e.result,
    details: e.details ?? null,
  }));
  for (const d of decisions) {
    const action = `invoice.${d.action}`;
    const logged = entries.some((e) => e.action === action && e.actor === d.by && Math.abs(Date.parse(e.at) - Date.parse(d.at)) < 60_000);
    if (!logged) entries.push({ at: d.at, source: 'workflow', action, actor: d.by, actorName: null, result: 'decided', details: d.note ? { note: d.note } : null });
  }
  const userIds = [...new Set(entries.map((e) => /^user:([0-9a-f-]{36})$/.exec(e.actor)?.[1]).filter((id): id is string => !!id))];
  if (userIds.length) {
    const users = await prisma.user.findMany({ where: { id: { in: userIds } }, select: { id: true, name: true } });
    const names = new Map(users.map((u) => [`user:${u.id}`, u.name]));
    for (const e of entries) e.actorName = names.get(e.actor) ?? null;
  }
  return entries.sort((a, b) => a.at.localeCompare(b.at));
}

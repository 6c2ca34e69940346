import type { Request } from 'express';
import type { PrismaClient } from '../../prisma/client';
import { appendAudit } from '../../prisma/invoice-registry';
import { actorOf } from '../actor';

/** Every API-level change (login, users, keys, rules, subscriptions) is written to the audit log. */
export function auditRequest(prisma: PrismaClient, req: Request, action: string, targetType: string, targetId: string, result: string, details?: Record<string, unknown>) {
  return appendAudit(prisma, { actor: actorOf(req), action, targetType, targetId, result, details: { ...details, ip: req.ip } });
}

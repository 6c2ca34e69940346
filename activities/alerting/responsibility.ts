import type { PrismaClient } from '../../prisma/client';
import type { ErrorClass } from './types';

export interface ResponsibilityCriteria {
  sourceSystem?: string | null;
  sellerNip?: string | null;
  /** Acceptable classes, most preferred first (an escalation accepts 'sla' and the problem's class). */
  errorClasses: ErrorClass[];
  errorCode?: string | null;
}

export interface RuleLike {
  id: string;
  sourceSystem: string | null;
  sellerNip: string | null;
  errorClass: string | null;
  errorCode: string | null;
  role: string | null;
  owner: string;
  escalation: string[];
  webhookUrl: string | null;
  createdAt: Date;
}

export interface Responsibility {
  ruleId: string | null;
  role: string | null;
  /** Owner first, then the escalation levels. */
  chain: string[];
  webhookUrl: string | null;
}

/**
 * Most specific rule wins: more criteria set beats fewer; on a tie, an exact error code beats a seller
 * NIP, which beats a source system, which beats an error class; then the preferred class; then the oldest
 * rule (so adding a rule never silently steals alerts from an equally specific existing one).
 */
export function pickRule<R extends RuleLike>(rules: R[], c: ResponsibilityCriteria): R | null {
  const ranked = rules
    .filter(
      (r) =>
        (r.sourceSystem === null || r.sourceSystem === c.sourceSystem) &&
        (r.sellerNip === null || r.sellerNip === c.sellerNip) &&
        (r.errorCode === null || r.errorCode === c.errorCode) &&
        (r.errorClass === null || c.errorClasses.includes(r.errorClass as ErrorClass)),
    )
    .map((r) => {
      const set = [r.errorCode, r.sellerNip, r.sourceSystem, r.errorClass].filter((v) => v !== null).length;
      const weight = (r.errorCode ? 8 : 0) + (r.sellerNip ? 4 : 0) + (r.sourceSystem ? 2 : 0) + (r.errorClass ? 1 : 0);
      const classRank = r.errorClass === null ? c.errorClasses.length : c.errorClasses.indexOf(r.errorClass as ErrorClass);
      return { r, set, weight, classRank };
    })
    .sort((a, b) => b.set - a.set || b.weight - a.weight || a.classRank - b.classRank || a.r.createdAt.getTime() - b.r.createdAt.getTime());
  return ranked[0]?.r ?? null;
}

export async function resolveResponsibility(prisma: PrismaClient, c: ResponsibilityCriteria, fallbackChain: string[]): Promise<Responsibility> {
  const rules = await prisma.responsibilityRule.findMany({ where: { active: true } });
  const rule = pickRule(rules, c);
  if (!rule) return { ruleId: null, role: null, chain: fallbackChain, webhookUrl: null };
  return { ruleId: rule.id, role: rule.role, chain: [rule.owner, ...rule.escalation], webhookUrl: rule.webhookUrl };
}

import type { Invoice } from '../domain/invoice';
import { toGrosze } from '../domain/money';
import { grossTotal } from '../domain/totals';
import type { PrismaClient } from '../prisma/client';

export interface ApprovalRuleMatch {
  /** null for the configuration threshold (APPROVAL_THRESHOLD_GROSS). */
  id: string | null;
  name: string;
  reason: string;
}

function buyerIdOf(invoice: Invoice): string | null {
  const id = invoice.buyer.identifier;
  return id.type === 'NIP' ? id.nip : id.type === 'EU_VAT' ? `${id.countryCode}${id.vatNumber}` : id.type === 'OTHER' ? id.id : null;
}

/**
 * Which rule (if any) holds this invoice for an approver. A rule matches when every criterion it
 * sets matches; the oldest matching rule is named (stable answers for reports), then the
 * configured threshold as a fallback rule.
 */
export async function evaluateApprovalRules(prisma: PrismaClient, invoice: Invoice, envThresholdGross: string | null): Promise<ApprovalRuleMatch | null> {
  const gross = invoice.grossAmount ? toGrosze(invoice.grossAmount) : grossTotal(invoice);
  const buyer = buyerIdOf(invoice);
  const rules = await prisma.approvalRule.findMany({ where: { active: true }, orderBy: { createdAt: 'asc' } });
  for (const r of rules) {
    const reasons: string[] = [];
    if (r.minGross !== null) {
      if (gross < toGrosze(r.minGross.toFixed(2))) continue;
      reasons.push(`gross amount reaches ${r.minGross.toFixed(2)} ${invoice.currency === 'PLN' ? 'PLN' : `(${invoice.currency})`}`);
    }
    if (r.buyerNips.length) {
      if (!buyer || !r.buyerNips.includes(buyer)) continue;
      reasons.push(`buyer ${buyer} is on the list`);
    }
    if (r.invoiceTypes.length) {
      if (!r.invoiceTypes.includes(invoice.type)) continue;
      reasons.push(`invoice type ${invoice.type}`);
    }
    if (r.sourceSystems.length) {
      if (!r.sourceSystems.includes(invoice.sourceSystem)) continue;
      reasons.push(`source system ${invoice.sourceSystem}`);
    }
    if (r.sellerNips.length) {
      if (!r.sellerNips.includes(invoice.seller.nip)) continue;
      reasons.push(`seller ${invoice.seller.nip}`);
    }
    if (reasons.length === 0) continue;
    return { id: r.id, name: r.name, reason: `Rule "${r.name}": ${reasons.join(', ')}` };
  }
  if (envThresholdGross !== null && gross >= toGrosze(envThresholdGross)) {
    return { id: null, name: 'APPROVAL_THRESHOLD_GROSS', reason: `Gross amount reaches the approval threshold of ${envThresholdGross} PLN` };
  }
  return null;
}

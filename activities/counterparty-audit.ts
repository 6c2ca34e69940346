import type { Invoice } from '../domain/invoice';
import { diagnoseNip, ruleDescription, RULES, type CounterpartyRecord, type LocalizedMessage, type RuleCode } from '../domain/validation';
import { checkCounterparty } from '../domain/validation/counterparty';
import { checkEuVatId } from '../domain/validation/eu-vat';
import type { PrismaClient } from '../prisma/client';
import { allCounterparties } from '../prisma/counterparty-repository';

/**
 * The counterparty audit: every register entry an invoice to it would trip over, grouped by rule.
 * It asks the invoice rules themselves (NIP, EU VAT id, counterparty status) with the entry as the
 * buyer, so the report and validation cannot disagree. Rows reach the register past the import's
 * checks too (direct loads, rules tightened later); this is where they show up.
 */

export interface AuditMember {
  id: string;
  identifierKey: string;
  name: string;
  sourceSystem: string;
  field: string;
  detail: LocalizedMessage;
}

export interface AuditGroup {
  code: RuleCode;
  severity: 'error' | 'warning';
  message: LocalizedMessage;
  count: number;
  counterparties: AuditMember[];
}

export interface AuditResult {
  checked: number;
  failing: number;
  groups: AuditGroup[];
}

type Row = Awaited<ReturnType<PrismaClient['counterparty']['findUniqueOrThrow']>>;

async function issuesOf(row: Row) {
  if (row.idType === 'NIP') {
    const problem = diagnoseNip(row.nip ?? '');
    if (problem) return [{ code: problem as RuleCode, field: 'nip', detail: ruleDescription(problem) }];
    const record: CounterpartyRecord = { nip: row.nip!, name: row.name, active: row.active, ...(row.vatStatus === 'UNKNOWN' ? {} : { vatStatus: row.vatStatus }) };
    const probe = { buyer: { identifier: { type: 'NIP', nip: row.nip } } } as unknown as Invoice;
    return (await checkCounterparty(probe, { findByNip: async () => record })).map((i) => ({ code: i.code, field: 'nip', detail: i.message }));
  }
  if (row.idType === 'EU_VAT') {
    const probe = { buyer: { identifier: { type: 'EU_VAT', countryCode: row.countryCode, vatNumber: row.euVatNumber ?? '' } } } as unknown as Invoice;
    return checkEuVatId(probe).map((i) => ({ code: i.code, field: i.path[i.path.length - 1] === 'countryCode' ? 'countryCode' : 'euVatNumber', detail: i.message }));
  }
  return [];
}

export async function computeCounterpartyAudit(prisma: PrismaClient): Promise<AuditResult> {
  const groups = new Map<RuleCode, AuditGroup>();
  let checked = 0;
  const failing = new Set<string>();
  for await (const row of allCounterparties(prisma)) {
    checked++;
    for (const issue of await issuesOf(row)) {
      failing.add(row.id);
      let group = groups.get(issue.code);
      if (!group) {
        group = { code: issue.code, severity: RULES[issue.code].severity as 'error' | 'warning', message: ruleDescription(issue.code), count: 0, counterparties: [] };
        groups.set(issue.code, group);
      }
      group.count++;
      group.counterparties.push({ id: row.id, identifierKey: row.identifierKey, name: row.name, sourceSystem: row.sourceSystem, field: issue.field, detail: issue.detail });
    }
  }
  const ordered = [...groups.values()].sort((a, b) => (a.severity === b.severity ? b.count - a.count || a.code.localeCompare(b.code) : a.severity === 'error' ? -1 : 1));
  return { checked, failing: failing.size, groups: ordered };
}

export function createCounterpartyAuditActivities(deps: { prisma: PrismaClient }) {
  return {
    /** Computes and stores one run; the API shows the latest stored one. */
    async runCounterpartyAudit({ trigger }: { trigger: string }): Promise<{ runId: string; checked: number; failing: number }> {
      const startedAt = new Date();
      const result = await computeCounterpartyAudit(deps.prisma);
      const run = await deps.prisma.counterpartyAuditRun.create({
        data: { trigger, startedAt, finishedAt: new Date(), checked: result.checked, failing: result.failing, groups: result.groups as unknown as object },
      });
      return { runId: run.id, checked: result.checked, failing: result.failing };
    },
  };
}

export type CounterpartyAuditActivities = ReturnType<typeof createCounterpartyAuditActivities>;

import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import type { Logger } from '../config/logger';
import { contentHash } from '../domain/identity';
import type { Invoice } from '../domain/invoice';
import type { StatusProjection } from '../domain/lifecycle';
import { buildFa3Xml } from '../fa3/build';
import { warsawDateOf } from '../domain/business-days';
import { validateInvoiceInput, type CounterpartyLookup, type ValidationIssue, type VatDictionary } from '../domain/validation';
import type { PrismaClient } from '../prisma/client';
import { appendAudit, auditAlongside, findKsefNumberOwner, projectStatusWith, recordCorrectedData, type AuditEntry, type KsefNumberOwner } from '../prisma/invoice-registry';
import { isFinalInvoiceStatus } from '../ksef-client';
import { KsefContexts, toActivityFailure } from './ksef-sessions';
import { CORRECTION_INVALID } from '../workflows/contracts';
import { describeInvoiceStatus } from '../ksef-client/rejection-reasons';
import { createDispatchActivities, stageValidatedDocument, type DispatchDeps } from './dispatch';
import { createAlerting, type AlertRequest, type Alerting } from './alerts';
import { statusEventKey, statusWebhooksAlongside } from './webhooks/outbox';
import { evaluateApprovalRules, type ApprovalRuleMatch } from './approval-rules';

export interface ActivityDeps {
  prisma: PrismaClient;
  ksef: KsefContexts;
  logger: Logger;
  alerting?: Alerting;
  /** Gross amount (PLN) at or above which an approver must release the invoice; null = never. */
  approvalThresholdGross: string | null;
  /** Per-source-system VAT code dictionary (KSEF_VAT_DICTIONARY). */
  vatDictionary?: VatDictionary;
  counterparties?: CounterpartyLookup;
  /** The per-seller KSeF dispatcher's activities (queue, online/batch sends, outcome collection). */
  dispatch?: DispatchDeps;
}

export type ValidationOutcome =
  | { valid: false; issues: ValidationIssue[] }
  | { valid: true; issues: ValidationIssue[]; invoice: Invoice; contentHash: string; xml: string; invoiceHash: string; approvalRequired: boolean; approvalRule?: ApprovalRuleMatch | null };

/** What the send path needs of a validation: the XML itself stays in the database (staged). */
export type SendingCheck =
  | { valid: false; issues: ValidationIssue[] }
  | { valid: true; issues: ValidationIssue[]; contentHash: string; invoiceHash: string; approvalRequired: boolean; approvalRule?: ApprovalRuleMatch | null };

export interface KsefInvoiceStatus {
  code: number;
  description: string;
  details: string[];
  final: boolean;
  ksefNumber: string | null;
  originalKsefNumber: string | null;
}

/** Activities: all I/O of the invoice lifecycle. Each one is idempotent so Temporal may retry it. */
export function createActivities(deps: ActivityDeps) {
  const { prisma, ksef, logger } = deps;
  const alerting = deps.alerting ?? createAlerting({ prisma, logger });

  /**
   * The registry row follows the workflow: status, its webhook deliveries (outbox) and the audit row
   * of the step when there is one, in one statement (one round trip, atomic). Nothing is read back.
   */
  const project = async (registryId: string, projection: StatusProjection, audit?: AuditEntry) => {
    const alongside = [statusWebhooksAlongside(statusEventKey(registryId, projection.status)), ...(audit ? [auditAlongside(audit)] : [])];
    const updated = await projectStatusWith(prisma, registryId, projection, alongside);
    // The API writes the row before it starts the workflow; a missing row is worth a loud retry.
    if (updated === 0) throw new Error(`KSEFOPS_REGISTRY_ROW_MISSING: invoice ${registryId} has no registry row to project ${projection.status} onto`);
  };

  /**
   * Validate before sending: the zod model, then FA(3) built and checked against the official XSD.
   * Also renders the XML that will be sent, so what was validated is exactly what goes to KSeF.
   */
  const validate = async (raw: unknown, generatedAt: string): Promise<ValidationOutcome> => {
    // "Issue date in the future" is judged on the Polish calendar.
    const today = warsawDateOf(new Date());
    const checked = await validateInvoiceInput(raw, {
      today,
      vatDictionary: deps.vatDictionary,
      counterparties: deps.counterparties,
      xsd: { generatedAt: new Date(generatedAt) },
    });
    const errors = checked.issues.filter((i) => i.severity === 'error');
    if (errors.length > 0 || !checked.invoice) return { valid: false, issues: checked.issues };
    const invoice = checked.invoice;
    // DataWytworzeniaFa is the submission time carried by the workflow, not the clock, so a re-send
    // after a lost response produces byte-identical XML (same hash) that KSeF recognises as ours.
    const xml = buildFa3Xml(invoice, { generatedAt: new Date(generatedAt) });
    const approvalRule = await evaluateApprovalRules(prisma, invoice, deps.approvalThresholdGross);
    const approvalRequired = approvalRule !== null;
    // KSeF's invoiceHash: SHA-256 (Base64) of the exact bytes sent — how a duplicate is recognised as ours.
    const invoiceHash = createHash('sha256').update(xml, 'utf8').digest('base64');
    return { valid: true, issues: checked.issues, invoice, contentHash: contentHash(invoice), xml, invoiceHash, approvalRequired, approvalRule };
  };

  return {
    ...(deps.dispatch ? createDispatchActivities({ ...deps.dispatch, project }) : missingDispatch()),

    /** Validation of data a person submits (a correction): the normalised invoice comes back. */
    async validateInvoice({ invoice: raw, generatedAt }: { invoice: unknown; generatedAt: string }): Promise<ValidationOutcome> {
      return validate(raw, generatedAt);
    },

    /**
     * Validation on the way to KSeF: the rendered XML is staged next to the seller's queue instead of
     * travelling through the workflow history (twice); the workflow keeps only its hash.
     */
    async validateForSending(input: { registryId: string; workflowId: string; invoice: unknown; generatedAt: string }): Promise<SendingCheck> {
      const check = await validate(input.invoice, input.generatedAt);
      if (!check.valid) return check;
      await stageValidatedDocument(prisma, { registryId: input.registryId, workflowId: input.workflowId, sellerNip: check.invoice.seller.nip, xml: check.xml, invoiceHash: check.invoiceHash });
      const { invoice: _invoice, xml: _xml, ...slim } = check;
      return slim;
    },

    async fetchKsefInvoiceStatus(input: { sellerNip: string; sessionRef: string; invoiceRef: string }): Promise<KsefInvoiceStatus> {
      try {
        const s = await ksef.client(input.sellerNip).getInvoiceStatus(input.sessionRef, input.invoiceRef);
        const extensions = (s.status.extensions ?? {}) as Record<string, unknown>;
        return {
          code: s.status.code,
          // The lifecycle sends in the seller's own context (KsefContexts), so context = seller here.
          description: describeInvoiceStatus(s.status, { sellerNip: input.sellerNip, contextNip: input.sellerNip }),
          details: s.status.details ?? [],
          final: isFinalInvoiceStatus(s.status.code),
          ksefNumber: s.ksefNumber ?? null,
          originalKsefNumber: typeof extensions.originalKsefNumber === 'string' ? extensions.originalKsefNumber : null,
        };
      } catch (error) {
        return toActivityFailure(error);
      }
    },

    /** SHA-256 (Base64) of an invoice KSeF holds: tells our own lost invoice from someone else's duplicate. */
    async fetchKsefInvoiceHash({ sellerNip, ksefNumber }: { sellerNip: string; ksefNumber: string }): Promise<string> {
      try {
        return (await ksef.client(sellerNip).downloadInvoice(ksefNumber)).invoiceHash;
      } catch (error) {
        return toActivityFailure(error);
      }
    },

    /** After a 440 whose original is byte-identical: is that KSeF number this registry row's own? */
    async ksefNumberOwner(input: { registryId: string; contentHash: string; ksefNumber: string }): Promise<KsefNumberOwner> {
      return findKsefNumberOwner(prisma, input);
    },

    async projectStatus({ registryId, projection, audit }: { registryId: string; projection: StatusProjection; audit?: AuditEntry }): Promise<void> {
      await project(registryId, projection, audit);
    },

    async storeCorrectedData({ registryId, invoice, contentHash: hash }: { registryId: string; invoice: Invoice; contentHash: string }) {
      const stored = await recordCorrectedData(prisma, registryId, invoice, hash);
      if (stored === 'stored') return;
      const other = stored.duplicateOf;
      throw ApplicationFailure.create({
        type: CORRECTION_INVALID,
        nonRetryable: true,
        message:
          `The correction would make this invoice a duplicate in KSeF: ${other ? `invoice ${other.id} from ${other.sourceSystem} (status ${other.status})` : 'another invoice'} ` +
          `already has seller ${invoice.seller.nip}, type ${invoice.type} and number ${JSON.stringify(invoice.invoiceNumber)}`,
      });
    },

    async recordAudit(entry: AuditEntry): Promise<void> {
      await appendAudit(prisma, entry);
    },

    async raiseAlert(request: AlertRequest): Promise<{ owner: string }> {
      // The workflow knows only that approval is needed; the rule that asked for it is recorded here.
      const registryId = request.registryId;
      if (request.kind === 'approval-needed' && registryId) {
        const row = await prisma.invoice.findUnique({ where: { id: registryId }, select: { payload: true } });
        const rule = row ? await evaluateApprovalRules(prisma, row.payload as unknown as Invoice, deps.approvalThresholdGross) : null;
        if (rule) request = { ...request, reason: rule.reason };
        await appendAudit(prisma, { actor: 'system', action: 'invoice.approval-required', targetType: 'invoice', targetId: registryId, result: rule?.name ?? 'unknown-rule', details: { rule } });
      }
      return alerting.raise(request);
    },
  };
}

export type LifecycleActivities = ReturnType<typeof createActivities>;


/** A worker without dispatch wiring cannot send; say so loudly instead of failing obscurely. */
function missingDispatch(): ReturnType<typeof createDispatchActivities> {
  const refuse = async (): Promise<never> => {
    throw new Error('KSEFOPS_DISPATCH_NOT_WIRED: this worker was created without dispatch dependencies');
  };
  return {
    enqueueForKsef: refuse,
    dispatchedAttempt: refuse,
    dispatcherSnapshot: refuse,
    sendQueuedOnline: refuse,
    sendQueuedBatch: refuse,
    collectSessionOutcomes: refuse,
  };
}

/**
 * One durable workflow per invoice, following the SOP:
 *   Validate → (Approve when a rule requires it) → Send → Confirm → Close
 *   and on any rejection or failure: Alert → Triage → Fix → Retry → Confirm → Close.
 * Rejections are a normal path: the workflow waits for a person (updates), escalates when the SLA
 * passes, and never fails because KSeF said no. Deterministic orchestration only — every side
 * effect (DB, KSeF, mail) happens in an activity.
 */
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { LifecycleActivities, SendingCheck, ValidationOutcome } from '../activities';
import type { AuditEntry } from '../prisma/invoice-registry';
import type { StatusProjection } from '../domain/lifecycle';
import type { AlertRequest } from '../activities/alerts';
import type { CorrectionActivities } from '../activities/corrections';
import type { OfflineActivities, OfflineEntry } from '../activities/offline';
import { normalizeNip } from '../domain/nip';
import type { Invoice } from '../domain/invoice';
import type { InvoiceStatusName } from '../domain/lifecycle';
import {
  ACTION_NOT_ALLOWED,
  CORRECTION_INVALID,
  approveManualExceptionUpdate,
  approveUpdate,
  cancelUpdate,
  correctDataUpdate,
  forceRetryUpdate,
  getStateQuery,
  ksefOutcomeSignal,
  ksefSentSignal,
  rejectApprovalUpdate,
  requestManualExceptionUpdate,
  type ActionResult,
  type ErrorInfo,
  type HumanDecision,
  type InvoiceWorkflowInput,
  type InvoiceWorkflowState,
  type KsefOutcomeSignal,
  type KsefSentSignal,
} from './contracts';
import { refuseSelfApproval } from './separation-of-duties';
import { activityOptions } from './retry-policies';

type HumanOutcome = 'retry' | 'corrected' | 'manual-exception' | 'cancel';
type OfflineState = OfflineEntry & { invoiceHash: string; alerted: boolean; missed: boolean; periodEnded?: boolean };
type ChecklistResult = { kind: 'ready'; approvalReason: string | null } | { kind: 'amended' } | { kind: 'human'; outcome: HumanOutcome };

/** Patch ids (docs/WORKFLOW-VERSIONING.md): runs started before a change replay the old branch. */
const CORRECTION_CHECKLIST = 'correction-checklist';
const OFFLINE_MODE = 'offline-mode';
const OFFLINE_DEADLINE_FROM_PERIOD_END = 'offline-deadline-from-period-end';
const LEAN_SEND_PATH = 'lean-send-path';
const SENT_BY_DISPATCHER = 'sent-by-dispatcher';
// An approval covers the data the approver saw: data a correction changed is approved again.
const REAPPROVE_CORRECTED = 'reapprove-corrected-data';
const KSEF_DUPLICATE_OWNER = 'ksef-duplicate-owner';
const CORRECTION_POLL_MAX_MS = 10 * 60 * 1000;
/** Triage code when an activity failed for good without a code of its own (e.g. a timeout). */
const ACTIVITY_FAILED = 'KSEFOPS_ACTIVITY_FAILED';

export async function invoiceLifecycleWorkflow(input: InvoiceWorkflowInput): Promise<InvoiceWorkflowState> {
  const final = await invoiceLifecycle(input);
  // An update that decided the ending (reject approval, cancel, manual exception) may still be writing
  // its audit row: closing under it would answer its caller with an error (TMPRL1102) instead.
  await condition(allHandlersFinished);
  return final;
}

async function invoiceLifecycle(input: InvoiceWorkflowInput): Promise<InvoiceWorkflowState> {
  const { settings } = input;
  // Retry policies: workflows/retry-policies.ts (bounded, or unbounded with the reason written there).
  const local = proxyActivities<LifecycleActivities>(activityOptions('registry'));
  const ksef = proxyActivities<LifecycleActivities>(activityOptions('ksefCall', { maximumAttempts: settings.ksefMaxAttempts, initialInterval: settings.ksefInitialRetryMs }));
  const corrections = proxyActivities<CorrectionActivities>(activityOptions('corrections'));
  const offlineActs = proxyActivities<OfflineActivities>(activityOptions('offline'));
  const recheckMs = settings.offlineRecheckMs ?? 60_000;
  // Probing for KSeF's return is one long heartbeating activity per phase, not a timer per probe.
  const offlineWait = proxyActivities<OfflineActivities>(activityOptions('offlineWait', { heartbeatTimeout: Math.max(30_000, recheckMs * 3) }));

  let invoice: Invoice = input.invoice;
  let contentHash = input.contentHash;
  const state: InvoiceWorkflowState = {
    registryId: input.registryId,
    status: 'RECEIVED',
    step: 'received',
    attempt: 0,
    lastError: null,
    nextAction: null,
    owner: null,
    deadline: null,
    escalationLevel: 0,
    ksefNumber: null,
    sessionRef: null,
    invoiceRef: null,
    invoiceHash: null,
    pendingManualException: null,
    decisions: [],
  };

  // What a person asked for while the workflow waits; consumed by waitForHuman().
  let humanOutcome: HumanOutcome | null = null;
  // Read through a function: handlers change it between awaits, which TypeScript's narrowing cannot see.
  const pendingOutcome = (): HumanOutcome | null => humanOutcome;
  let approvalOutcome: 'approved' | 'rejected' | null = null;

  const now = () => new Date(Date.now()).toISOString();
  const record = (by: string, action: HumanDecision['action'], note?: string) =>
    state.decisions.push({ at: now(), by, action, ...(note ? { note } : {}) });
  const result = (): ActionResult => ({ accepted: true, status: state.status, nextAction: state.nextAction });
  const requireStatus = (allowed: InvoiceStatusName[], action: string) => {
    if (!allowed.includes(state.status)) {
      throw ApplicationFailure.create({
        type: ACTION_NOT_ALLOWED,
        message: `"${action}" is not possible while the invoice is ${state.status}; allowed in: ${allowed.join(', ')}`,
        nonRetryable: true,
      });
    }
  };
  const auditEntry = (action: string, resultText: string, actor = 'system', details?: Record<string, unknown>) => ({
    actor,
    action,
    targetType: 'invoice',
    targetId: input.registryId,
    result: resultText,
    details,
  });
  const audit = (action: string, resultText: string, actor = 'system', details?: Record<string, unknown>) => local.recordAudit(auditEntry(action, resultText, actor, details));

  // Runs started before this change replay their recorded steps (separate audit activities, the XML
  // passed through history); new runs write a step's audit row with its status change, stage the
  // validated XML in the database and queue it with the SENDING status — 5 activities instead of 9.
  // Runs on 'sent-by-dispatcher' take that path too, and leave SENT to the dispatcher, which records it
  // in the registry with the send (one statement per session): no ksefSent signal, no SENT activity.
  // Newest first, so a new run records one marker.
  const sentByDispatcher = patched(SENT_BY_DISPATCHER);
  const lean = sentByDispatcher || patched(LEAN_SEND_PATH);

  /** Every alert is about this invoice; the request names only what happened. */
  const alertAbout = (what: Omit<AlertRequest, 'registryId' | 'invoiceNumber' | 'sellerNip' | 'sourceSystem'>) =>
    local.raiseAlert({
      ...what,
      registryId: input.registryId,
      invoiceNumber: invoice.invoiceNumber,
      sellerNip: invoice.seller.nip,
      sourceSystem: invoice.sourceSystem,
    });

  /** The new status in workflow state and (unless told otherwise) in the Temporal UI; returns the registry projection. */
  function enter(status: InvoiceStatusName, step: string, extra: Partial<InvoiceWorkflowState> = {}, searchable = true): StatusProjection {
    Object.assign(state, extra, { status, step });
    if (searchable) upsertSearchAttributes({ KsefStatus: [status], RejectionCode: state.lastError ? [state.lastError.code] : [] });
    return {
      status,
      step,
      nextAction: state.nextAction,
      attempts: state.attempt,
      rejectionCode: state.lastError?.code ?? null,
      rejectionReason: state.lastError?.reason ?? null,
      ksefNumber: state.ksefNumber,
      ksefSessionRef: state.sessionRef,
      ksefInvoiceRef: state.invoiceRef,
      invoiceHash: state.invoiceHash,
      ...(status === 'SENT' ? { sentAt: now() } : {}),
      ...(status === 'ACCEPTED' ? { acceptedAt: now() } : {}),
    };
  }

  async function moveTo(status: InvoiceStatusName, step: string, extra: Partial<InvoiceWorkflowState> = {}) {
    await local.projectStatus({ registryId: input.registryId, projection: enter(status, step, extra) });
  }

  /** A status change and the audit row that records it: one activity (one transaction) in lean runs. */
  async function moveAndAudit(status: InvoiceStatusName, step: string, extra: Partial<InvoiceWorkflowState>, entry: AuditEntry) {
    if (lean) {
      await local.projectStatus({ registryId: input.registryId, projection: enter(status, step, extra), audit: entry });
      return;
    }
    await moveTo(status, step, extra);
    await local.recordAudit(entry);
  }

  // The dispatcher reports on the current attempt only; anything about an older one is ignored.
  let currentDispatch: string | null = null;
  let sentNotice: KsefSentSignal | null = null;
  let outcome: KsefOutcomeSignal | null = null;
  const pendingSent = (): KsefSentSignal | null => sentNotice;
  const pendingResult = (): KsefOutcomeSignal | null => outcome;

  setHandler(getStateQuery, () => state);
  setHandler(ksefSentSignal, (notice) => {
    if (notice.dispatchId === currentDispatch) sentNotice = notice;
  });
  setHandler(ksefOutcomeSignal, (result) => {
    if (result.dispatchId === currentDispatch) outcome = result;
  });

  setHandler(
    approveUpdate,
    async ({ by, note }) => {
      approvalOutcome = 'approved';
      record(by, 'approve', note);
      await audit('invoice.approve', 'approved', by, { note });
      return result();
    },
    {
      validator: ({ by }) => {
        requireStatus(['AWAITING_APPROVAL'], 'approve');
        refuseSelfApproval(by, input.submittedBy, state.decisions, 'approve');
      },
    },
  );
  setHandler(
    rejectApprovalUpdate,
    async ({ by, note }) => {
      approvalOutcome = 'rejected';
      record(by, 'reject-approval', note);
      await audit('invoice.reject-approval', 'rejected', by, { note });
      return result();
    },
    { validator: (_input) => requireStatus(['AWAITING_APPROVAL'], 'reject approval') },
  );
  setHandler(
    correctDataUpdate,
    async ({ by, note, invoice: corrected }) => {
      // The corrected data must pass the same validation before the workflow accepts it; a bad
      // correction is refused with field-level reasons and the workflow keeps waiting.
      const check = await local.validateInvoice({ invoice: corrected, generatedAt: input.submittedAt });
      if (!check.valid) {
        await audit('invoice.correct', 'refused', by, { issues: check.issues });
        throw ApplicationFailure.create({ type: CORRECTION_INVALID, message: 'The corrected invoice is not valid', details: [check.issues], nonRetryable: true });
      }
      // The registry row takes the data first: a correction it refuses (a changed type meeting another
      // invoice's KSeF duplicate key) leaves the workflow's data as it was. Same commands, same order.
      try {
        await local.storeCorrectedData({ registryId: input.registryId, invoice: check.invoice, contentHash: check.contentHash });
      } catch (err) {
        throw ApplicationFailure.create({ type: CORRECTION_INVALID, message: failureInfo(err, CORRECTION_INVALID).reason, nonRetryable: true });
      }
      const before = invoice;
      invoice = check.invoice;
      contentHash = check.contentHash;
      await audit('invoice.correct', 'accepted', by, { before, after: invoice, note });
      record(by, 'correct', note);
      humanOutcome = 'corrected';
      return result();
    },
    {
      validator: ({ invoice: corrected }) => {
        requireStatus(['NEEDS_FIX', 'REJECTED'], 'submit correction');
        // Identity fields are the workflow id: changing them is a different invoice, not a fix.
        if (
          normalizeNip(String(corrected?.seller?.nip ?? '')) !== input.invoice.seller.nip ||
          corrected?.invoiceNumber !== input.invoice.invoiceNumber ||
          corrected?.sourceSystem !== input.invoice.sourceSystem
        ) {
          throw ApplicationFailure.create({
            type: CORRECTION_INVALID,
            message: 'A correction may not change the seller NIP, source system or invoice number (submit a new invoice instead)',
            nonRetryable: true,
          });
        }
      },
    },
  );
  setHandler(
    forceRetryUpdate,
    async ({ by, note }) => {
      record(by, 'force-retry', note);
      await audit('invoice.force-retry', 'accepted', by, { note, lastError: state.lastError });
      humanOutcome = 'retry';
      return result();
    },
    { validator: (_input) => requireStatus(['NEEDS_FIX', 'REJECTED'], 'force retry') },
  );
  setHandler(
    requestManualExceptionUpdate,
    async ({ by, reason }) => {
      state.pendingManualException = { requestedBy: by, reason };
      record(by, 'request-manual-exception', reason);
      await audit('invoice.request-manual-exception', 'pending-approval', by, { reason });
      return result();
    },
    {
      validator: ({ reason }) => {
        requireStatus(['NEEDS_FIX', 'REJECTED'], 'request a manual exception');
        if (!reason || !reason.trim()) {
          throw ApplicationFailure.create({ type: ACTION_NOT_ALLOWED, message: 'A manual exception needs a reason', nonRetryable: true });
        }
      },
    },
  );
  setHandler(
    approveManualExceptionUpdate,
    async ({ by, note }) => {
      record(by, 'approve-manual-exception', note);
      await audit('invoice.approve-manual-exception', 'approved', by, { ...state.pendingManualException, note });
      humanOutcome = 'manual-exception';
      return result();
    },
    {
      validator: ({ by }) => {
        requireStatus(['NEEDS_FIX', 'REJECTED'], 'approve a manual exception');
        if (!state.pendingManualException) {
          throw ApplicationFailure.create({ type: ACTION_NOT_ALLOWED, message: 'No manual exception has been requested', nonRetryable: true });
        }
        if (state.pendingManualException.requestedBy === by) {
          throw ApplicationFailure.create({
            type: ACTION_NOT_ALLOWED,
            message: 'A manual exception must be approved by someone other than the person who requested it',
            nonRetryable: true,
          });
        }
        refuseSelfApproval(by, input.submittedBy, state.decisions, 'approve a manual exception');
      },
    },
  );
  setHandler(
    cancelUpdate,
    async ({ by, note }) => {
      record(by, 'cancel', note);
      await audit('invoice.cancel', 'accepted', by, { note });
      humanOutcome = 'cancel';
      approvalOutcome = 'rejected';
      return result();
    },
    {
      validator: (_input) => {
        // An invoice issued offline exists legally (its QR codes may be with the buyer) and must reach KSeF
        // by the deadline (facts §9); like any invoice in KSeF it is then cancelled by a correcting invoice.
        if (state.step === 'offline' && state.offline && !state.offline.sent) {
          throw ApplicationFailure.create({
            type: ACTION_NOT_ALLOWED,
            message: `"cancel" is not possible: the invoice was issued offline (${state.offline.mode}) and must be sent to KSeF by ${state.offline.deadline} (KSEFOPS_OFFLINE_INVOICE_ISSUED); once it has its KSeF number, cancel it with a correcting invoice`,
            nonRetryable: true,
          });
        }
        requireStatus(['NEEDS_FIX', 'REJECTED', 'AWAITING_APPROVAL'], 'cancel');
      },
    },
  );

  /** Alert → Triage: tell the responsible person, then wait for a decision, escalating on SLA misses. */
  async function triage(status: 'NEEDS_FIX' | 'REJECTED', error: ErrorInfo): Promise<HumanOutcome> {
    state.lastError = error;
    state.escalationLevel = 0;
    state.pendingManualException = null;
    humanOutcome = null;
    const nextAction = status === 'REJECTED' ? 'Correct the data or force a retry' : 'Fix the data, retry or raise a manual exception';
    const alert = await alertAbout({
      kind: 'triage',
      errorCode: error.code,
      reason: error.reason,
      escalationLevel: 0,
    });
    await moveTo(status, 'triage', { nextAction, owner: alert.owner, deadline: new Date(Date.now() + settings.triageSlaMs).toISOString() });
    await audit('invoice.triage', status, 'system', { ...error });
    for (;;) {
      if (await condition(() => pendingOutcome() !== null, settings.triageSlaMs)) break;
      state.escalationLevel += 1;
      const escalated = await alertAbout({
        kind: 'sla-missed',
        errorCode: error.code,
        reason: error.reason,
        escalationLevel: state.escalationLevel,
      });
      state.owner = escalated.owner;
      state.deadline = new Date(Date.now() + settings.triageSlaMs).toISOString();
      await audit('invoice.escalate', `level-${state.escalationLevel}`, 'system', { owner: escalated.owner });
    }
    const outcome = pendingOutcome() ?? 'retry';
    humanOutcome = null;
    state.owner = null;
    state.deadline = null;
    return outcome;
  }

  async function awaitApproval(reason?: string): Promise<boolean> {
    approvalOutcome = null;
    const alert = await alertAbout({
      kind: 'approval-needed',
      errorCode: 'APPROVAL_REQUIRED',
      reason: reason ?? `Gross amount reaches the approval threshold of ${settings.approvalThresholdGross} PLN`,
      escalationLevel: 0,
    });
    await moveTo('AWAITING_APPROVAL', 'approval', {
      nextAction: 'Approve or reject sending',
      owner: alert.owner,
      deadline: new Date(Date.now() + settings.approvalSlaMs).toISOString(),
    });
    let level = 0;
    while (!(await condition(() => approvalOutcome !== null, settings.approvalSlaMs))) {
      level += 1;
      const escalated = await alertAbout({
        kind: 'sla-missed',
        errorCode: 'APPROVAL_REQUIRED',
        reason: 'Approval is overdue',
        escalationLevel: level,
      });
      state.owner = escalated.owner;
      state.escalationLevel = level;
    }
    state.owner = null;
    state.deadline = null;
    return approvalOutcome === 'approved';
  }

  /**
   * Confirm: wait for the dispatcher's word on this attempt. The watchdog alerts when no final status
   * arrives in time and re-checks KSeF directly; nothing waits silently.
   */
  async function awaitKsefOutcome(): Promise<KsefOutcomeSignal> {
    if (sentByDispatcher) return awaitOutcomeOfDispatch();
    let projectedSent = false;
    let watchdogFired = false;
    for (;;) {
      const arrived = await condition(() => pendingResult() !== null || (pendingSent() !== null && !projectedSent), settings.confirmWatchdogMs);
      const notice = pendingSent();
      if (notice && !projectedSent) {
        projectedSent = true;
        await moveAndAudit(
          'SENT',
          'confirm',
          { sessionRef: notice.sessionRef, invoiceRef: notice.invoiceRef },
          auditEntry('invoice.send', 'sent', 'system', { sessionRef: notice.sessionRef, invoiceRef: notice.invoiceRef, mode: notice.mode, attempt: state.attempt }),
        );
      }
      const result = pendingResult();
      if (result) return result;
      if (arrived) continue;
      // Watchdog: past the configured time without a final status.
      if (!watchdogFired) {
        watchdogFired = true;
        await raiseWatchdog(notice !== null);
      }
      if (notice?.invoiceRef) {
        const final = await finalStatusAtKsef(notice.dispatchId, notice.sessionRef, notice.invoiceRef);
        if (final) return final;
      }
    }
  }

  /** The confirm watchdog's alert and audit row, once per attempt: does KSeF have the invoice yet? */
  async function raiseWatchdog(atKsef: boolean) {
    await alertAbout({
      kind: 'stuck-processing',
      errorCode: atKsef ? 'KSEF_NO_FINAL_STATUS' : 'KSEF_NOT_SENT',
      reason: `No final KSeF status ${Math.round(settings.confirmWatchdogMs / 1000)} s after queueing (${state.status})`,
      escalationLevel: 0,
    });
    await audit('invoice.watchdog', atKsef ? 'stuck-processing' : 'stuck-queued', 'system');
  }

  /** Asks KSeF directly (the watchdog's re-check); null while the invoice has no final status there. */
  async function finalStatusAtKsef(dispatchId: string, sessionRef: string, invoiceRef: string): Promise<KsefOutcomeSignal | null> {
    const status = await ksef.fetchKsefInvoiceStatus({ sellerNip: invoice.seller.nip, sessionRef, invoiceRef });
    return status.final ? { ...status, dispatchId, sessionRef, invoiceRef, failure: null } : null;
  }

  /**
   * Confirm when the dispatcher records the send itself: only the outcome is signalled. When the
   * watchdog fires, the workflow asks where its attempt went — and shows SENT in the Temporal UI from
   * then on, where a stuck invoice is looked for — alerts, and re-checks KSeF directly.
   */
  async function awaitOutcomeOfDispatch(): Promise<KsefOutcomeSignal> {
    let watchdogFired = false;
    let sent: { sessionRef: string; invoiceRef: string | null } | null = null;
    for (;;) {
      const result = (await condition(() => pendingResult() !== null, settings.confirmWatchdogMs)) ? pendingResult() : null;
      if (result) return result;
      if (!sent?.invoiceRef) {
        sent = await local.dispatchedAttempt({ registryId: input.registryId, dispatchId: currentDispatch ?? '' });
        // The registry says SENT already (the dispatcher wrote it): workflow state and search attribute only.
        if (sent && state.status !== 'SENT') enter('SENT', 'confirm', { sessionRef: sent.sessionRef, invoiceRef: sent.invoiceRef });
      }
      const arrived = pendingResult();
      if (arrived) return arrived;
      if (!watchdogFired) {
        watchdogFired = true;
        await raiseWatchdog(sent !== null);
      }
      if (sent?.invoiceRef) {
        const final = await finalStatusAtKsef(currentDispatch ?? '', sent.sessionRef, sent.invoiceRef);
        if (final) return final;
      }
    }
  }

  // The API starts the workflow with KsefStatus RECEIVED; lean runs do not write it again.
  const received = auditEntry('invoice.received', 'started', input.submittedBy, { workflowId: workflowInfo().workflowId, contentHash });
  if (!lean) {
    upsertSearchAttributes({ KsefStatus: ['RECEIVED'] });
    await local.recordAudit(received);
  }
  // Lean runs write the receipt with the first projection below.
  let unrecordedReceipt: AuditEntry | null = lean ? received : null;
  let approved = false;
  let approvedHash: string | null = null;
  let offline: OfflineState | null = null;
  // Read through a function: goOffline() sets it, which TypeScript's narrowing cannot see.
  const currentOffline = (): OfflineState | null => offline;
  // SHA-256 of a rejected offline file: the next send is its technical correction.
  let technicalCorrectionOf: string | null = null;

  for (;;) {
    // A step whose activity failed for good (a deterministic error is non-retryable, a bounded policy
    // ran out) sends the invoice to triage with the failure's code instead of failing the workflow.
    // Histories without such a failure never enter the catch, so they replay unchanged.
    try {
      // Validate. Lean runs record the receipt with the first status change, and leave the Temporal UI's
      // status as it was for the milliseconds validation takes.
      if (lean) {
        await local.projectStatus({
          registryId: input.registryId,
          projection: enter('VALIDATING', 'validate', { nextAction: null }, false),
          ...(unrecordedReceipt ? { audit: unrecordedReceipt } : {}),
        });
        unrecordedReceipt = null;
      } else {
        await moveTo('VALIDATING', 'validate', { nextAction: null });
      }
      const check: SendingCheck = lean
        ? await local.validateForSending({ registryId: input.registryId, workflowId: workflowInfo().workflowId, invoice, generatedAt: input.submittedAt })
        : await local.validateInvoice({ invoice, generatedAt: input.submittedAt });
      if (!check.valid) {
        const first = check.issues[0];
        const outcome = await triage('NEEDS_FIX', {
          code: first?.code ?? 'VALIDATION_FAILED',
          reason: check.issues.map((i) => `${i.field}: ${i.message.en}`).join('; '),
          details: check.issues.map((i) => `${i.code} ${i.field}`),
        });
        if (await closeIfFinal(outcome)) return state;
        continue;
      }

      // Correction checklist: what a KOR/ROZ refers to must be in KSeF first; edge cases need a person.
      let checklistApproval: string | null = null;
      if (hasReferences(invoice) && patched(CORRECTION_CHECKLIST)) {
        const checklist = await correctionChecklist();
        if (checklist.kind === 'human') {
          if (await closeIfFinal(checklist.outcome)) return state;
          continue;
        }
        if (checklist.kind === 'amended') continue;
        checklistApproval = checklist.approvalReason;
      }

      // Approve when a rule requires it (once; a correction that changes the data asks again). Runs
      // recorded before the patch sent corrected data on the old approval and replay that way.
      if (approved && approvedHash !== contentHash && patched(REAPPROVE_CORRECTED)) approved = false;
      if (!approved && (check.approvalRequired || checklistApproval)) {
        if (!(await awaitApproval(checklistApproval && !check.approvalRequired ? checklistApproval : undefined))) {
          state.nextAction = null;
          await moveAndAudit('CANCELLED', 'closed', {}, auditEntry('invoice.close', 'CANCELLED', 'system'));
          return state;
        }
        approved = true;
        approvedHash = contentHash;
      }

      // Offline: the source issued it offline, or KSeF cannot take invoices → QR codes, deadline, wait.
      if ((invoice.offline === true || settings.offlineAuto === true) && patched(OFFLINE_MODE)) {
        const known = currentOffline();
        if (known && known.invoiceHash !== check.invoiceHash) await goOffline(known.mode, 'Technical correction of an offline invoice', check.invoiceHash);
        if (!currentOffline() && invoice.offline) await goOffline('OFFLINE24', 'Issued offline by the source system', check.invoiceHash);
        if (!currentOffline() && settings.offlineAuto) {
          const availability = await offlineActs.checkKsefAvailability();
          if (!availability.available) await goOffline(availability.mode, availability.detail, check.invoiceHash);
        }
        const now = currentOffline();
        if (now) await waitForKsef(now);
      }

      // Send: queue the XML with the seller's dispatcher, which owns KSeF's limits.
      const sentOffline = currentOffline() !== null;
      state.attempt += 1;
      currentDispatch = `${input.registryId}:${state.attempt}`;
      sentNotice = null;
      outcome = null;
      const queueing = { lastError: null, nextAction: null, sessionRef: null, invoiceRef: null, invoiceHash: check.invoiceHash };
      const queued = {
        registryId: input.registryId,
        workflowId: workflowInfo().workflowId,
        sellerNip: invoice.seller.nip,
        dispatchId: currentDispatch,
        invoiceHash: check.invoiceHash,
        ...(sentOffline ? { offlineMode: true, hashOfCorrectedInvoice: technicalCorrectionOf } : {}),
      };
      if (lean) {
        // The staged XML is queued and the registry says SENDING in the same activity.
        await local.enqueueForKsef({ ...queued, projection: enter('SENDING', 'send', queueing), ...(sentByDispatcher ? { reportSent: false } : {}) });
      } else {
        await moveTo('SENDING', 'send', queueing);
        await local.enqueueForKsef({ ...queued, xml: (check as ValidationOutcome & { valid: true }).xml });
      }

      // Confirm
      const status = await awaitKsefOutcome();
      if (status.failure && status.failure.code === 'KSEF_UNAVAILABLE' && settings.offlineAuto === true && patched(OFFLINE_MODE)) {
        // KSeF stopped taking invoices while this one waited: issue it offline and send it when KSeF is back.
        if (!currentOffline()) {
          const availability = await offlineActs.checkKsefAvailability();
          await goOffline(availability.mode, status.failure.reason, check.invoiceHash);
        }
        continue;
      }
      if (sentOffline && !status.failure) {
        await offlineActs.noteOfflineEvent({ registryId: input.registryId, event: 'sent', ksefNumber: status.code === 200 ? status.ksefNumber : null, technicalCorrectionOf });
        if (state.offline) state.offline.sent = true;
        // A rejected offline invoice is re-sent as a technical correction citing the rejected file.
        technicalCorrectionOf = status.code === 200 ? null : check.invoiceHash;
      }
      if (status.failure) {
        const next = await triage('NEEDS_FIX', { code: status.failure.code, reason: status.failure.reason });
        if (await closeIfFinal(next)) return state;
        continue;
      }
      state.sessionRef = status.sessionRef;
      state.invoiceRef = status.invoiceRef;
      if (status.code === 200 && status.ksefNumber) {
        await accept(status.ksefNumber, 'accepted');
        return state;
      }
      // A lost response followed by a re-send comes back as a duplicate of our own invoice: adopt it —
      // but only a number the registry gives to this row: another invoice's number (two source systems,
      // one number) broke the registry's unique KSeF number and retried forever; it is a duplicate for a person.
      let duplicateOf: string | null = null;
      if (status.code === 440 && status.originalKsefNumber) {
        const owner = patched(KSEF_DUPLICATE_OWNER)
          ? await local.ksefNumberOwner({ registryId: input.registryId, contentHash, ksefNumber: status.originalKsefNumber })
          : ({ own: true } as const);
        if (owner.own) {
          const originalHash = await ksef.fetchKsefInvoiceHash({ sellerNip: invoice.seller.nip, ksefNumber: status.originalKsefNumber });
          if (originalHash === check.invoiceHash) {
            await accept(status.originalKsefNumber, 'adopted-duplicate');
            return state;
          }
        } else {
          duplicateOf = owner.holder
            ? `Duplicate of invoice ${owner.holder.id} from ${owner.holder.sourceSystem} (status ${owner.holder.status}): KSeF already holds this seller NIP, invoice type and number as ${status.originalKsefNumber}. Cancel this one, or give it its own number if it is a different invoice.`
            : `KSeF already holds this seller NIP, invoice type and number as ${status.originalKsefNumber}, and it is not this registry row's invoice (its data changed since). Cancel this one, or give it its own number.`;
        }
      }
      const next = await triage('REJECTED', {
        code: `KSEF_${status.code}`,
        reason: duplicateOf ?? status.description + (status.details.length ? ` — ${status.details.join('; ')}` : ''),
        details: status.details,
      });
      if (await closeIfFinal(next)) return state;
    } catch (err) {
      const failure = failureInfo(err, ACTIVITY_FAILED);
      // A KSeF number the failed step was about to record (e.g. one another invoice holds) is not the invoice's.
      state.ksefNumber = null;
      const next = await triage('NEEDS_FIX', failure);
      if (await closeIfFinal(next)) return state;
    }
  }

  /** Issued offline: legal deadline (or the configured override), QR codes stored and shown. */
  async function goOffline(mode: OfflineEntry['mode'], reason: string, invoiceHash: string) {
    const entry = await offlineActs.enterOfflineMode({
      registryId: input.registryId,
      sellerNip: invoice.seller.nip,
      issueDate: invoice.issueDate,
      invoiceHash,
      mode,
      reason,
      deadlineOverrideMs: settings.offlineDeadlineOverrideMs ?? null,
      alertBeforeMs: settings.offlineAlertBeforeMs ?? 4 * 60 * 60 * 1000,
    });
    offline = { ...entry, invoiceHash, alerted: false, missed: false };
    state.offline = { mode: entry.mode, deadline: entry.deadline, qrCodeI: entry.qrCodeI, qrCodeII: entry.qrCodeII, sent: false };
    await audit('invoice.offline', entry.mode, 'system', { reason, deadline: entry.deadline, qrCodeI: entry.qrCodeI, qrCodeII: entry.qrCodeII });
  }

  /** Until KSeF takes invoices again: alert before the deadline, and again when it has passed. */
  async function waitForKsef(o: OfflineState) {
    await moveTo('SENDING', 'offline', {
      nextAction: `Issued offline (${o.mode}); goes to KSeF automatically when it takes invoices again — legal deadline ${o.deadline}`,
      deadline: o.deadline,
    });
    // Announced unavailability/failure: the deadline counts from the period's end (facts §9), so it is
    // moved while the period lasts and fixed when it ends.
    const fromPeriodEnd = o.mode !== 'OFFLINE24' && patched(OFFLINE_DEADLINE_FROM_PERIOD_END);
    const refreshDeadline = async (why: 'period-ongoing' | 'period-ended') => {
      const next = await offlineActs.refreshOfflineDeadline({
        registryId: input.registryId,
        issueDate: invoice.issueDate,
        mode: o.mode,
        deadlineOverrideMs: settings.offlineDeadlineOverrideMs ?? null,
        alertBeforeMs: settings.offlineAlertBeforeMs ?? 4 * 60 * 60 * 1000,
      });
      if (!next.changed) return;
      const before = o.deadline;
      Object.assign(o, { deadline: next.deadline, alertAt: next.alertAt, alerted: false, missed: false });
      if (state.offline) state.offline.deadline = next.deadline;
      await audit('invoice.offline-deadline', 'recomputed', 'system', { before, after: next.deadline, reason: why });
      await moveTo('SENDING', 'offline', {
        nextAction: `Issued offline (${o.mode}); goes to KSeF automatically when it takes invoices again — legal deadline ${o.deadline}`,
        deadline: o.deadline,
      });
    };
    for (;;) {
      const untilMs = !o.alerted ? Date.parse(o.alertAt) : !o.missed ? Date.parse(o.deadline) : Date.now() + 6 * 60 * 60 * 1000;
      const watchPeriod = fromPeriodEnd && !o.periodEnded;
      const probe = await offlineWait.awaitKsefAvailability({ untilMs, probeEveryMs: recheckMs, ...(watchPeriod ? { untilAnnouncementEnds: true } : {}) });
      if (watchPeriod) {
        if (probe.available || probe.announcementOngoing === false) {
          o.periodEnded = true;
          await refreshDeadline('period-ended');
        } else {
          await refreshDeadline('period-ongoing');
        }
        if (!probe.available && Date.now() < Date.parse(o.alertAt)) continue;
      }
      if (probe.available) return;
      // Read again: a refresh above may have moved both.
      const missed = Date.now() >= Date.parse(o.deadline);
      if ((!o.alerted && Date.now() >= Date.parse(o.alertAt)) || (!o.missed && missed)) {
        const late = missed && !o.missed;
        o.alerted = true;
        if (late) o.missed = true;
        const alert = await alertAbout({
          kind: 'sla-missed',
          errorCode: late ? 'OFFLINE_DEADLINE_MISSED' : 'OFFLINE_DEADLINE_APPROACHING',
          reason: late
            ? `The offline invoice was not sent to KSeF by its legal deadline ${o.deadline} (${probe.detail})`
            : `The offline invoice must reach KSeF by ${o.deadline}; KSeF still cannot take it (${probe.detail})`,
          escalationLevel: late ? 1 : 0,
        });
        state.owner = alert.owner;
        await offlineActs.noteOfflineEvent({ registryId: input.registryId, event: late ? 'deadline-missed' : 'deadline-alerted' });
        await audit('invoice.offline-deadline', late ? 'missed' : 'approaching', 'system', { deadline: o.deadline, owner: alert.owner });
      }
    }
  }

  /**
   * The correction checklist: references resolved and linked in the registry; an invoice of ours
   * that KSeF has not accepted yet is waited for (alert after the SLA), and its KSeF number is then
   * written into the reference; a reference that cannot be right goes to triage.
   */
  async function correctionChecklist(): Promise<ChecklistResult> {
    let pollMs = settings.correctionPollMs ?? 5000;
    const slaMs = settings.correctionWaitSlaMs ?? 4 * 60 * 60 * 1000;
    let waitedMs = 0;
    let shown = false;
    let alerted = false;
    for (;;) {
      const refs = await corrections.checkInvoiceReferences({ registryId: input.registryId, invoice, approvalThresholdGross: settings.approvalThresholdGross });
      if (refs.refusal) return { kind: 'human', outcome: await triage('NEEDS_FIX', refs.refusal) };
      if (refs.waitingFor.length === 0) {
        if (refs.completed && refs.completedContentHash) {
          const before = invoice;
          invoice = refs.completed;
          contentHash = refs.completedContentHash;
          await local.storeCorrectedData({ registryId: input.registryId, invoice, contentHash });
          await audit('invoice.references-completed', 'accepted', 'system', { before: before.correction ?? before.advanceInvoices, after: invoice.correction ?? invoice.advanceInvoices });
          return { kind: 'amended' };
        }
        state.deadline = null;
        return { kind: 'ready', approvalReason: refs.approvalReason };
      }
      const numbers = refs.waitingFor.map((w) => `${w.number} (${w.status})`).join(', ');
      if (!shown) {
        shown = true;
        await moveTo('VALIDATING', 'awaiting-corrected-invoice', {
          nextAction: `Waiting until KSeF accepts ${numbers}`,
          deadline: new Date(Date.now() + slaMs).toISOString(),
        });
        await audit('invoice.awaiting-referenced', 'waiting', 'system', { waitingFor: refs.waitingFor });
      }
      await sleep(pollMs);
      waitedMs += pollMs;
      pollMs = Math.min(pollMs * 2, CORRECTION_POLL_MAX_MS);
      if (!alerted && waitedMs >= slaMs) {
        alerted = true;
        const escalated = await alertAbout({
          kind: 'sla-missed',
          errorCode: 'CORRECTION_WAITING_FOR_ORIGINAL',
          reason: `The correction still waits for KSeF to accept ${numbers}`,
          escalationLevel: 1,
        });
        state.owner = escalated.owner;
        await audit('invoice.escalate', 'correction-waiting', 'system', { owner: escalated.owner, waitingFor: refs.waitingFor });
      }
    }
  }

  async function accept(ksefNumber: string, how: string) {
    state.lastError = null;
    state.ksefNumber = ksefNumber;
    state.nextAction = null;
    await moveAndAudit('ACCEPTED', 'closed', {}, auditEntry('invoice.close', 'ACCEPTED', 'system', { ksefNumber, how }));
  }

  async function closeIfFinal(outcome: HumanOutcome): Promise<boolean> {
    if (outcome === 'manual-exception' || outcome === 'cancel') {
      state.nextAction = null;
      const status = outcome === 'cancel' ? 'CANCELLED' : 'MANUAL_EXCEPTION';
      await moveAndAudit(status, 'closed', {}, auditEntry('invoice.close', status, 'system'));
      return true;
    }
    return false;
  }
}

function hasReferences(invoice: Invoice): boolean {
  return (invoice.correction?.correctedInvoices?.length ?? 0) > 0 || (invoice.advanceInvoices?.length ?? 0) > 0;
}

function failureInfo(err: unknown, fallbackCode: string): ErrorInfo {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) {
    return { code: err.cause.type ?? fallbackCode, reason: err.cause.message };
  }
  if (err instanceof ActivityFailure) return { code: fallbackCode, reason: err.cause?.message ?? err.message };
  throw err;
}

import { html } from './html.js';
import { statusLabel, t } from './i18n.js';

const GROUP_OF = {
  RECEIVED: 'pending', VALIDATING: 'pending', AWAITING_APPROVAL: 'pending', SENDING: 'pending', SENT: 'pending',
  ACCEPTED: 'accepted', REJECTED: 'rejected', NEEDS_FIX: 'rejected', MANUAL_EXCEPTION: 'closed', CANCELLED: 'closed',
};

export function StatusChip({ status }) {
  return html`<span class=${`chip chip-${GROUP_OF[status] || 'pending'}`} data-status=${status}>${statusLabel(status)}</span>`;
}

/** A problem+json answer shown to a person: its detail and, when given, each field's reason. */
export function ProblemBox({ error }) {
  if (!error) return null;
  const errors = error.problem?.errors || [];
  return html`<div class="problem" role="alert" data-testid="problem">
    <strong>${t('err.title')} ${error.status || ''}</strong> ${error.problem?.detail || error.message}
    ${errors.length > 0 && html`<ul>${errors.map((e) => html`<li><code>${e.field}</code> ${e.messagePl && document.documentElement.lang === 'pl' ? e.messagePl : e.message}</li>`)}</ul>`}
  </div>`;
}

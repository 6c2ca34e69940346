import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { eventLabel, lang, nextActionLabel, t } from '../i18n.js';
import { dateTime, money } from '../format.js';
import { ProblemBox, StatusChip } from '../components.js';
import { editableFields, fieldLabel, withValue } from '../correction.js';

const POLL_MS = 1500;
const WATCH_AFTER_ACTION_MS = 60_000;
// Identity fields: changing them makes a different invoice, which the workflow refuses anyway.
const LOCKED = new Set(['sourceSystem', 'invoiceNumber', 'seller.nip']);

export function InvoicePage({ id }) {
  const [invoice, setInvoice] = useState(null);
  const [error, setError] = useState(null);
  const timer = useRef(null);
  // After an action the workflow answers before it moves on: keep watching for a while even if
  // the status has not changed yet.
  const watchUntil = useRef(0);

  async function load() {
    try {
      const data = await api(`/api/v1/invoices/${id}`);
      setInvoice(data);
      setError(null);
      clearTimeout(timer.current);
      const closed = data.statusGroup === 'accepted' || data.statusGroup === 'closed';
      if (data.statusGroup === 'pending' || (!closed && Date.now() < watchUntil.current)) timer.current = setTimeout(load, POLL_MS);
    } catch (e) {
      setError(e);
    }
  }
  const afterAction = () => {
    watchUntil.current = Date.now() + WATCH_AFTER_ACTION_MS;
    load();
  };
  useEffect(() => {
    load();
    return () => clearTimeout(timer.current);
  }, [id]);

  if (error && !invoice) return html`<${ProblemBox} error=${error} />`;
  if (!invoice) return html`<p>${t('loading')}</p>`;
  const i = invoice;
  return html`<section class="invoice" data-testid="invoice-page" data-status=${i.status}>
    <a href="/ui" class="back">${t('inv.back')}</a>
    <div class="title">
      <h1 data-testid="invoice-number">${i.invoiceNumber}</h1>
      <${StatusChip} status=${i.status} />
      <span class="amount">${money(i.grossAmount, i.currency)}</span>
    </div>
    <div class="cols">
      <div class="card">
        <h2>${t('inv.state')}</h2>
        <dl>
          <dt>${t('inv.ksefNumber')}</dt><dd class="mono" data-testid="ksef-number">${i.ksefNumber || '–'}</dd>
          ${i.rejectionCode && html`<dt>${t('inv.reason')}</dt><dd class="reason" data-testid="rejection-reason"><code>${i.rejectionCode}</code> ${i.rejectionReason}</dd>`}
          ${i.rejectionDetails?.length > 0 && html`<dt>${t('inv.details')}</dt><dd><ul>${i.rejectionDetails.map((d) => html`<li>${d}</li>`)}</ul></dd>`}
          <dt>${t('inv.next')}</dt><dd data-testid="next-action">${nextActionLabel(i.nextAction) || '–'}</dd>
          <dt>${t('inv.owner')}</dt><dd>${i.owner || '–'}</dd>
          ${i.deadline && html`<dt>${t('inv.deadline')}</dt><dd>${dateTime(i.deadline)}</dd>`}
          <dt>${t('inv.attempts')}</dt><dd>${i.attempts}</dd>
          ${i.pendingManualException && html`<dt>${t('inv.pendingException')}</dt><dd>${i.pendingManualException.requestedBy}: ${i.pendingManualException.reason}</dd>`}
        </dl>
        <div class="links">
          ${i.upoUrl && html`<a class="button" href=${i.upoUrl} download data-testid="upo">${t('inv.upo')}</a>`}
          <a href=${i.temporalUiUrl} target="_blank" rel="noopener">${t('inv.temporal')} ↗</a>
        </div>
      </div>
      <div class="card">
        <h2>${t('inv.data')}</h2>
        <dl>
          <dt>${t('inv.seller')}</dt><dd>${i.sellerName}<div class="sub">NIP ${i.sellerNip}</div></dd>
          <dt>${t('inv.buyer')}</dt><dd data-testid="buyer-name">${i.buyerName || '–'}<div class="sub">${i.buyerIdentifier || ''}</div></dd>
          <dt>${t('inv.issueDate')}</dt><dd>${i.issueDate}</dd>
          <dt>${t('inv.type')}</dt><dd>${i.invoiceType}</dd>
          <dt>${t('inv.source')}</dt><dd>${i.sourceSystem}</dd>
          <dt>${t('inv.received')}</dt><dd>${dateTime(i.receivedAt)}</dd>
        </dl>
      </div>
    </div>
    <${Chain} id=${i.id} version=${`${i.status}|${i.updatedAt}`} />
    <${Attachments} items=${i.attachments ?? []} />
    <${Actions} invoice=${i} onDone=${afterAction} />
    ${i.availableActions.includes('correct') && html`<${CorrectionForm} key=${i.updatedAt} invoice=${i} onDone=${afterAction} />`}
    <${Timeline} entries=${i.timeline} />
  </section>`;
}

function Actions({ invoice, onDone }) {
  const [note, setNote] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState(null);
  const [done, setDone] = useState(null);
  const actions = invoice.availableActions.filter((a) => a !== 'correct');

  async function run(action) {
    setError(null);
    setDone(null);
    const body = action === 'request-manual-exception' ? { reason, ...(note ? { note } : {}) } : note ? { note } : {};
    try {
      await api(`/api/v1/invoices/${invoice.id}/actions/${action}`, { method: 'POST', body });
      setDone(action);
      setNote('');
      setReason('');
      onDone();
    } catch (e) {
      setError(e);
    }
  }

  return html`<div class="card actions">
    <h2>${t('inv.actions')}</h2>
    ${!invoice.workflowAvailable && html`<p class="warn">${t('inv.workflowDown')}</p>`}
    ${actions.length === 0 ? html`<p class="muted">${t('inv.noActions')}</p>` : html`
      <div class="action-inputs">
        <label>${t('inv.note')}<input data-testid="action-note" value=${note} onInput=${(e) => setNote(e.target.value)} /></label>
        ${actions.includes('request-manual-exception') && html`<label>${t('inv.reasonRequired')}<input data-testid="exception-reason" value=${reason} onInput=${(e) => setReason(e.target.value)} /></label>`}
      </div>
      <div class="buttons">
        ${actions.map((a) => html`<button type="button" data-testid=${`action-${a}`} class=${a === 'cancel' || a === 'reject-approval' ? 'danger' : 'primary'} onClick=${() => run(a)}>${t(`act.${a}`)}</button>`)}
      </div>`}
    ${done && html`<p class="ok" role="status">${t('inv.done')}: ${t(`act.${done}`)}</p>`}
    <${ProblemBox} error=${error} />
  </div>`;
}

function CorrectionForm({ invoice, onDone }) {
  const [data, setData] = useState(invoice.invoice);
  const [error, setError] = useState(null);
  const [accepted, setAccepted] = useState(false);
  const fields = editableFields(data);
  const errorsByField = {};
  for (const e of error?.problem?.errors || []) (errorsByField[e.field] ||= []).push(lang.value === 'pl' && e.messagePl ? e.messagePl : e.message);
  const unplaced = Object.keys(errorsByField).filter((f) => !fields.some((x) => x.key === f));

  async function submit(event) {
    event.preventDefault();
    setError(null);
    try {
      await api(`/api/v1/invoices/${invoice.id}/actions/correct`, { method: 'POST', body: data });
      setAccepted(true);
      onDone();
    } catch (e) {
      setError(e);
    }
  }

  const update = (field) => (e) => {
    const raw = typeof field.value === 'boolean' ? e.target.checked : e.target.value;
    setData(withValue(data, field.path, typeof field.value === 'number' && raw !== '' ? Number(raw) : raw));
  };

  return html`<form class="card correction" data-testid="correction-form" onSubmit=${submit} novalidate>
    <h2>${t('inv.correction')}</h2>
    <p class="muted">${t('inv.correctionHint')}</p>
    ${error && html`<div class="problem" role="alert" data-testid="correction-problem"><strong>${error.status}</strong> ${error.problem?.detail || error.message}
      ${unplaced.length > 0 && html`<ul>${unplaced.map((f) => html`<li><code>${f}</code> ${errorsByField[f].join('; ')}</li>`)}</ul>`}</div>`}
    <div class="fields">
      ${fields.map((f) => html`<label class=${`field${errorsByField[f.key] ? ' invalid' : ''}${typeof f.value === 'boolean' ? ' flag' : ''}`} data-field=${f.key}>
        <span>${fieldLabel(f.key, lang.value)}</span>
        ${typeof f.value === 'boolean'
          ? html`<input type="checkbox" checked=${f.value} onChange=${update(f)} />`
          : html`<input name=${f.key} data-testid=${`field-${f.key}`} value=${f.value ?? ''} disabled=${LOCKED.has(f.key)} onInput=${update(f)} aria-invalid=${errorsByField[f.key] ? 'true' : 'false'} />`}
        ${errorsByField[f.key] && html`<small class="field-error" data-testid=${`error-${f.key}`}>${errorsByField[f.key].join('; ')}</small>`}
      </label>`)}
    </div>
    <button type="submit" class="primary" data-testid="submit-correction">${t('inv.submitCorrection')}</button>
    ${accepted && html`<p class="ok" role="status">${t('inv.correctionAccepted')}</p>`}
  </form>`;
}

function size(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toLocaleString(lang.value === 'pl' ? 'pl-PL' : 'en-GB', { maximumFractionDigits: 1 })} KB`;
  return `${(bytes / 1024 / 1024).toLocaleString(lang.value === 'pl' ? 'pl-PL' : 'en-GB', { maximumFractionDigits: 1 })} MB`;
}

function Attachments({ items }) {
  return html`<div class="card">
    <h2>${t('att.title')}</h2>
    ${items.length === 0 ? html`<p class="muted" data-testid="attachments-empty">${t('att.none')}</p>` : html`
    <table class="grid" data-testid="attachments">
      <thead><tr><th>${t('att.name')}</th><th>${t('att.type')}</th><th>${t('att.size')}</th><th>${t('att.owner')}</th><th>${t('att.due')}</th><th>${t('att.state')}</th></tr></thead>
      <tbody>${items.map((a) => html`<tr data-testid="attachment-row" data-attachment-id=${a.id} data-archived=${String(a.archived)}>
        <td><a href=${a.contentUrl} download=${a.name} data-testid="attachment-download">${a.name}</a></td>
        <td class="mono">${a.contentType}</td>
        <td class="nowrap">${size(a.size)}</td>
        <td>${a.owner || '–'}</td>
        <td class=${a.overdue ? 'nowrap warn' : 'nowrap'}>${a.dueDate ? dateTime(a.dueDate) : '–'}${a.overdue ? html` <span data-testid="attachment-overdue">${t('att.overdue')}</span>` : ''}</td>
        <td data-testid="attachment-state">${a.archived ? t('att.archived') : t('att.active')}</td>
      </tr>`)}</tbody>
    </table>`}
  </div>`;
}

/** The correction chain (original → corrections → their corrections) and ZAL ↔ ROZ links, each with its status; hidden for a lone invoice. */
function Chain({ id, version }) {
  const [chain, setChain] = useState(null);
  useEffect(() => {
    let live = true;
    api(`/api/v1/invoices/${id}/chain`).then((c) => live && setChain(c), () => live && setChain(null));
    return () => {
      live = false;
    };
  }, [id, version]);
  const root = chain?.root;
  if (!root || (root.id === id && root.corrections.length === 0 && root.advanceInvoices.length === 0 && root.settledBy.length === 0)) return null;
  return html`<div class="card" data-testid="chain">
    <h2>${t('chain.title')}</h2>
    <ul class="chain">${html`<${ChainNode} node=${root} current=${id} />`}</ul>
  </div>`;
}

function ChainNode({ node, current }) {
  const link = (target, label) => (target === current ? html`<strong>${label}</strong>` : html`<a href=${`/ui/invoices/${target}`}>${label}</a>`);
  return html`<li data-testid="chain-node" data-id=${node.id} data-type=${node.invoiceType} data-status=${node.status} data-current=${String(node.id === current)}>
    ${link(node.id, node.invoiceNumber)} <code>${node.invoiceType}</code> <${StatusChip} status=${node.status} />
    <span class="sub">${node.issueDate} · ${Number(node.grossAmount).toLocaleString(lang.value === 'pl' ? 'pl-PL' : 'en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}${node.ksefNumber ? html` · <span class="mono">${node.ksefNumber}</span>` : ''}</span>
    ${node.advanceInvoices.length > 0 && html`<div class="sub" data-testid="chain-advances">${t('chain.settles')}: ${node.advanceInvoices.map((a, k) => html`${k ? ', ' : ''}${a.id ? link(a.id, a.number) : html`${a.number} (${t('chain.outside')})`}${a.status ? html` <${StatusChip} status=${a.status} />` : ''}`)}</div>`}
    ${node.settledBy.length > 0 && html`<div class="sub" data-testid="chain-settled-by">${t('chain.settledBy')}: ${node.settledBy.map((s, k) => html`${k ? ', ' : ''}${link(s.id, s.invoiceNumber)} <${StatusChip} status=${s.status} />`)}</div>`}
    ${node.corrections.length > 0 && html`<ul>${node.corrections.map((c) => html`<${ChainNode} node=${c} current=${current} />`)}</ul>`}
  </li>`;
}

function Timeline({ entries }) {
  return html`<div class="card">
    <h2>${t('inv.timeline')}</h2>
    <table class="grid timeline" data-testid="timeline">
      <thead><tr><th>${t('tl.when')}</th><th>${t('tl.what')}</th><th>${t('tl.who')}</th><th>${t('tl.result')}</th></tr></thead>
      <tbody>${entries.map((e) => html`<tr data-action=${e.action}>
        <td class="nowrap">${dateTime(e.at)}</td>
        <td>${eventLabel(e.action)}${e.details?.code ? html` <code>${e.details.code}</code>` : ''}${e.details?.note ? html`<div class="sub">${e.details.note}</div>` : ''}${e.details?.reason && e.action !== 'invoice.triage' ? html`<div class="sub">${e.details.reason}</div>` : ''}</td>
        <td title=${e.actor}>${e.actorName || e.actor}</td>
        <td>${e.result || ''}</td>
      </tr>`)}</tbody>
    </table>
  </div>`;
}

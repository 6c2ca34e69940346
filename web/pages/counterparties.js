import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { lang, t } from '../i18n.js';
import { dateTime } from '../format.js';
import { ProblemBox } from '../components.js';

/**
 * Counterparty master data: the latest audit report (every register entry an invoice would fail on,
 * grouped by rule code), "run audit now", the register and a CSV import. What a person may do comes
 * from /auth/me allowedActions — the API's own matrix (api/auth/matrix.ts), not a copy of it.
 */

// Route policy: reading and running the audit are both "reports.read"; the register has its own pair.
const AUDIT = 'reports.read';
const READ = 'counterparties.read';
const MANAGE = 'counterparties.manage';

const shownId = (key) => key.replace(/^NIP:/, '').replace(/^EU_VAT:/, '').replace(/^OTHER:/, '').replace(/:/g, ' ');
const msg = (m) => (m ? m[lang.value] ?? m.en : '');

export function CounterpartiesPage({ me }) {
  const may = (action) => (me?.allowedActions || []).includes(action);
  return html`<section class="counterparties" data-testid="counterparties-page">
    <h1>${t('cp.title')}</h1>
    ${may(AUDIT) ? html`<${AuditReport} />` : html`<p class="muted" data-testid="audit-not-allowed">${t('cp.auditNotAllowed')}</p>`}
    ${may(MANAGE) && html`<${ImportForm} />`}
    ${may(READ) && html`<${Register} />`}
  </section>`;
}

function AuditReport() {
  const [report, setReport] = useState(undefined);
  const [error, setError] = useState(null);
  const [running, setRunning] = useState(false);
  const [notice, setNotice] = useState(null);

  const load = async () => {
    try {
      setReport((await api('/api/v1/reports/counterparties')).latest);
    } catch (e) {
      setError(e);
    }
  };
  useEffect(() => { load(); }, []);

  const run = async () => {
    setRunning(true);
    setError(null);
    setNotice(null);
    try {
      const res = await api('/api/v1/reports/counterparties/run', { method: 'POST' });
      // 202: still running on a big register; it becomes the latest report when it finishes.
      if (res.latest) setReport(res.latest);
      else setNotice(t('cp.stillRunning'));
    } catch (e) {
      setError(e);
    } finally {
      setRunning(false);
    }
  };

  return html`<div class="card audit" data-testid="audit-report">
    <div class="card-head">
      <h2>${t('cp.audit')}</h2>
      <button type="button" class="primary" data-testid="run-audit" disabled=${running} onClick=${run}>${running ? t('cp.running') : t('cp.runNow')}</button>
    </div>
    <${ProblemBox} error=${error} />
    ${notice && html`<p class="notice" data-testid="audit-notice">${notice}</p>`}
    ${report === undefined
      ? html`<p>${t('loading')}</p>`
      : report === null
        ? html`<p data-testid="audit-none">${t('cp.noRun')}</p>`
        : html`<div data-testid="audit-run" data-run-id=${report.id}>
            <p class="meta" data-testid="audit-summary">
              ${t('cp.finished')}: <strong>${dateTime(report.finishedAt)}</strong> ·
              ${t('cp.trigger')}: <code>${report.trigger}</code> ·
              ${t('cp.checked')}: <strong data-testid="audit-checked">${report.checked}</strong> ·
              ${t('cp.failing')}: <strong data-testid="audit-failing">${report.failing}</strong>
            </p>
            ${report.groups.length === 0
              ? html`<p data-testid="audit-clean">${t('cp.clean')}</p>`
              : report.groups.map((g) => html`<${AuditGroup} g=${g} />`)}
          </div>`}
  </div>`;
}

function AuditGroup({ g }) {
  return html`<details class=${`audit-group sev-${g.severity}`} open data-testid="audit-group" data-code=${g.code}>
    <summary>
      <span class=${`chip ${g.severity === 'error' ? 'chip-rejected' : 'chip-pending'}`}>${t(`cp.sev.${g.severity}`)}</span>
      <code class="code">${g.code}</code>
      <span class="reason">${msg(g.message)}</span>
      <span class="count" data-testid="audit-group-count">${g.count}</span>
    </summary>
    <table>
      <thead><tr><th>${t('cp.identifier')}</th><th>${t('cp.name')}</th><th>${t('cp.field')}</th><th>${t('cp.detail')}</th><th>${t('f.sourceSystem')}</th></tr></thead>
      <tbody>
        ${g.counterparties.map((c) => html`<tr data-testid="audit-member" data-key=${c.identifierKey}>
          <td><code>${shownId(c.identifierKey)}</code></td><td>${c.name}</td><td><code>${c.field}</code></td><td>${msg(c.detail)}</td><td>${c.sourceSystem}</td>
        </tr>`)}
      </tbody>
    </table>
  </details>`;
}

function ImportForm() {
  const [csv, setCsv] = useState('');
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);
  const submit = async (event) => {
    event.preventDefault();
    setError(null);
    setResult(null);
    try {
      setResult(await api('/api/v1/counterparties/import', { method: 'POST', raw: csv, contentType: 'text/csv' }));
    } catch (e) {
      // 422 "rejected" is still a per-row answer worth showing row by row.
      if (e.status === 422 && e.problem?.rows) setResult(e.problem);
      else setError(e);
    }
    dispatchEvent(new Event('ksefops:counterparties-changed'));
  };
  return html`<form class="card import" data-testid="import-form" onSubmit=${submit}>
    <h2>${t('cp.import')}</h2>
    <p class="muted">${t('cp.importHint')}</p>
    <textarea data-testid="import-csv" rows="5" value=${csv} onInput=${(e) => setCsv(e.target.value)} placeholder="nip;name;vatStatus;active"></textarea>
    <button type="submit" class="primary" data-testid="import-submit" disabled=${!csv.trim()}>${t('cp.importRun')}</button>
    <${ProblemBox} error=${error} />
    ${result && html`<div class="import-result" data-testid="import-result" data-status=${result.status}>
      <p><strong>${t(`cp.importStatus.${result.status}`)}</strong> — ${t('cp.received')} ${result.received}, ${t('cp.created')} ${result.created},
        ${t('cp.updated')} ${result.updated}, ${t('cp.unchanged')} ${result.unchanged}, ${t('cp.rejected')} ${result.rejected}</p>
      ${result.errors?.length > 0 && html`<ul data-testid="import-errors">${result.errors.map((e) => html`<li>${t('cp.row')} ${e.row}${e.line ? ` (${t('cp.line')} ${e.line})` : ''}: <code>${e.field}</code> <code>${e.code}</code> ${lang.value === 'pl' && e.messagePl ? e.messagePl : e.message}</li>`)}</ul>`}
    </div>`}
  </form>`;
}

function Register() {
  const [q, setQ] = useState('');
  const [page, setPage] = useState(null);
  const [error, setError] = useState(null);
  const load = async (query = q) => {
    const params = new URLSearchParams({ limit: '50' });
    if (query.trim()) params.set('q', query.trim());
    try {
      setPage(await api(`/api/v1/counterparties?${params}`));
    } catch (e) {
      setError(e);
    }
  };
  useEffect(() => {
    load();
    const reload = () => load();
    addEventListener('ksefops:counterparties-changed', reload);
    return () => removeEventListener('ksefops:counterparties-changed', reload);
  }, []);
  return html`<div class="card register" data-testid="counterparty-register">
    <h2>${t('cp.register')}</h2>
    <form class="filters" onSubmit=${(e) => { e.preventDefault(); load(); }}>
      <input data-testid="cp-search" placeholder=${t('cp.search')} value=${q} onInput=${(e) => setQ(e.target.value)} />
      <button type="submit" data-testid="cp-search-submit">${t('reg.apply')}</button>
    </form>
    <${ProblemBox} error=${error} />
    ${page && html`<p class="meta" data-testid="cp-total">${t('cp.total')}: ${page.total}</p>
      <table>
        <thead><tr><th>${t('cp.identifier')}</th><th>${t('cp.name')}</th><th>${t('cp.vatStatus')}</th><th>${t('cp.active')}</th><th>${t('f.sourceSystem')}</th><th>${t('cp.updatedAt')}</th></tr></thead>
        <tbody>
          ${page.items.map((c) => html`<tr data-testid="cp-row" data-key=${c.identifierKey}>
            <td><code>${shownId(c.identifierKey)}</code></td><td>${c.name}</td><td>${c.vatStatus}</td><td>${c.active ? t('cp.yes') : t('cp.no')}</td><td>${c.sourceSystem}</td><td>${dateTime(c.updatedAt)}</td>
          </tr>`)}
        </tbody>
      </table>`}
  </div>`;
}

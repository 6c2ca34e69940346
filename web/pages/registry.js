import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { nextActionLabel, t } from '../i18n.js';
import { dateTime, duration, money } from '../format.js';
import { ProblemBox, StatusChip } from '../components.js';
import { navigate } from '../app.js';

const GROUPS = ['all', 'pending', 'accepted', 'rejected', 'closed'];
const TEXT_FILTERS = ['sourceSystem', 'sellerNip', 'buyerNip', 'rejectionCode'];
const DATE_FILTERS = ['issueDateFrom', 'issueDateTo', 'receivedFrom', 'receivedTo'];
const TYPES = ['VAT', 'KOR', 'ZAL', 'ROZ', 'UPR', 'KOR_ZAL', 'KOR_ROZ'];

/** The registry: filters live in the URL, so a filtered view can be bookmarked or sent to a colleague. */
export function RegistryPage({ search }) {
  const params = new URLSearchParams(search);
  const [draft, setDraft] = useState(Object.fromEntries(params));
  const [items, setItems] = useState(null);
  const [cursor, setCursor] = useState(null);
  const [error, setError] = useState(null);
  const [showMore, setShowMore] = useState(TEXT_FILTERS.concat(DATE_FILTERS, ['type', 'direction']).some((k) => params.get(k)));

  async function load(after) {
    setError(null);
    const query = new URLSearchParams(search);
    query.set('limit', '50');
    if (after) query.set('cursor', after);
    try {
      const page = await api(`/api/v1/invoices?${query}`);
      setItems((prev) => (after && prev ? prev.concat(page.items) : page.items));
      setCursor(page.nextCursor);
    } catch (e) {
      setError(e);
      if (!after) setItems([]);
    }
  }

  useEffect(() => {
    setDraft(Object.fromEntries(new URLSearchParams(search)));
    setItems(null);
    load(null);
  }, [search]);

  const apply = (next) => {
    const clean = Object.entries(next).filter(([, v]) => v !== '' && v !== undefined && v !== null);
    navigate(`/ui${clean.length ? `?${new URLSearchParams(clean)}` : ''}`);
  };
  const set = (key) => (e) => setDraft({ ...draft, [key]: e.target.value });
  const group = params.get('status') || 'all';
  const csvQuery = new URLSearchParams(search);
  csvQuery.set('format', 'csv');

  return html`<section class="registry">
    <h1>${t('reg.title')}</h1>
    <div class="chips" role="group" data-testid="status-groups">
      ${GROUPS.map((g) => html`<button type="button" data-testid=${`group-${g}`} class=${`chipbtn ${group === g ? 'on' : ''} g-${g}`}
        onClick=${() => apply({ ...draft, status: g === 'all' ? '' : g })}>${t(`group.${g}`)}</button>`)}
    </div>
    <form class="filters" onSubmit=${(e) => { e.preventDefault(); apply(draft); }}>
      <input class="q" type="search" data-testid="filter-q" placeholder=${t('reg.search')} value=${draft.q || ''} onInput=${set('q')} />
      <label>${t('f.sort')}
        <select value=${draft.sort || 'receivedAt'} onChange=${set('sort')}>
          ${['receivedAt', 'issueDate', 'grossAmount', 'status'].map((s) => html`<option value=${s}>${t(`sort.${s}`)}</option>`)}
        </select></label>
      <label>${t('f.order')}
        <select value=${draft.order || 'desc'} onChange=${set('order')}>
          ${['desc', 'asc'].map((o) => html`<option value=${o}>${t(`order.${o}`)}</option>`)}
        </select></label>
      <button type="submit" class="primary" data-testid="filter-apply">${t('reg.apply')}</button>
      <button type="button" onClick=${() => apply({})}>${t('reg.clear')}</button>
      <button type="button" class="link" onClick=${() => setShowMore(!showMore)}>${t('reg.more')} ${showMore ? '▴' : '▾'}</button>
      <a class="button" href=${`/api/v1/invoices?${csvQuery}`} download data-testid="csv">${t('reg.csv')}</a>
      ${showMore && html`<div class="more">
        ${TEXT_FILTERS.map((k) => html`<label>${t(`f.${k}`)}<input data-testid=${`filter-${k}`} value=${draft[k] || ''} onInput=${set(k)} /></label>`)}
        <label>${t('f.type')}<select value=${draft.type || ''} onChange=${set('type')}><option value="">${t('f.any')}</option>${TYPES.map((x) => html`<option>${x}</option>`)}</select></label>
        <label>${t('f.direction')}<select value=${draft.direction || ''} onChange=${set('direction')}><option value="">${t('f.any')}</option>
          ${['OUTGOING', 'INCOMING'].map((d) => html`<option value=${d}>${t(`dir.${d}`)}</option>`)}</select></label>
        ${DATE_FILTERS.map((k) => html`<label>${t(`f.${k}`)}<input type="date" value=${(draft[k] || '').slice(0, 10)} onInput=${set(k)} /></label>`)}
      </div>`}
    </form>
    <${ProblemBox} error=${error} />
    ${items === null ? html`<p>${t('loading')}</p>` : html`
      <table class="grid" data-testid="registry-table">
        <thead><tr>
          <th>${t('col.number')}</th><th>${t('col.counterparty')}</th><th class="num">${t('col.amount')}</th><th>${t('col.status')}</th>
          <th>${t('col.reason')}</th><th>${t('col.next')}</th><th>${t('col.owner')}</th><th>${t('col.age')}</th>
        </tr></thead>
        <tbody>
          ${items.map((i) => html`<tr data-testid="registry-row" data-id=${i.id} onClick=${(e) => { if (!e.target.closest('a')) navigate(`/ui/invoices/${i.id}`); }}>
            <td><a href=${`/ui/invoices/${i.id}`}>${i.invoiceNumber}</a><div class="sub">${i.issueDate} · ${i.sourceSystem}</div></td>
            <td>${i.buyerName || '–'}<div class="sub">${i.buyerIdentifier || ''}</div></td>
            <td class="num">${money(i.grossAmount, i.currency)}</td>
            <td><${StatusChip} status=${i.status} />${i.ksefNumber && html`<div class="sub mono">${i.ksefNumber}</div>`}</td>
            <td class="reason">${i.rejectionCode && html`<code>${i.rejectionCode}</code> `}<span title=${i.rejectionReason || ''}>${i.rejectionReason || ''}</span></td>
            <td>${nextActionLabel(i.nextAction) || '–'}</td>
            <td>${i.owner || '–'}</td>
            <td title=${dateTime(i.receivedAt)}>${duration(i.ageSeconds)}</td>
          </tr>`)}
        </tbody>
      </table>
      ${items.length === 0 && html`<p class="empty">${t('reg.empty')}</p>`}
      <div class="pager">
        <span>${t('reg.count')}: ${items.length}</span>
        ${cursor && html`<button type="button" data-testid="load-more" onClick=${() => load(cursor)}>${t('reg.loadMore')}</button>`}
      </div>`}
  </section>`;
}

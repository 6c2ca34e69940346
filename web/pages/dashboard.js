import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { statusLabel, t } from '../i18n.js';
import { duration, percent } from '../format.js';
import { ProblemBox } from '../components.js';
import { GroupedBars, HBars, LineChart } from '../charts.js';

const AGE_CLASSES = { '<1h': 'age0', '1-24h': 'age1', '1-7d': 'age2', '>7d': 'age3' };
const warsawToday = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Warsaw' }).format(new Date());
const plusDays = (day, n) => new Date(Date.parse(`${day}T12:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

export function DashboardPage() {
  const params = new URLSearchParams(location.search);
  const [range, setRange] = useState({ from: params.get('from') || plusDays(warsawToday(), -29), to: params.get('to') || warsawToday(), sourceSystem: params.get('sourceSystem') || '' });
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);

  async function load(r = range) {
    setError(null);
    // "to" is inclusive for people, exclusive for the API.
    const query = new URLSearchParams({ from: r.from, to: plusDays(r.to, 1) });
    if (r.sourceSystem) query.set('sourceSystem', r.sourceSystem);
    try {
      setData(await api(`/api/v1/dashboard?${query}`));
    } catch (e) {
      setError(e);
    }
  }
  useEffect(() => { load(); }, []);

  const set = (k) => (e) => setRange({ ...range, [k]: e.target.value });
  return html`<section class="dashboard">
    <h1>${t('dash.title')}</h1>
    <form class="filters" onSubmit=${(e) => { e.preventDefault(); load(); }}>
      <label>${t('dash.from')}<input type="date" value=${range.from} onInput=${set('from')} /></label>
      <label>${t('dash.to')}<input type="date" value=${range.to} onInput=${set('to')} /></label>
      <label>${t('f.sourceSystem')}<input data-testid="dash-source" value=${range.sourceSystem} onInput=${set('sourceSystem')} /></label>
      <button type="submit" class="primary" data-testid="dash-show">${t('dash.show')}</button>
    </form>
    <${ProblemBox} error=${error} />
    ${!data ? html`<p>${t('loading')}</p>` : html`<${Dashboard} d=${data} />`}
  </section>`;
}

function Kpi({ id, label, value, tone }) {
  return html`<div class=${`kpi ${tone || ''}`} data-testid=${`kpi-${id}`}><div class="kpi-value">${value}</div><div class="kpi-label">${label}</div></div>`;
}

function Dashboard({ d }) {
  const days = d.daily.map((x) => x.day);
  return html`<div data-testid="dashboard-data">
    <div class="kpis">
      <${Kpi} id="rejection-rate" label=${t('kpi.rejectionRate')} value=${percent(d.totals.rejectionRate)} tone=${d.totals.rejectionRate > 0.1 ? 'bad' : ''} />
      <${Kpi} id="submitted" label=${t('kpi.submitted')} value=${d.totals.submitted} />
      <${Kpi} id="accepted" label=${t('kpi.accepted')} value=${d.totals.accepted} />
      <${Kpi} id="rejected" label=${t('kpi.rejected')} value=${d.totals.rejected} />
      <${Kpi} id="backlog" label=${t('kpi.backlog')} value=${d.backlog.total} />
      <${Kpi} id="stuck" label=${t('kpi.stuck')} value=${d.stuck ? d.stuck.total : 0} tone=${d.stuck && d.stuck.total > 0 ? 'bad' : ''} />
      <${Kpi} id="manual" label=${t('kpi.manual')} value=${d.totals.manualExceptions} />
      <${Kpi} id="fix" label=${t('kpi.fix')} value=${duration(d.timeToFix.p50Seconds)} />
      <${Kpi} id="retry" label=${t('kpi.retry')} value=${duration(d.timeToRetry.p50Seconds)} />
    </div>
    <div class="charts">
      <div class="card"><h2>${t('chart.rate')}</h2>
        <${LineChart} testid="chart-rate" format=${percent} points=${d.daily.map((x) => ({ label: x.day, value: x.rejectionRate }))} /></div>
      <div class="card"><h2>${t('chart.daily')}</h2>
        <${GroupedBars} testid="chart-daily" labels=${days} series=${[
          { name: t('kpi.submitted'), cls: 's-sub', values: d.daily.map((x) => x.submitted) },
          { name: t('kpi.accepted'), cls: 's-acc', values: d.daily.map((x) => x.accepted) },
          { name: t('kpi.rejected'), cls: 's-rej', values: d.daily.map((x) => x.rejected) },
        ]} /></div>
      <div class="card"><h2>${t('chart.backlog')}</h2>
        <${HBars} testid="chart-backlog" rows=${d.backlog.byStatus.map((s) => ({
          label: statusLabel(s.status),
          parts: Object.entries(s.buckets).map(([bucket, value]) => ({ name: bucket, value, cls: AGE_CLASSES[bucket] })),
        }))} />
        <div class="legend">${Object.entries(AGE_CLASSES).map(([b, c]) => html`<span><i class=${`sw ${c}`}></i>${b}</span>`)}</div></div>
      <div class="card"><h2>${t('chart.fix')}</h2>
        <${HBars} testid="chart-fix" rows=${d.timeToFix.histogram.map((b) => ({ label: b.bucket, parts: [{ name: b.bucket, value: b.count, cls: 's-acc' }] }))} />
        <p class="muted">${t('chart.unfixed')}: ${d.timeToFix.unfixed}</p></div>
      <div class="card wide"><h2>${t('chart.reasons')}</h2>
        <${HBars} testid="chart-reasons" rows=${d.topRejectionReasons.map((r) => ({ label: r.code, title: r.example, parts: [{ name: r.code, value: r.count, cls: 's-rej' }] }))} /></div>
    </div>
  </div>`;
}

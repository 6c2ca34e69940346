import { html } from './html.js';
import { t } from './i18n.js';

/** Small inline-SVG charts: no chart library, nothing fetched at runtime, crisp at any zoom. */

const W = 560;
const H = 200;
const PAD = { l: 40, r: 10, t: 10, b: 28 };

function xTicks(days) {
  const step = Math.max(1, Math.ceil(days.length / 8));
  return days.map((d, i) => ({ i, label: d.slice(5) })).filter((d) => d.i % step === 0);
}

export function LineChart({ points, format, testid }) {
  if (!points.length) return html`<p class="muted">${t('chart.none')}</p>`;
  const max = Math.max(0.0001, ...points.map((p) => p.value ?? 0));
  const x = (i) => PAD.l + (points.length === 1 ? 0 : (i * (W - PAD.l - PAD.r)) / (points.length - 1));
  const y = (v) => PAD.t + (1 - v / max) * (H - PAD.t - PAD.b);
  // Days without outcomes have no rate: the line breaks there instead of pretending 0%.
  const segments = [];
  let current = [];
  points.forEach((p, i) => {
    if (p.value === null) {
      if (current.length) segments.push(current);
      current = [];
    } else current.push(`${x(i).toFixed(1)},${y(p.value).toFixed(1)}`);
  });
  if (current.length) segments.push(current);
  return html`<svg viewBox=${`0 0 ${W} ${H}`} class="chart" role="img" data-testid=${testid}>
    ${[0, 0.5, 1].map((f) => html`<g><line x1=${PAD.l} x2=${W - PAD.r} y1=${y(max * f)} y2=${y(max * f)} class="gridline" />
      <text x=${PAD.l - 4} y=${y(max * f) + 4} class="axis" text-anchor="end">${format(max * f)}</text></g>`)}
    ${segments.map((s) => html`<polyline points=${s.join(' ')} class="line" />`)}
    ${points.map((p, i) => p.value !== null && html`<circle cx=${x(i)} cy=${y(p.value)} r="3" class="dot"><title>${p.label}: ${format(p.value)}</title></circle>`)}
    ${xTicks(points.map((p) => p.label)).map((tk) => html`<text x=${x(tk.i)} y=${H - 8} class="axis" text-anchor="middle">${tk.label}</text>`)}
  </svg>`;
}

export function GroupedBars({ labels, series, testid }) {
  if (!labels.length) return html`<p class="muted">${t('chart.none')}</p>`;
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const band = (W - PAD.l - PAD.r) / labels.length;
  const bw = Math.max(1, (band * 0.8) / series.length);
  const y = (v) => PAD.t + (1 - v / max) * (H - PAD.t - PAD.b);
  return html`<svg viewBox=${`0 0 ${W} ${H + 16}`} class="chart" role="img" data-testid=${testid}>
    ${[...new Set([0, Math.round(max / 2), max])].map((v) => html`<g><line x1=${PAD.l} x2=${W - PAD.r} y1=${y(v)} y2=${y(v)} class="gridline" />
      <text x=${PAD.l - 4} y=${y(v) + 4} class="axis" text-anchor="end">${v}</text></g>`)}
    ${labels.map((label, i) => series.map((s, k) => html`<rect x=${PAD.l + i * band + band * 0.1 + k * bw} y=${y(s.values[i])} width=${bw}
      height=${Math.max(0, H - PAD.b - y(s.values[i]))} class=${`bar ${s.cls}`}><title>${label} ${s.name}: ${s.values[i]}</title></rect>`))}
    ${xTicks(labels).map((tk) => html`<text x=${PAD.l + tk.i * band + band / 2} y=${H - 8} class="axis" text-anchor="middle">${tk.label}</text>`)}
    ${series.map((s, k) => html`<g><rect x=${PAD.l + k * 120} y=${H + 4} width="10" height="10" class=${`bar ${s.cls}`} />
      <text x=${PAD.l + k * 120 + 14} y=${H + 13} class="axis">${s.name}</text></g>`)}
  </svg>`;
}

/** Horizontal bars, one row per item, optionally stacked (backlog age buckets). HTML, so labels keep their size. */
export function HBars({ rows, testid }) {
  if (!rows.length) return html`<p class="muted">${t('chart.none')}</p>`;
  const max = Math.max(1, ...rows.map((r) => r.parts.reduce((a, p) => a + p.value, 0)));
  return html`<div class="hbars" data-testid=${testid}>
    ${rows.map((r) => {
      const total = r.parts.reduce((a, p) => a + p.value, 0);
      return html`<div class="hbar-row">
        <span class="hbar-label" title=${r.title || r.label}>${r.label}</span>
        <span class="hbar-track">${r.parts.map((p) => p.value > 0 && html`<i class=${`hbar ${p.cls}`} style=${`width:${(p.value / max) * 100}%`} title=${`${p.name}: ${p.value}`}></i>`)}</span>
        <span class="hbar-total">${total}</span>
      </div>`;
    })}
  </div>`;
}

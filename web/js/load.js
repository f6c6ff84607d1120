// Load, queues and fairness from a coverage answer's `service` member: a point's catchment and
// queue, a "load per point" bar chart (plain SVG, no chart library), the fairness figures and
// the residents at overloaded or strained points. Every text comes from i18n.
import { h } from './dom.js';
import { fmtDecimal, fmtInt, t } from './i18n.js';

export const LEVEL_COLOURS = { fine: '#2e7d32', strained: '#ef6c00', overloaded: '#c62828' };

/** Point id → queue level, for marking points on a map. */
export function levelsById(service) {
  return Object.fromEntries((service?.points ?? []).map((p) => [p.id, p.level]));
}

function utilisationText(p) {
  return p.utilisation === null || p.utilisation === undefined ? '—' : fmtDecimal(p.utilisation, 2);
}

function waitText(p) {
  return p.wait_min === null || p.wait_min === undefined ? t('load.noSteadyState') : t('unit.min', { n: fmtDecimal(p.wait_min, 1) });
}

/** Catchment, load, ρ, expected wait and counters needed of one point (`service.points[i]`). */
export function pointLoadDetails(p, maxWaitMin) {
  if (!p) return h('p', { class: 'hint', testid: 'point-load' }, t('load.none'));
  const row = (label, value, testid) => [h('dt', {}, label), h('dd', { testid }, value)];
  return h(
    'div',
    { class: 'point-load', testid: 'point-load', dataset: { level: p.level } },
    h('h4', {}, t('load.title'), ' ', h('span', { class: `level level-${p.level}`, testid: 'point-load-level' }, t(`load.level.${p.level}`))),
    h(
      'dl',
      { class: 'facts' },
      row(t('load.catchment'), t('load.residents', { n: fmtInt(p.residents) }), 'point-load-catchment'),
      row(t('load.arrivals'), t('load.perHour', { n: fmtDecimal(p.peak_arrivals_per_hour, 1) }), 'point-load-arrivals'),
      row(t('load.utilisation'), utilisationText(p), 'point-load-rho'),
      row(t('load.wait'), waitText(p), 'point-load-wait'),
      row(t('load.counters'), fmtInt(p.counters), 'point-load-counters'),
      row(t('load.countersNeeded', { min: fmtInt(maxWaitMin) }), p.counters_needed === null ? t('load.tooMany') : fmtInt(p.counters_needed), 'point-load-needed'),
    ),
  );
}

/** One line: residents whose point is overloaded or strained, and covered within capacity. */
export function loadSummary(service) {
  const l = service.load;
  return h(
    'p',
    { class: 'load-summary', testid: 'load-summary', dataset: { overloaded: String(l.points_overloaded) } },
    t('load.summary', {
      over: fmtInt(l.residents_at_overloaded),
      overPoints: fmtInt(l.points_overloaded),
      strained: fmtInt(l.residents_at_strained),
      strainedPoints: fmtInt(l.points_strained),
      capacity: fmtInt(service.within_capacity.covered),
    }),
  );
}

/** Horizontal bars of utilisation ρ for the `limit` busiest points, marks at 0.85 and 1. */
export function loadChart(service, { limit = 20 } = {}) {
  const points = [...(service?.points ?? [])]
    .sort((a, b) => (b.utilisation ?? Infinity) - (a.utilisation ?? Infinity))
    .slice(0, limit);
  const top = Math.max(1.2, ...points.map((p) => p.utilisation ?? 0));
  const [labelW, barW, rowH] = [150, 360, 18];
  const x = (rho) => labelW + (Math.min(rho, top) / top) * barW;
  const ns = 'http://www.w3.org/2000/svg';
  const el = (tag, attrs, text) => {
    const e = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const height = points.length * rowH + 24;
  const svg = el('svg', { viewBox: `0 0 ${labelW + barW + 60} ${height}`, role: 'img', 'aria-label': t('load.chartTitle'), class: 'load-chart', 'data-testid': 'load-chart' });
  points.forEach((p, i) => {
    const y = i * rowH;
    const rho = p.utilisation ?? top;
    const name = p.name.length > 24 ? `${p.name.slice(0, 23)}…` : p.name;
    svg.append(el('text', { x: labelW - 6, y: y + 13, 'text-anchor': 'end', 'font-size': 11 }, name));
    const bar = el('rect', { x: labelW, y: y + 3, width: Math.max(1, x(rho) - labelW), height: rowH - 6, fill: LEVEL_COLOURS[p.level] ?? '#555', 'data-testid': 'load-bar', 'data-level': p.level, 'data-point-id': p.id });
    bar.append(el('title', {}, `${p.name}: ρ ${utilisationText(p)} · ${waitText(p)}`));
    svg.append(bar);
    svg.append(el('text', { x: x(rho) + 4, y: y + 13, 'font-size': 11 }, utilisationText(p)));
  });
  for (const mark of [0.85, 1]) {
    svg.append(el('line', { x1: x(mark), x2: x(mark), y1: 0, y2: points.length * rowH, stroke: '#333', 'stroke-dasharray': '3 3' }));
    svg.append(el('text', { x: x(mark), y: points.length * rowH + 16, 'text-anchor': 'middle', 'font-size': 11 }, `ρ ${fmtDecimal(mark, 2)}`));
  }
  return h('figure', { class: 'load-figure' }, svg, h('figcaption', { class: 'hint' }, t('load.chartNote', { n: fmtInt(points.length) })));
}

/** Gini, Palma, Theil and the worst-off tenth of travel time, and the mean E2SFCA access. */
export function fairnessTable(service) {
  const f = service?.fairness ?? {};
  const tm = f.travel_min;
  const rows = [
    ['gini', tm ? fmtDecimal(tm.gini, 3) : '—'],
    ['palma', tm?.palma ? fmtDecimal(tm.palma, 2) : '—'],
    ['theil', tm ? t('fair.theilParts', { all: fmtDecimal(tm.theil_t, 3), within: fmtDecimal(service.theil_within_wards, 3), between: fmtDecimal(service.theil_between_wards, 3) }) : '—'],
    ['worst', tm ? t('fair.worstValue', { worst: fmtDecimal(tm.top_tenth_mean, 1), mean: fmtDecimal(tm.mean, 1) }) : '—'],
    ['e2sfca', f.e2sfca_per_10k === null || f.e2sfca_per_10k === undefined ? '—' : fmtDecimal(f.e2sfca_per_10k, 2)],
  ];
  return h(
    'div',
    { testid: 'fairness' },
    h('table', { class: 'data' }, h('tbody', {}, rows.map(([key, value]) => h('tr', { testid: `fair-${key}` }, h('th', { scope: 'row' }, t(`fair.${key}`)), h('td', {}, value))))),
    h('p', { class: 'hint' }, t('fair.note', { n: fmtInt(tm?.population ?? 0) })),
  );
}

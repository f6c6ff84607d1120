// KPI cards shared by the planner and leadership views, built from a CoverageResult summary.
import { h } from './dom.js';
import { fmtInt, fmtMinutes, fmtShare, t } from './i18n.js';
import { KINDS } from './layers/points.js';

function card(testid, label, value, ...extra) {
  return h('div', { class: 'kpi', testid }, h('div', { class: 'kpi-label' }, label), h('div', { class: 'kpi-value', testid: `${testid}-value` }, value), ...extra);
}

/** Cards for covered share (against the 100 % target), people outside, mean and p95 time, points by kind. */
export function kpiCards(summary, { compact = false, points = null } = {}) {
  const share = summary.covered_share ?? (summary.population_total ? summary.population_covered / summary.population_total : null);
  const bar = h(
    'div',
    { class: 'target-bar', role: 'img', 'aria-label': `${fmtShare(share)} / 100 %` },
    h('span', { class: 'target-fill', style: `width:${Math.max(0, Math.min(1, share ?? 0)) * 100}%` }),
  );
  const byKind = summary.points_by_kind ?? countByKind(points ?? []);
  const pointsTotal = Object.values(byKind).reduce((a, b) => a + (b ?? 0), 0);
  const kindList = h(
    'ul',
    { class: 'kind-list' },
    KINDS.filter((k) => byKind[k]).map((k) => h('li', {}, `${t(`kind.${k}`)}: `, h('strong', {}, fmtInt(byKind[k])))),
  );
  const cards = [
    card('kpi-covered-share', t('kpi.coveredShare'), fmtShare(share), bar, h('div', { class: 'kpi-note' }, t('kpi.target'), ' · ', t('kpi.population', { n: fmtInt(summary.population_total) }))),
    card(
      'kpi-uncovered',
      t('kpi.uncovered'),
      fmtInt(summary.population_uncovered),
      summary.population_no_road_data ? h('div', { class: 'kpi-note' }, t('kpi.noRoadData', { n: fmtInt(summary.population_no_road_data) })) : null,
    ),
    card('kpi-mean', t('kpi.mean'), fmtMinutes(summary.mean_travel_s)),
    card('kpi-p95', t('kpi.p95'), fmtMinutes(summary.p95_travel_s)),
  ];
  if (!compact) cards.push(card('kpi-points', t('kpi.points'), fmtInt(pointsTotal), kindList));
  const root = h('div', { class: 'kpi-grid', testid: 'kpi-grid' }, cards);
  root.dataset.uncovered = String(summary.population_uncovered ?? '');
  return root;
}

/** Points per kind, for a summary that does not carry `points_by_kind`. */
export function countByKind(points) {
  const counts = {};
  for (const p of points) counts[p.kind] = (counts[p.kind] ?? 0) + 1;
  return counts;
}

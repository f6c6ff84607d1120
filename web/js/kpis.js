// KPI cards shared by the planner and leadership views, built from a CoverageResult summary.
import { h } from './dom.js';
import { fmtInt, fmtMinutes, fmtShare, t } from './i18n.js';
import { KINDS } from './layers/points.js';

function card(testid, label, value, ...extra) {
  return h('div', { class: 'kpi', testid }, h('div', { class: 'kpi-label' }, label), h('div', { class: 'kpi-value', testid: `${testid}-value` }, value), ...extra);
}

/**
 * Cards for the covered share of all residents (against the 100 % target) with the share the
 * data can decide, the people outside, the people the data cannot decide, mean and p95 time,
 * points by kind. Shares are of every resident of the study area.
 */
export function kpiCards(summary, { compact = false, points = null } = {}) {
  const total = summary.population_total ?? 0;
  const of = (n) => (total ? (n ?? 0) / total : null);
  const share = summary.covered_share ?? of(summary.population_covered);
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
  const decided = (summary.population_covered ?? 0) + (summary.population_uncovered ?? 0);
  const cards = [
    card(
      'kpi-covered-share',
      t('kpi.coveredShare'),
      fmtShare(share),
      bar,
      h('div', { class: 'kpi-note' }, t('kpi.target'), ' · ', t('kpi.population', { n: fmtInt(total) })),
      summary.population_unknown
        ? h('div', { class: 'kpi-note', testid: 'kpi-decided' }, t('kpi.decided', { share: fmtShare(decided ? summary.population_covered / decided : null) }))
        : null,
    ),
    card(
      'kpi-uncovered',
      t('kpi.uncovered'),
      fmtInt(summary.population_uncovered),
      h('div', { class: 'kpi-note' }, t('kpi.uncoveredNote', { share: fmtShare(summary.uncovered_share ?? of(summary.population_uncovered)) })),
    ),
    card(
      'kpi-unknown',
      t('kpi.unknown'),
      fmtInt(summary.population_unknown ?? 0),
      h('div', { class: 'kpi-note' }, t('kpi.unknownNote', { share: fmtShare(summary.unknown_share ?? of(summary.population_unknown)) })),
    ),
    card('kpi-mean', t('kpi.mean'), fmtMinutes(summary.mean_travel_s)),
    card('kpi-p95', t('kpi.p95'), fmtMinutes(summary.p95_travel_s)),
  ];
  if (!compact) cards.push(card('kpi-points', t('kpi.points'), fmtInt(pointsTotal), kindList));
  const root = h('div', { class: 'kpi-grid', testid: 'kpi-grid' }, cards);
  root.dataset.uncovered = String(summary.population_uncovered ?? '');
  root.dataset.unknown = String(summary.population_unknown ?? '');
  return root;
}

/** Points per kind, for a summary that does not carry `points_by_kind`. */
export function countByKind(points) {
  const counts = {};
  for (const p of points) counts[p.kind] = (counts[p.kind] ?? 0) + 1;
  return counts;
}

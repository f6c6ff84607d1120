// Planner panel: two scenarios compared under one rule, a full-width map of where coverage is
// gained and lost, and a ward table of what differs.
import * as api from '../../api.js';
import { h } from '../../dom.js';
import { fmtDecimal, fmtInt, fmtShare, fmtSignedInt, fmtSignedShare, t } from '../../i18n.js';
import { createMap } from '../../map.js';
import { cellsFromColumns } from '../../layers/cells.js';
import { addDifference, differenceCells, differenceLegend, setDifference } from '../../layers/difference.js';
import { addPoints, setPoints } from '../../layers/points.js';
import { BASELINE_ID, draftOf, fillScenarioSelect, scenarioLabel } from '../../scenarios.js';
import { errorText } from '../citizen.js';

/** Mounts the panel over the planner's shared `state` (its scenario list and `disposed`). */
export function mount(state) {
  const maps = [];
  const compareA = h('select', { id: 'compare-a', testid: 'compare-a' });
  const compareB = h('select', { id: 'compare-b', testid: 'compare-b' });
  const compareButton = h('button', { type: 'button', class: 'secondary', testid: 'compare-run', onClick: compare }, t('planner.compareRun'));
  const compareHolder = h('div', { testid: 'compare-result' });
  /** The difference map, placed by the planner across the whole view. */
  const wideHolder = h('section', { class: 'compare-wide', testid: 'compare-wide', hidden: true });

  /**
   * Both scenarios under one rule, A's (mode and rule): A as saved, B's points evaluated under
   * A's rule, so a difference is the points' and not the rules'. One full-width map shows
   * where B gains (green) and loses (red) covered people against A.
   */
  function closeWide() {
    for (const m of maps) m.remove();
    maps.length = 0;
    wideHolder.hidden = true;
    wideHolder.replaceChildren();
  }

  async function compare() {
    for (const m of maps) m.remove();
    maps.length = 0;
    const ids = [compareA.value, compareB.value];
    compareHolder.replaceChildren(h('p', { class: 'status' }, t('common.loading')));
    try {
      const [scenarioA, scenarioB] = await Promise.all(ids.map((id) => api.getScenario(id)));
      const results = await Promise.all([
        api.scenarioCoverage(ids[0], { columns: true }),
        api.evaluate(draftOf(scenarioA, scenarioB.points ?? []), { columns: true }),
      ]);
      const cells = await Promise.all(results.map((r) => cellsFromColumns(r.cell_columns)));
      if (state.disposed) return;
      const label = (id) => scenarioLabel(state.list.find((s) => s.id === id) ?? { id, name: id });
      const ruleText = (s) => {
        const rule = s.rule ?? {};
        return t('kpi.rule', {
          min: fmtInt(rule.max_minutes),
          combine: t(`kpi.combine.${rule.combine === 'and' ? 'and' : 'or'}`),
          km: fmtDecimal(rule.radius_km),
          mode: t(`mode.${s.mode ?? 'motorbike'}`),
        });
      };
      const sameRule = JSON.stringify([scenarioA.mode, scenarioA.rule]) === JSON.stringify([scenarioB.mode, scenarioB.rule]);
      const ruleNote = h(
        'p',
        { class: sameRule ? 'hint' : 'banner-warn', testid: 'compare-rule', dataset: { sameRule: String(sameRule) } },
        t('planner.compareRule', { rule: ruleText(scenarioA) }),
        sameRule ? '' : ` ${t('planner.compareRuleDiffers', { rule: ruleText(scenarioB) })}`,
      );
      const difference = differenceCells(cells[0], cells[1]);
      const gained = difference.features.filter((f) => f.properties.change === 'gain').reduce((n, f) => n + (f.properties.population ?? 0), 0);
      const lost = difference.features.filter((f) => f.properties.change === 'loss').reduce((n, f) => n + (f.properties.population ?? 0), 0);
      const mapEl = h('div', { class: 'map', testid: 'compare-map' });
      const figure = h(
        'figure',
        { class: 'compare-map' },
        mapEl,
        h('figcaption', {}, `A: ${label(ids[0])} · ${fmtShare(results[0].summary.covered_share)} → B: ${label(ids[1])} · ${fmtShare(results[1].summary.covered_share)}`),
        h('div', { class: 'map-legend' }, differenceLegend()),
      );
      const gains = h('p', { testid: 'compare-gains', dataset: { gained: String(Math.round(gained)), lost: String(Math.round(lost)) } }, t('planner.compareGains', { gained: fmtInt(gained), lost: fmtInt(lost) }));
      const table = diffTable(results[0], results[1]);
      compareHolder.replaceChildren(ruleNote, gains, table);
      // Over the whole map area: the difference needs room to be read.
      const close = h('button', { type: 'button', class: 'secondary small', testid: 'compare-close', onClick: closeWide }, t('planner.compareClose'));
      wideHolder.replaceChildren(h('div', { class: 'row' }, h('h2', { class: 'grow' }, t('planner.compareMapTitle')), close), figure);
      wideHolder.hidden = false;
      const m = await createMap(mapEl, { name: 'compare', compact: true });
      if (state.disposed) {
        m.remove();
        return;
      }
      maps.push(m);
      addDifference(m);
      addPoints(m);
      setDifference(m, difference);
      setPoints(m, scenarioB.points ?? []);
      mapEl.dataset.cellsDrawn = 'true';
    } catch (err) {
      compareHolder.replaceChildren(h('p', { class: 'status error' }, errorText(err)));
    }
  }

  function diffTable(a, b) {
    const byName = new Map((a.wards ?? []).map((w) => [w.name, w]));
    const rows = (b.wards ?? [])
      .map((wb) => {
        const wa = byName.get(wb.name);
        // A ward whose people all lack road data has no meaningful share.
        const share = (w) => (w && (w.covered ?? 0) + (w.uncovered ?? 0) > 0 ? w.covered_share : null);
        const shareA = share(wa);
        const shareB = share(wb);
        return { name: wb.name, shareA, shareB, diffUncovered: (wb.uncovered ?? 0) - (wa?.uncovered ?? 0), diffShare: shareA !== null && shareB !== null ? shareB - shareA : null };
      })
      .sort((x, y) => Math.abs(y.diffUncovered) - Math.abs(x.diffUncovered));
    const totalDiff = (b.summary.population_uncovered ?? 0) - (a.summary.population_uncovered ?? 0);
    return h(
      'div',
      { class: 'table-wrap' },
      h('p', { testid: 'compare-summary' }, `${t('planner.compareDiff')}: ${t('kpi.uncovered')} ${fmtSignedInt(totalDiff)}`),
      h(
        'table',
        { class: 'data', testid: 'compare-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, t('leader.col.name')),
            h('th', { scope: 'col' }, `A · ${t('leader.col.covered_share')}`),
            h('th', { scope: 'col' }, `B · ${t('leader.col.covered_share')}`),
            h('th', { scope: 'col' }, `${t('leader.col.uncovered')} (B − A)`),
          ),
        ),
        h(
          'tbody',
          {},
          rows.map((r) =>
            h(
              'tr',
              { testid: 'compare-row' },
              h('th', { scope: 'row' }, r.name),
              h('td', {}, fmtShare(r.shareA)),
              h('td', {}, fmtShare(r.shareB), r.diffShare ? ` (${fmtSignedShare(r.diffShare)})` : ''),
              h('td', { class: r.diffUncovered < 0 ? 'pos' : r.diffUncovered > 0 ? 'neg' : '' }, fmtSignedInt(r.diffUncovered)),
            ),
          ),
        ),
      ),
    );
  }

  const element = h(
    'section',
    { 'aria-labelledby': 'planner-compare-title' },
    h('h2', { id: 'planner-compare-title' }, t('planner.compare')),
    h(
      'div',
      { class: 'row' },
      h('div', { class: 'field grow' }, h('label', { for: 'compare-a' }, t('planner.compareA')), compareA),
      h('div', { class: 'field grow' }, h('label', { for: 'compare-b' }, t('planner.compareB')), compareB),
    ),
    compareButton,
    compareHolder,
  );

  return {
    element,
    wide: wideHolder,
    /** Offers the saved scenarios, keeping the choices that still exist. */
    fillChoices(list, currentId) {
      const a = compareA.value || BASELINE_ID;
      const b = compareB.value || currentId;
      fillScenarioSelect(compareA, list, list.some((s) => s.id === a) ? a : BASELINE_ID);
      fillScenarioSelect(compareB, list, list.some((s) => s.id === b) ? b : BASELINE_ID);
    },
    unmount() {
      for (const m of maps) m.remove();
    },
  };
}

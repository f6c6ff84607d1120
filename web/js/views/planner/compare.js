// Planner panel: two scenarios side by side, their coverage maps kept in step and a ward table
// of what differs.
import * as api from '../../api.js';
import { h } from '../../dom.js';
import { fmtShare, fmtSignedInt, fmtSignedShare, t } from '../../i18n.js';
import { createMap } from '../../map.js';
import { addCells, setCells } from '../../layers/cells.js';
import { addPoints, setPoints } from '../../layers/points.js';
import { BASELINE_ID, fillScenarioSelect, scenarioLabel } from '../../scenarios.js';
import { errorText } from '../citizen.js';

/** Mounts the panel over the planner's shared `state` (its scenario list and `disposed`). */
export function mount(state) {
  const maps = [];
  const compareA = h('select', { id: 'compare-a', testid: 'compare-a' });
  const compareB = h('select', { id: 'compare-b', testid: 'compare-b' });
  const compareButton = h('button', { type: 'button', class: 'secondary', testid: 'compare-run', onClick: compare }, t('planner.compareRun'));
  const compareHolder = h('div', { testid: 'compare-result' });

  async function compare() {
    for (const m of maps) m.remove();
    maps.length = 0;
    const ids = [compareA.value, compareB.value];
    compareHolder.replaceChildren(h('p', { class: 'status' }, t('common.loading')));
    try {
      const results = await Promise.all(ids.map((id) => api.scenarioCoverage(id, { cells: true })));
      const scenarios = await Promise.all(ids.map((id) => api.getScenario(id)));
      if (state.disposed) return;
      const mapEls = ids.map((id, i) => h('div', { class: 'map', testid: `compare-map-${i ? 'b' : 'a'}` }));
      const figures = ids.map((id, i) =>
        h(
          'figure',
          { class: 'compare-map' },
          mapEls[i],
          h('figcaption', {}, `${i ? 'B' : 'A'}: ${scenarioLabel(state.list.find((s) => s.id === id) ?? { id, name: id })} · ${fmtShare(results[i].summary.covered_share)}`),
        ),
      );
      const table = diffTable(results[0], results[1]);
      compareHolder.replaceChildren(h('div', { class: 'compare-maps' }, figures), table);
      const figcaptionNote = h('p', { class: 'compare-caption' }, t('planner.compareSync'));
      compareHolder.insertBefore(figcaptionNote, table);
      for (let i = 0; i < 2; i++) {
        const m = await createMap(mapEls[i], { name: `compare-${i ? 'b' : 'a'}`, compact: true });
        if (state.disposed) {
          m.remove();
          return;
        }
        maps.push(m);
        addCells(m);
        addPoints(m);
        setCells(m, results[i].cells);
        setPoints(m, scenarios[i].points ?? []);
      }
      syncMaps(maps);
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

/** Keep the comparison maps showing the same place: moving one moves the other. */
function syncMaps(maps) {
  let syncing = false;
  for (const source of maps) {
    source.on('move', () => {
      if (syncing) return;
      syncing = true;
      for (const target of maps) if (target !== source) target.jumpTo({ center: source.getCenter(), zoom: source.getZoom() });
      syncing = false;
    });
  }
}

// Leadership view: KPI cards against the 100 % target, the coverage map, the per-ward table,
// the phase comparison and a print-ready report.
import * as api from '../api.js';
import { h, legendBox, toast } from '../dom.js';
import { currentLang, fmtDate, fmtDecimal, fmtInt, fmtMinutes, fmtShare, t } from '../i18n.js';
import { kpiCards } from '../kpis.js';
import { createMap, fitPositions } from '../map.js';
import { extentLegend } from '../layers/basemap.js';
import { addCells, cellsFromColumns, cellsLegend, setCells } from '../layers/cells.js';
import { addPoints, setPoints } from '../layers/points.js';
import { ISOCHRONE_MINUTES, addIsochrones, setIsochrones } from '../layers/isochrones.js';
import { setMode } from '../state.js';
import { BASELINE_ID, fillScenarioSelect, includeScenario, scenarioList } from '../scenarios.js';
import { wardTable } from '../wardtable.js';
import { fairnessTable, levelsById, loadChart, loadSummary } from '../load.js';
import { errorText } from './citizen.js';
import { mountWeek } from '../week.js';

export function mount(root, mode) {
  const state = { scenarioId: mode.scenarioId ?? BASELINE_ID, map: null, disposed: false, coverage: null, scenario: null, loadSeq: 0 };

  const select = h('select', { id: 'leader-scenario', testid: 'leader-scenario' });
  const printButton = h('button', { type: 'button', class: 'secondary no-print', testid: 'print-button', onClick: () => window.print() }, t('leader.print'));
  const status = h('p', { class: 'status', testid: 'leader-status', role: 'status' }, t('leader.loading'));
  const kpiHolder = h('div', { testid: 'leader-kpis' });
  const mapEl = h('div', { class: 'map', testid: 'map' });
  const wardsHolder = h('div', { testid: 'leader-wards' });
  const phasesHolder = h('div', { testid: 'leader-phases' });
  const loadHolder = h('div', { testid: 'leader-load' });
  const fairnessHolder = h('div', { testid: 'leader-fairness' });
  const weekHolder = h('div', { testid: 'leader-week' });
  const ruleLine = h('p', { class: 'hint', testid: 'leader-rule' });
  // What every figure is of: the study area's residents, their source and year.
  const scopeLine = h('p', { class: 'hint', testid: 'leader-scope' });
  const isoToggle = h('input', { type: 'checkbox', testid: 'isochrone-toggle' });
  const isoStatus = h('span', { class: 'hint', testid: 'isochrone-status', 'aria-live': 'polite' });
  isoToggle.addEventListener('change', () => drawIsochrones());

  const view = h(
    'section',
    { class: 'view view-leadership', testid: 'view-leadership' },
    h(
      'div',
      { class: 'dashboard' },
      h(
        'div',
        { class: 'dashboard-head' },
        h(
          'div',
          {},
          h('h1', {}, h('span', { class: 'no-print' }, t('leader.title')), h('span', { class: 'report-only' }, t('leader.reportTitle'))),
          h('p', { class: 'report-only hint' }, t('leader.generated', { date: fmtDate(new Date()) })),
          ruleLine,
          scopeLine,
        ),
        h('div', { class: 'row' }, h('div', { class: 'field no-print' }, h('label', { for: 'leader-scenario' }, t('leader.scenario')), select), printButton),
      ),
      status,
      kpiHolder,
      h(
        'div',
        { class: 'dashboard-grid' },
        h(
          'div',
          {},
          h('div', { class: 'map-pane' }, mapEl, h('div', { class: 'map-legend' }, legendBox(t('map.legend'), cellsLegend(), extentLegend()))),
          h('label', { class: 'row no-print iso-row' }, isoToggle, t('leader.isochrones', { list: ISOCHRONE_MINUTES.join(', ') }), isoStatus),
        ),
        h('section', { 'aria-labelledby': 'leader-wards-title' }, h('h2', { id: 'leader-wards-title' }, t('leader.wards')), wardsHolder),
      ),
      h('section', { 'aria-labelledby': 'leader-phases-title' }, h('h2', { id: 'leader-phases-title' }, t('leader.phases')), phasesHolder),
      h('section', { 'aria-labelledby': 'leader-week-title' }, h('h2', { id: 'leader-week-title' }, t('week.title')), weekHolder),
      h(
        'div',
        { class: 'dashboard-grid' },
        h('section', { 'aria-labelledby': 'leader-load-title' }, h('h2', { id: 'leader-load-title' }, t('load.chartTitle')), loadHolder),
        h('section', { 'aria-labelledby': 'leader-fairness-title' }, h('h2', { id: 'leader-fairness-title' }, t('fair.title')), fairnessHolder),
      ),
    ),
  );
  root.replaceChildren(view);

  select.addEventListener('change', () => setMode({ view: 'leadership', scenarioId: select.value }, { replace: true }));

  async function load() {
    const seq = ++state.loadSeq;
    status.textContent = t('leader.loading');
    status.hidden = false;
    view.dataset.loaded = 'false';
    try {
      const [list, scenario, coverage, meta] = await Promise.all([
        scenarioList(),
        api.getScenario(state.scenarioId),
        api.scenarioCoverage(state.scenarioId, { columns: true }),
        api.getMeta(),
      ]);
      if (seq !== state.loadSeq || state.disposed) return;
      fillScenarioSelect(select, includeScenario(list, scenario), state.scenarioId);
      state.scenario = scenario;
      state.coverage = coverage;
      status.hidden = true;
      const rule = scenario.rule ?? {};
      ruleLine.textContent = t('kpi.rule', {
        min: fmtInt(rule.max_minutes),
        combine: t(`kpi.combine.${rule.combine === 'and' ? 'and' : 'or'}`),
        km: fmtDecimal(rule.radius_km),
        mode: t(`mode.${scenario.mode ?? 'motorbike'}`),
      });
      scopeLine.textContent = (currentLang() === 'en' ? meta?.area?.scope : meta?.area?.scope_vi) ?? '';
      kpiHolder.replaceChildren(kpiCards(coverage.summary, { points: scenario.points }));
      const table = wardTable(coverage.wards ?? [], { onSelect: showWard });
      wardsHolder.replaceChildren(table.controls, table.table);
      const service = coverage.service;
      loadHolder.replaceChildren(...(service ? [loadSummary(service), loadChart(service)] : []));
      fairnessHolder.replaceChildren(...(service ? [fairnessTable(service)] : []));
      drawMap();
      // The hexagons come once per page; the figures above do not wait for them.
      cellsFromColumns(coverage.cell_columns)
        .then((cells) => {
          if (seq !== state.loadSeq || state.disposed) return;
          coverage.cells = cells;
          drawMap();
        })
        .catch((err) => {
          if (seq === state.loadSeq && !state.disposed) status.textContent = errorText(err);
        });
      drawIsochrones();
      view.dataset.loaded = 'true';
      loadPhases(seq);
      mountWeek(weekHolder, state.scenarioId, () => seq === state.loadSeq && !state.disposed);
    } catch (err) {
      if (seq !== state.loadSeq || state.disposed) return;
      if (err.status === 404 && state.scenarioId !== BASELINE_ID) {
        // A link to a scenario deleted since: say so, and show the current points instead.
        toast(t('scenario.gone', { id: state.scenarioId }), { kind: 'error' });
        setMode({ view: 'leadership', scenarioId: BASELINE_ID }, { replace: true });
        return;
      }
      status.textContent = errorText(err);
      status.classList.add('error');
    }
  }

  /** Moves the map onto a ward picked in the table. */
  async function showWard(name) {
    if (!state.map) return;
    const wards = await api.getBasemapWards().catch(() => null);
    const feature = wards?.features?.find((f) => f.properties?.name === name);
    if (!feature) return;
    const positions = feature.geometry.coordinates.flat(feature.geometry.type === 'MultiPolygon' ? 2 : 1);
    fitPositions(state.map, positions, { padding: 40 });
    state.map.getContainer().dataset.focusWard = name;
    state.map.getContainer().scrollIntoView({ block: 'nearest' });
  }

  function drawMap() {
    if (!state.map || !state.coverage) return;
    setCells(state.map, state.coverage.cells);
    setPoints(state.map, state.scenario?.points ?? [], { levels: levelsById(state.coverage.service) });
  }

  async function drawIsochrones() {
    if (!state.map) return;
    if (!isoToggle.checked) {
      setIsochrones(state.map, null);
      isoStatus.textContent = '';
      return;
    }
    const id = state.scenarioId;
    isoStatus.textContent = t('common.loading');
    isoStatus.dataset.state = 'loading';
    try {
      const collection = await api.isochrones(id, ISOCHRONE_MINUTES);
      if (state.disposed || id !== state.scenarioId || !isoToggle.checked) return;
      setIsochrones(state.map, collection);
      isoStatus.textContent = '';
      isoStatus.dataset.state = 'drawn';
      isoStatus.dataset.features = String(collection?.features?.length ?? 0);
    } catch (err) {
      isoStatus.textContent = errorText(err);
      isoStatus.dataset.state = 'error';
    }
  }

  async function loadPhases(seq) {
    phasesHolder.replaceChildren(h('p', { class: 'status' }, t('common.loading')));
    let rows;
    try {
      // Head office → + 30 branches → + commune points, and the 2024 desks for reference: the
      // library's phases on the shipped point sets, evaluated by the server.
      rows = await api.scenarioPhases(state.scenarioId);
    } catch (err) {
      if (seq !== state.loadSeq || state.disposed) return;
      phasesHolder.replaceChildren(h('p', { class: 'status error' }, errorText(err)));
      return;
    }
    if (seq !== state.loadSeq || state.disposed) return;
    const table = h(
      'table',
      { class: 'data', testid: 'phase-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, t('leader.phases')),
          h('th', { scope: 'col' }, t('leader.phase.points')),
          h('th', { scope: 'col' }, t('kpi.coveredShare')),
          h('th', { scope: 'col' }, ''),
          h('th', { scope: 'col' }, t('kpi.uncovered')),
          h('th', { scope: 'col' }, t('leader.phase.unknown')),
          h('th', { scope: 'col' }, t('kpi.mean')),
          h('th', { scope: 'col' }, t('kpi.p95')),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map(({ phase, points, summary }) =>
          h(
            'tr',
            { testid: 'phase-row', dataset: { phase: phase.key } },
            h('th', { scope: 'row' }, currentLang() === 'en' ? phase.title : phase.title_vi, phase.reference ? ` (${t('leader.phase.reference')})` : ''),
            h('td', {}, fmtInt(points)),
            h('td', {}, fmtShare(summary.covered_share)),
            h('td', {}, h('div', { class: 'phase-bar' }, h('span', { style: `width:${(summary.covered_share ?? 0) * 100}%` }))),
            h('td', {}, fmtInt(summary.population_uncovered)),
            h('td', {}, fmtInt(summary.population_unknown)),
            h('td', {}, fmtMinutes(summary.mean_travel_s)),
            h('td', {}, fmtMinutes(summary.p95_travel_s)),
          ),
        ),
      ),
    );
    phasesHolder.replaceChildren(h('div', { class: 'table-wrap' }, table), h('p', { class: 'hint' }, t('leader.phase.note')));
  }

  (async () => {
    const map = await createMap(mapEl, { name: 'main' });
    if (state.disposed) {
      map.remove();
      return;
    }
    state.map = map;
    addCells(map);
    addIsochrones(map);
    addPoints(map);
    drawMap();
  })();

  load();

  return {
    onModeChange(next) {
      const id = next.scenarioId ?? BASELINE_ID;
      if (id !== state.scenarioId) {
        state.scenarioId = id;
        load();
      }
    },
    unmount() {
      state.disposed = true;
      state.map?.remove();
    },
  };
}

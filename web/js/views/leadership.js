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
import { addIsochrones, isochroneLegend, setIsochroneLegend, setIsochrones } from '../layers/isochrones.js';
import { attachMapTooltips } from '../maptip.js';
import { setMode } from '../state.js';
import { BASELINE_ID, fillScenarioSelect, includeScenario, scenarioLabel, scenarioList } from '../scenarios.js';
import { wardTable } from '../wardtable.js';
import { fairnessTable, levelsById, loadChart, loadSummary } from '../load.js';
import { errorText } from './citizen.js';
import { mountWeek } from '../week.js';

export function mount(root, mode) {
  const state = { scenarioId: mode.scenarioId ?? BASELINE_ID, map: null, disposed: false, coverage: null, scenario: null, loadSeq: 0, isochroneMinutes: [], detachTips: null };

  const select = h('select', { id: 'leader-scenario', testid: 'leader-scenario' });
  const printButton = h('button', { type: 'button', class: 'secondary no-print', testid: 'print-button', onClick: () => printReport() }, t('leader.print'));
  const status = h('p', { class: 'status', testid: 'leader-status', role: 'status' }, t('leader.loading'));
  const kpiHolder = h('div', { testid: 'leader-kpis' });
  const mapEl = h('div', { class: 'map', testid: 'map' });
  const wardsHolder = h('div', { testid: 'leader-wards' });
  const phasesHolder = h('div', { testid: 'leader-phases' });
  const loadHolder = h('div', { testid: 'leader-load' });
  const fairnessHolder = h('div', { testid: 'leader-fairness' });
  const weekHolder = h('div', { testid: 'leader-week' });
  const downloadsHolder = h('div', { testid: 'leader-downloads' });
  const ruleLine = h('p', { class: 'hint no-print', testid: 'leader-rule' });
  // The report's title block: what was evaluated, how, when, and from which data.
  const reportFacts = h('dl', { class: 'report-only report-facts', testid: 'report-facts' });
  const printedOn = h('dd', { testid: 'report-printed' }, fmtDate(new Date()));
  // A WebGL canvas prints blank (or half drawn): paper gets a picture of it instead.
  const mapImage = h('img', { class: 'report-only report-map', testid: 'report-map', alt: t('report.mapAlt') });
  // What every figure is of: the study area's residents, their source and year.
  const scopeLine = h('p', { class: 'hint', testid: 'leader-scope' });
  const isoToggle = h('input', { type: 'checkbox', testid: 'isochrone-toggle' });
  const isoStatus = h('span', { class: 'hint', testid: 'isochrone-status', 'aria-live': 'polite' });
  const isoLabel = h('span', { testid: 'isochrone-label' }, t('leader.isochronesPlain'));
  const isoLegend = isochroneLegend();
  const wardsTitle = h('h2', { id: 'leader-wards-title' }, t('leader.wards'));
  // The bands are the API's default; the toggle names them once /meta has answered.
  api
    .getMeta()
    .then((meta) => {
      state.isochroneMinutes = meta?.defaults?.isochrone_minutes ?? [];
      if (state.isochroneMinutes.length) isoLabel.textContent = t('leader.isochrones', { list: state.isochroneMinutes.map((m) => fmtInt(m)).join(', ') });
    })
    .catch(() => {});
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
          ruleLine,
          reportFacts,
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
          h('div', { class: 'map-pane' }, mapEl, mapImage, h('div', { class: 'map-legend' }, legendBox(t('map.legend'), cellsLegend(), isoLegend, extentLegend()))),
          h('label', { class: 'row no-print iso-row' }, isoToggle, isoLabel, isoStatus),
        ),
        h('section', { 'aria-labelledby': 'leader-wards-title' }, wardsTitle, wardsHolder),
      ),
      h('section', { 'aria-labelledby': 'leader-phases-title' }, h('h2', { id: 'leader-phases-title' }, t('leader.phases')), phasesHolder),
      h('section', { 'aria-labelledby': 'leader-week-title' }, h('h2', { id: 'leader-week-title' }, t('week.title')), weekHolder),
      h('section', { class: 'no-print', 'aria-labelledby': 'leader-downloads-title' }, h('h2', { id: 'leader-downloads-title' }, t('download.title')), downloadsHolder),
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
      fillReportFacts(list, scenario, coverage, meta);
      fillDownloads(state.scenarioId);
      kpiHolder.replaceChildren(kpiCards(coverage.summary, { points: scenario.points }));
      wardsTitle.textContent = t('leader.wards');
      const table = wardTable(coverage.wards ?? [], {
        districts: coverage.districts ?? [],
        onSelect: showWard,
        onLevel: (level) => {
          wardsTitle.textContent = t(level === 'district' ? 'table.districtsTitle' : 'leader.wards');
        },
      });
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

  function fillReportFacts(list, scenario, coverage, meta) {
    const rule = scenario.rule ?? {};
    const en = currentLang() === 'en';
    const listed = list.find((s) => s.id === scenario.id) ?? { id: scenario.id, name: scenario.name };
    const area = meta?.area ?? {};
    const fact = (key, value, testid) => [h('dt', {}, t(key)), testid instanceof Node ? testid : h('dd', { testid }, value)];
    reportFacts.replaceChildren(
      ...fact('report.scenario', scenarioLabel(listed), 'report-scenario'),
      ...fact(
        'report.rule',
        t('report.ruleValue', {
          min: fmtInt(rule.max_minutes),
          combine: t(`kpi.combine.${rule.combine === 'and' ? 'and' : 'or'}`),
          km: fmtDecimal(rule.radius_km),
          radius: t(`report.radius.${rule.radius_kind === 'network' ? 'network' : 'straight'}`),
        }),
        'report-rule',
      ),
      ...fact('report.mode', t(`mode.${scenario.mode ?? 'motorbike'}`), 'report-mode'),
      ...fact('report.points', fmtInt(scenario.points?.length ?? 0), 'report-points'),
      ...fact('report.area', (en ? area.title : area.title_vi) ?? area.name ?? '', 'report-area'),
      ...fact('report.roads', t('report.roadsValue', { vintage: coverage.area?.roads_vintage ?? area.roads_vintage ?? '?' }), 'report-roads'),
      ...fact('report.population', (en ? area.population_scope : area.population_scope_vi) ?? '', 'report-population'),
      ...fact('report.printed', null, printedOn),
    );
  }

  /** Links to each table of the scenario as its own file, and to the metadata they go with. */
  function fillDownloads(id) {
    const link = (table, format, label) =>
      h('a', { href: `${api.exportUrl(id, format)}&table=${table}`, download: '', testid: `download-${table}-${format}` }, t('download.as', { what: t(label), format: format === 'csv' ? 'CSV' : 'GeoJSON' }));
    const rows = [
      ['points', 'download.points'],
      ['wards', 'download.wards'],
      ['districts', 'download.districts'],
    ].map(([table, label]) => h('li', {}, link(table, 'csv', label), ' · ', link(table, 'geojson', label)));
    const metadata = h('a', { href: `${api.exportUrl(id, 'csv')}&table=metadata`, download: '', testid: 'download-metadata' }, t('download.metadata'));
    downloadsHolder.replaceChildren(h('ul', { class: 'downloads' }, rows, h('li', {}, metadata)), h('p', { class: 'hint' }, t('download.hint')));
  }

  /** Puts the map as drawn now into the report's picture; false when there is nothing drawn. */
  function snapshotMap() {
    const canvas = state.map?.getCanvas();
    if (!canvas || !canvas.width || !canvas.height || !canvas.offsetWidth) return false;
    try {
      // The drawing buffer is only whole within the frame that drew it: draw one now and read
      // it in the same task.
      state.map.redraw();
      mapImage.src = canvas.toDataURL('image/png');
      mapImage.dataset.snapshot = String(Date.now());
      return true;
    } catch {
      return false;
    }
  }

  function beforePrint() {
    printedOn.textContent = fmtDate(new Date());
    // A legend folded away on a small screen is open on paper.
    for (const box of view.querySelectorAll('details.legend-box')) box.open = true;
    // The print button has taken the picture already; Ctrl+P takes it here, while the live map
    // is still on screen (the print layout hides it).
    snapshotMap();
  }

  /** Waits for the map to finish drawing, takes its picture, then opens the print dialog. */
  async function printReport() {
    const map = state.map;
    if (map && (!map.loaded() || map.isMoving() || !map.areTilesLoaded())) {
      await new Promise((resolve) => {
        map.once('idle', resolve);
        setTimeout(resolve, 5000);
      });
    }
    if (snapshotMap()) await mapImage.decode().catch(() => {});
    beforePrint();
    window.print();
  }
  window.addEventListener('beforeprint', beforePrint);

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
      setIsochroneLegend(isoLegend, []);
      isoStatus.textContent = '';
      return;
    }
    const id = state.scenarioId;
    isoStatus.textContent = t('common.loading');
    isoStatus.dataset.state = 'loading';
    try {
      if (!state.isochroneMinutes.length) state.isochroneMinutes = (await api.getMeta())?.defaults?.isochrone_minutes ?? [];
      const minutes = state.isochroneMinutes;
      const collection = await api.isochrones(id, minutes);
      if (state.disposed || id !== state.scenarioId || !isoToggle.checked) return;
      setIsochrones(state.map, collection, { minutes });
      setIsochroneLegend(isoLegend, minutes);
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
    state.detachTips = attachMapTooltips(map, { wardStats: (name) => state.coverage?.wards?.find((w) => w.name === name) ?? null });
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
      window.removeEventListener('beforeprint', beforePrint);
      state.detachTips?.();
      state.map?.remove();
    },
  };
}

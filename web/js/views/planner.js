// Planner view: pick or create a scenario, add / drag / delete receiving points, watch the
// coverage and KPIs follow each edit, save with optimistic versioning, run the optimiser,
// compare two scenarios and export them. The panels live in `planner/` (the rule, the time
// evaluated for, the points and their editor, what the edits changed, the optimiser, the
// comparison), each mounted over
// the view's one shared `state`; this module owns the scenario, the map and the evaluation.
import * as api from '../api.js';
import { debounce, h, legendBox, toast } from '../dom.js';
import { t } from '../i18n.js';
import { kpiCards } from '../kpis.js';
import { createMap } from '../map.js';
import { extentLegend } from '../layers/basemap.js';
import { addCells, cellsFromColumns, cellsLegend, setCatchment, setCells } from '../layers/cells.js';
import { levelsById, loadSummary } from '../load.js';
import { addPoints, pointIdAt, pointsLegend, setPoints, setSelectedPoint } from '../layers/points.js';
import { addSuggestions } from '../layers/suggestions.js';
import { setMode } from '../state.js';
import { BASELINE_ID, draftOf, fillScenarioSelect, scenarioLabel, scenarioList } from '../scenarios.js';
import { errorText } from './citizen.js';
import * as changesPanel from './planner/changes.js';
import * as comparePanel from './planner/compare.js';
import * as momentPanel from './planner/moment.js';
import * as optimiserPanel from './planner/optimiser.js';
import * as officesPanel from './planner/osm-offices.js';
import * as pointsPanel from './planner/points.js';
import * as rulePanel from './planner/rule.js';

const EVALUATE_DEBOUNCE_MS = 150;

export function mount(root, mode) {
  const state = {
    scenarioId: mode.scenarioId ?? BASELINE_ID,
    scenario: null,
    points: [],
    dirty: false,
    selectedId: null,
    adding: false,
    addKind: 'branch',
    newCount: 0,
    map: null,
    evaluateAbort: null,
    evaluateSeq: 0,
    list: [],
    disposed: false,
    meta: null, // /api/v1/meta: the models, and every default and limit of the form
    service: null, // the last evaluation's load, queues and fairness (`service`)
    at: null, // the moment evaluated for (`Mo 08:00`), kept by the time panel; null: no time
  };

  // ---- Elements -------------------------------------------------------------------------
  const mapEl = h('div', { class: 'map', testid: 'map' });
  const scenarioSelect = h('select', { id: 'planner-scenario', testid: 'scenario-select', class: 'grow' });
  const deleteScenarioButton = h('button', { type: 'button', class: 'danger small', testid: 'scenario-delete', onClick: removeScenario }, t('planner.delete'));
  const newNameInput = h('input', { type: 'text', id: 'planner-new-name', testid: 'new-scenario-name', placeholder: t('planner.newNamePlaceholder') });
  const createButton = h('button', { type: 'submit', testid: 'create-scenario' }, t('planner.create'));
  const tokenInput = h('input', { type: 'password', id: 'planner-token', testid: 'token-input', autocomplete: 'off', value: api.getToken() });
  const readOnlyNote = h('p', { class: 'banner-warn', testid: 'readonly-note', hidden: true }, t('planner.readOnly'));
  const kpiHolder = h('div', { testid: 'planner-kpis' });
  const loadHolder = h('div', { testid: 'planner-load' });
  const evalStatus = h('p', { class: 'status', testid: 'evaluate-status', role: 'status', 'aria-live': 'polite' });
  const saveButton = h('button', { type: 'button', testid: 'save-scenario', onClick: save }, t('planner.save'));
  const dirtyNote = h('span', { class: 'dirty', testid: 'dirty-indicator', hidden: true }, '● ', t('planner.unsaved'));
  const conflictBanner = h(
    'div',
    { class: 'banner-error', testid: 'conflict-banner', role: 'alert', hidden: true },
    h('p', {}, t('planner.conflict')),
    h(
      'div',
      { class: 'row' },
      h('button', { type: 'button', testid: 'conflict-save-new', onClick: () => saveAsNew() }, t('planner.saveAsNew')),
      h('button', { type: 'button', class: 'secondary', testid: 'conflict-reload', onClick: () => loadScenario(state.scenarioId) }, t('planner.reload')),
    ),
  );
  const saveError = h('p', { class: 'status error', testid: 'save-error', role: 'alert' });

  const exportCsv = h('a', { testid: 'export-csv', download: '' }, t('planner.exportCsv'));
  const exportGeojson = h('a', { testid: 'export-geojson', download: '' }, t('planner.exportGeojson'));

  const rule = rulePanel.mount(state, {
    changed: () => {
      setDirty(true);
      scheduleEvaluate();
    },
  });
  // The time is a way of looking at the draft, not part of it: choosing one saves nothing.
  const moment = momentPanel.mount(state, { changed: () => scheduleEvaluate() });
  const pointTools = pointsPanel.mount(state, {
    edited: () => edited(),
    // A field of the selected point: not edited(), whose new editor would take the focus away.
    changed: () => {
      setDirty(true);
      drawPoints();
      scheduleEvaluate();
    },
    focus: (p) => focusPoint(p),
    addAtCentre: () => addPointAtCentre(),
  });
  const optimiser = optimiserPanel.mount(state, { edited: () => edited() });
  const changes = changesPanel.mount(state);
  const comparison = comparePanel.mount(state);
  // A draft from OpenStreetMap opens like a read-only scenario, with nothing of it saved yet.
  const offices = officesPanel.mount(state, { open: (draft) => loadScenario(draft.id, draft) });
  /** The limits the server publishes bound the rule inputs; the optimiser fills its own form. */
  api.getMeta().then((meta) => {
    if (state.disposed) return;
    state.meta = meta;
    rule.applyMeta(meta);
    moment.applyMeta(meta);
    optimiser.applyMeta(meta);
  }).catch(() => {
    // The banner says the area is unavailable; the forms stay empty.
  });

  tokenInput.addEventListener('change', () => {
    api.setToken(tokenInput.value.trim());
    toast(t('planner.tokenSaved'));
    // Saved scenarios are listed only with the token.
    refreshList();
  });
  scenarioSelect.addEventListener('change', () => {
    if (state.dirty && !window.confirm(t('planner.discardConfirm'))) {
      scenarioSelect.value = state.scenarioId;
      return;
    }
    setMode({ view: 'planner', scenarioId: scenarioSelect.value }, { replace: true });
  });
  // Warn before leaving the page with unsaved edits.
  const onBeforeUnload = (e) => {
    if (!state.dirty) return;
    e.preventDefault();
    e.returnValue = '';
  };
  window.addEventListener('beforeunload', onBeforeUnload);

  const createForm = h(
    'form',
    {
      class: 'row',
      onSubmit: (e) => {
        e.preventDefault();
        createScenario();
      },
    },
    h('label', { class: 'visually-hidden', for: 'planner-new-name' }, t('planner.newName')),
    h('div', { class: 'grow' }, newNameInput),
    createButton,
  );

  const panel = h(
    'aside',
    { class: 'panel', 'aria-labelledby': 'planner-title' },
    h('h1', { id: 'planner-title' }, t('planner.title')),
    h('div', { class: 'field' }, h('label', { for: 'planner-scenario' }, t('planner.scenario')), h('div', { class: 'row' }, scenarioSelect, deleteScenarioButton)),
    h('div', { class: 'field' }, h('label', { for: 'planner-new-name' }, t('planner.newName')), createForm),
    h('div', { class: 'field' }, h('label', { for: 'planner-token' }, t('planner.token')), tokenInput, h('span', { class: 'hint' }, t('planner.tokenHint'))),
    readOnlyNote,
    rule.element,
    h('section', { 'aria-labelledby': 'planner-kpis-title' }, h('h2', { id: 'planner-kpis-title' }, t('planner.kpis')), moment.element, evalStatus, kpiHolder, changes.element, loadHolder),
    h(
      'section',
      { 'aria-labelledby': 'planner-tools-title' },
      h('h2', { id: 'planner-tools-title' }, t('planner.tools')),
      pointTools.elements,
      h('div', { class: 'row' }, saveButton, dirtyNote),
      saveError,
      conflictBanner,
    ),
    offices.element,
    optimiser.element,
    comparison.element,
    h(
      'section',
      { 'aria-labelledby': 'planner-export-title' },
      h('h2', { id: 'planner-export-title' }, t('planner.export')),
      h('div', { class: 'row' }, exportCsv, exportGeojson),
      h('p', { class: 'hint' }, t('planner.exportHint')),
    ),
  );

  const view = h(
    'section',
    { class: 'view view-planner', testid: 'view-planner' },
    h('div', { class: 'map-pane' }, mapEl, h('div', { class: 'map-legend' }, legendBox(t('map.legend'), cellsLegend(), pointsLegend(), extentLegend())), comparison.wide),
    panel,
  );
  root.replaceChildren(view);

  // ---- Scenario loading and list ----------------------------------------------------------
  async function refreshList() {
    state.list = await scenarioList(state.scenario);
    if (state.disposed) return;
    fillScenarioSelect(scenarioSelect, state.list, state.scenarioId);
    comparison.fillChoices(state.list, state.scenarioId);
  }

  async function loadScenario(id, given = null) {
    state.scenarioId = id;
    view.dataset.loaded = 'false';
    conflictBanner.hidden = true;
    saveError.textContent = '';
    evalStatus.textContent = t('common.loading');
    try {
      const scenario = given ?? (await api.getScenario(id));
      if (state.disposed || state.scenarioId !== id) return;
      state.scenario = scenario;
      state.points = (scenario.points ?? []).map((p) => ({ ...p }));
      state.selectedId = null;
      const readOnly = scenario.read_only ?? id === BASELINE_ID;
      state.readOnly = readOnly;
      readOnlyNote.hidden = !readOnly;
      pointTools.setReadOnly(readOnly);
      saveButton.textContent = readOnly ? t('planner.saveAsNew') : t('planner.save');
      deleteScenarioButton.hidden = readOnly;
      optimiser.clear();
      setDirty(false);
      changes.reset();
      // The first evaluation after loading is the scenario as saved.
      state.savedSeq = state.evaluateSeq + 1;
      exportCsv.href = api.exportUrl(id, 'csv');
      exportGeojson.href = api.exportUrl(id, 'geojson');
      rule.fill();
      pointTools.render();
      drawPoints();
      view.dataset.loaded = 'true';
      view.dataset.version = String(scenario.version ?? '');
      evaluateNow();
      refreshList();
      if (given) setDirty(true);
    } catch (err) {
      if (state.disposed) return;
      if (err.status === 404 && id !== BASELINE_ID) {
        // A link to a scenario deleted since: say so, and open the current points instead.
        toast(t('scenario.gone', { id }), { kind: 'error' });
        setMode({ view: 'planner', scenarioId: BASELINE_ID }, { replace: true });
        return;
      }
      evalStatus.textContent = errorText(err);
    }
  }

  async function createScenario() {
    const name = newNameInput.value.trim() || `${t('planner.newName')} ${new Date().toLocaleString()}`;
    if (await createFrom(name)) newNameInput.value = '';
  }

  /**
   * A new scenario holding the draft on screen (the read-only scenario's edits, or one's own
   * after a version conflict), named after the one it copies; opens it.
   */
  async function saveAsNew() {
    if (!state.scenario) return;
    const label = scenarioLabel(state.list.find((s) => s.id === state.scenarioId) ?? { id: state.scenarioId, name: state.scenario.name });
    await createFrom(t('planner.copyName', { name: label }));
  }

  /** Creates a scenario named `name` from the draft on screen and opens it; false on failure. */
  async function createFrom(name) {
    if (!api.getToken()) {
      toast(t('planner.tokenMissing'), { kind: 'error' });
      tokenInput.focus();
      return false;
    }
    createButton.disabled = true;
    try {
      const body = { name };
      if (state.scenario) {
        body.mode = state.scenario.mode;
        body.rule = state.scenario.rule;
        body.points = state.points;
      }
      const created = await api.createScenario(body);
      toast(t('planner.created', { name: created.name }));
      // The draft now lives in the new scenario: nothing is left unsaved.
      setDirty(false);
      setMode({ view: 'planner', scenarioId: created.id });
      return true;
    } catch (err) {
      toast(err.status === 401 ? t('planner.tokenRejected') : errorText(err), { kind: 'error' });
      return false;
    } finally {
      createButton.disabled = false;
    }
  }

  async function removeScenario() {
    if (!state.scenario || state.readOnly) return;
    if (!window.confirm(t('planner.deleteConfirm', { name: state.scenario.name }))) return;
    try {
      await api.deleteScenario(state.scenarioId);
      toast(t('planner.deleted'));
      setMode({ view: 'planner', scenarioId: BASELINE_ID }, { replace: true });
    } catch (err) {
      toast(err.status === 401 ? t('planner.tokenRejected') : errorText(err), { kind: 'error' });
    }
  }

  // ---- Editing ----------------------------------------------------------------------------
  function setDirty(dirty) {
    state.dirty = dirty;
    dirtyNote.hidden = !dirty;
    // A read-only scenario is never saved over; its edits, once there are any, can become new.
    saveButton.disabled = Boolean(state.readOnly) && !dirty;
    view.dataset.dirty = String(dirty);
  }

  function edited() {
    setDirty(true);
    pointTools.render();
    drawPoints();
    scheduleEvaluate();
  }

  function addPointAtCentre() {
    if (!state.map) return;
    const c = state.map.getCenter();
    pointTools.addPointAt(c.lng, c.lat);
  }

  function selectPoint(id) {
    state.selectedId = id;
    pointTools.render();
    changes.render();
    if (state.map) {
      setSelectedPoint(state.map, id);
      setCatchment(state.map, id);
    }
  }

  function focusPoint(p) {
    selectPoint(p.id);
    state.map?.easeTo({ center: [p.lon, p.lat], zoom: Math.max(state.map.getZoom(), 13), duration: 500 });
  }

  function drawPoints() {
    if (!state.map) return;
    setPoints(state.map, state.points, { levels: levelsById(state.service) });
    setSelectedPoint(state.map, state.selectedId);
    setCatchment(state.map, state.selectedId);
  }

  // ---- Live evaluation ----------------------------------------------------------------------
  const scheduleEvaluate = debounce(evaluateNow, EVALUATE_DEBOUNCE_MS);

  /**
   * Evaluate the draft once, with the cells as columns (tens of kilobytes for a city): the KPIs
   * are drawn as soon as the answer lands, then the cells on the hexagons fetched once a page.
   */
  async function evaluateNow() {
    if (!state.scenario) return;
    scheduleEvaluate.cancel();
    state.evaluateAbort?.abort();
    const abort = new AbortController();
    state.evaluateAbort = abort;
    const seq = ++state.evaluateSeq;
    // Without unsaved edits the draft is the scenario as saved, at whatever time it is seen.
    const asSaved = seq === state.savedSeq || !state.dirty;
    const started = performance.now();
    const draft = draftOf(state.scenario, state.points);
    const at = state.at;
    if (at) draft.at = at;
    const current = () => !abort.signal.aborted && !state.disposed && seq === state.evaluateSeq;
    evalStatus.textContent = t('planner.evaluating');
    kpiHolder.setAttribute('aria-busy', 'true');
    const answered = api.evaluate(draft, { columns: true, signal: abort.signal }).then(async (result) => {
      if (!current()) return;
      kpiHolder.replaceChildren(kpiCards(result.summary, { points: state.points }));
      moment.show(result.moment ?? null);
      changes.evaluated({ summary: result.summary }, { asSaved });
      state.service = result.service ?? null;
      loadHolder.replaceChildren(...(state.service ? [loadSummary(state.service)] : []));
      // Overloaded and strained points marked as edits change the network.
      drawPoints();
      pointTools.refreshEditor();
      kpiHolder.dataset.uncovered = String(result.summary.population_uncovered);
      kpiHolder.dataset.seq = String(seq);
      kpiHolder.dataset.at = at ?? '';
      kpiHolder.dataset.elapsedMs = String(Math.round(performance.now() - started));
      kpiHolder.removeAttribute('aria-busy');
      // The cells' columns came in the same answer; the hexagons they colour come once a page.
      const features = await cellsFromColumns(result.cell_columns);
      if (!current()) return;
      state.lastCells = features;
      if (state.map) setCells(state.map, features);
      changes.evaluated({ cells: features }, { asSaved });
      mapEl.dataset.cellsSeq = String(seq);
    });
    try {
      await answered;
      if (current()) evalStatus.textContent = '';
    } catch (err) {
      if (err.name === 'AbortError' || !current()) return;
      evalStatus.textContent = t('planner.evaluateFailed', { message: err.message });
      kpiHolder.removeAttribute('aria-busy');
    }
  }

  // ---- Saving ----------------------------------------------------------------------------
  async function save() {
    if (!state.scenario) return;
    if (state.readOnly) {
      await saveAsNew();
      return;
    }
    saveError.textContent = '';
    if (!api.getToken()) {
      saveError.textContent = t('planner.tokenMissing');
      tokenInput.focus();
      return;
    }
    saveButton.disabled = true;
    try {
      const s = state.scenario;
      const saved = await api.updateScenario(state.scenarioId, { name: s.name, mode: s.mode, rule: s.rule, points: state.points, version: s.version });
      state.scenario = saved;
      view.dataset.version = String(saved.version);
      setDirty(false);
      changes.saved();
      toast(t('planner.saved', { v: saved.version }));
      refreshList();
    } catch (err) {
      if (err.status === 409) conflictBanner.hidden = false;
      else if (err.status === 401) saveError.textContent = t('planner.tokenRejected');
      else saveError.textContent = errorText(err);
    } finally {
      saveButton.disabled = Boolean(state.readOnly) && !state.dirty;
    }
  }

  // ---- Map -----------------------------------------------------------------------------------
  function wireMap(map) {
    let dragging = null;
    const onMove = (e) => {
      const p = state.points.find((q) => q.id === dragging);
      if (!p) return;
      p.lon = pointsPanel.round6(e.lngLat.lng);
      p.lat = pointsPanel.round6(e.lngLat.lat);
      drawPoints();
    };
    const onUp = () => {
      map.off('mousemove', onMove);
      map.off('touchmove', onMove);
      map.dragPan.enable();
      map.getCanvas().style.cursor = state.adding ? 'crosshair' : '';
      if (dragging) {
        dragging = null;
        edited();
      }
    };
    const startDrag = (e) => {
      if (state.adding || state.readOnly) return;
      if (e.type === 'touchstart' && e.points.length !== 1) return;
      const id = pointIdAt(map, e.point);
      if (!id) return;
      e.preventDefault();
      dragging = id;
      selectPoint(id);
      map.dragPan.disable();
      map.getCanvas().style.cursor = 'grabbing';
      map.on(e.type === 'touchstart' ? 'touchmove' : 'mousemove', onMove);
      map.once(e.type === 'touchstart' ? 'touchend' : 'mouseup', onUp);
    };
    map.on('mousedown', 'points-circle', startDrag);
    map.on('touchstart', 'points-circle', startDrag);
    map.on('mouseenter', 'points-circle', () => {
      if (!state.adding && !state.readOnly) map.getCanvas().style.cursor = 'grab';
    });
    map.on('mouseleave', 'points-circle', () => {
      if (!state.adding && !dragging) map.getCanvas().style.cursor = '';
    });
    map.on('click', (e) => {
      if (state.adding && !state.readOnly) {
        pointTools.addPointAt(e.lngLat.lng, e.lngLat.lat);
        return;
      }
      selectPoint(pointIdAt(map, e.point));
    });
  }

  (async () => {
    const map = await createMap(mapEl, { name: 'main' });
    if (state.disposed) {
      map.remove();
      return;
    }
    state.map = map;
    addCells(map);
    addSuggestions(map);
    addPoints(map);
    wireMap(map);
    drawPoints();
    if (state.lastCells) setCells(map, state.lastCells);
  })();

  refreshList();
  loadScenario(state.scenarioId);

  return {
    /** Whether leaving the view (or rebuilding it in another language) would drop edits. */
    hasUnsavedChanges: () => state.dirty,
    onModeChange(next) {
      const id = next.scenarioId ?? BASELINE_ID;
      if (id !== state.scenarioId) loadScenario(id);
    },
    unmount() {
      state.disposed = true;
      window.removeEventListener('beforeunload', onBeforeUnload);
      scheduleEvaluate.cancel();
      state.evaluateAbort?.abort();
      optimiser.unmount();
      comparison.unmount();
      state.map?.remove();
    },
  };
}

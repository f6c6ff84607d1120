// Planner view: pick or create a scenario, add / drag / delete receiving points, watch the
// coverage and KPIs follow each edit, save with optimistic versioning, run the optimiser,
// compare two scenarios and export them. The optimiser and comparison panels live in
// `planner/`, each mounted over the view's one shared `state`.
import * as api from '../api.js';
import { debounce, h, legendBox, toast } from '../dom.js';
import { fmtDecimal, fmtInt, t } from '../i18n.js';
import { kpiCards } from '../kpis.js';
import { createMap } from '../map.js';
import { extentLegend } from '../layers/basemap.js';
import { addCells, cellsFromColumns, cellsLegend, setCatchment, setCells } from '../layers/cells.js';
import { levelsById, loadSummary, pointLoadDetails } from '../load.js';
import { KINDS, KIND_COLOURS, addPoints, pointIdAt, pointsLegend, setPoints, setSelectedPoint } from '../layers/points.js';
import { addSuggestions } from '../layers/suggestions.js';
import { setMode } from '../state.js';
import { BASELINE_ID, draftOf, fillScenarioSelect, scenarioLabel, scenarioList } from '../scenarios.js';
import { foldText } from '../text.js';
import { errorText } from './citizen.js';
import * as changesPanel from './planner/changes.js';
import * as comparePanel from './planner/compare.js';
import * as optimiserPanel from './planner/optimiser.js';
import * as officesPanel from './planner/osm-offices.js';

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
  const addButton = h('button', { type: 'button', class: 'secondary', testid: 'tool-add', 'aria-pressed': 'false', onClick: () => setAdding(!state.adding) }, '+ ', t('planner.addPoint'));
  const addKindSelect = h(
    'select',
    { id: 'planner-add-kind', testid: 'add-kind' },
    KINDS.map((k) => h('option', { value: k, selected: k === state.addKind }, t(`kind.${k}`))),
  );
  const addCentreButton = h('button', { type: 'button', class: 'secondary small', testid: 'tool-add-centre', onClick: addPointAtCentre }, t('planner.addAtCentre'));
  const pointEditor = h('div', { class: 'card point-editor', testid: 'point-editor', hidden: true });
  const modeSelect = h('select', { id: 'planner-mode', testid: 'scenario-mode' }, ['motorbike', 'car', 'bicycle', 'walk'].map((m) => h('option', { value: m }, t(`mode.${m}`))));
  const minutesInput = h('input', { type: 'number', id: 'rule-minutes', testid: 'rule-minutes', min: '1', step: '1' });
  const radiusInput = h('input', { type: 'number', id: 'rule-km', testid: 'rule-km', min: '0', step: '0.5', 'aria-describedby': 'rule-km-error' });
  minutesInput.setAttribute('aria-describedby', 'rule-minutes-error');
  const minutesError = h('p', { class: 'status error', id: 'rule-minutes-error', testid: 'rule-minutes-error', role: 'alert', hidden: true });
  const kmError = h('p', { class: 'status error', id: 'rule-km-error', testid: 'rule-km-error', role: 'alert', hidden: true });
  const ruleKept = h('p', { class: 'hint', testid: 'rule-kept', hidden: true });
  const combineSelect = h('select', { id: 'rule-combine', testid: 'rule-combine' }, h('option', { value: 'or' }, t('kpi.combine.or')), h('option', { value: 'and' }, t('kpi.combine.and')));
  const radiusKindSelect = h(
    'select',
    { id: 'rule-radius-kind', testid: 'rule-radius-kind' },
    h('option', { value: 'straight' }, t('planner.radius.straight')),
    h('option', { value: 'network' }, t('planner.radius.network')),
  );
  const pointsTitle = h('h3', { testid: 'points-title' });
  const pointsFilter = h('input', { type: 'search', testid: 'points-filter', placeholder: t('planner.pointsFilter'), 'aria-label': t('planner.pointsFilter') });
  const pointsList = h('ul', { class: 'points-list', testid: 'points-list' });
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

  // The tools that change points; hidden on a read-only scenario, whose edits cannot be saved.
  const editTools = h(
    'div',
    { testid: 'edit-tools' },
    h('div', { class: 'row' }, addButton, h('label', { for: 'planner-add-kind', class: 'visually-hidden' }, t('planner.addKind')), addKindSelect),
    h('p', { class: 'hint' }, t('planner.dragHint'), ' ', addCentreButton),
  );
  const optimiser = optimiserPanel.mount(state, { edited: () => edited() });
  const changes = changesPanel.mount(state);
  const comparison = comparePanel.mount(state);
  // A draft from OpenStreetMap opens like a read-only scenario, with nothing of it saved yet.
  const offices = officesPanel.mount(state, { open: (draft) => loadScenario(draft.id, draft) });
  /** The limits the server publishes bound the rule inputs; the optimiser fills its own form. */
  api.getMeta().then((meta) => {
    if (state.disposed) return;
    state.meta = meta;
    const limits = meta.limits ?? {};
    if (limits.max_minutes != null) minutesInput.max = String(limits.max_minutes);
    if (limits.max_radius_km != null) radiusInput.max = String(limits.max_radius_km);
    optimiser.applyMeta(meta);
  }).catch(() => {
    // The banner says the area is unavailable; the forms stay empty.
  });

  addKindSelect.addEventListener('change', () => {
    state.addKind = addKindSelect.value;
  });
  /**
   * A rule field outside the limits `/api/v1/meta` gives is marked and explained, and the
   * figures are not recomputed: they keep the last valid rule, and the message says which.
   */
  const checkRuleField = (input, errorEl, { value, low, high, lowOpen, key }) => {
    const ok = input.value.trim() !== '' && Number.isFinite(value) && (lowOpen ? value > low : value >= low) && value <= high;
    input.setAttribute('aria-invalid', ok ? 'false' : 'true');
    errorEl.hidden = ok;
    if (!ok) errorEl.textContent = t(key, { high: fmtDecimal(high, 0) });
    return ok;
  };
  const onRuleChange = () => {
    if (!state.scenario) return;
    const limits = state.meta?.limits ?? {};
    const minutes = Number(minutesInput.value);
    const km = Number(radiusInput.value);
    const minutesOk = checkRuleField(minutesInput, minutesError, { value: minutes, low: 0, lowOpen: true, high: limits.max_minutes ?? Infinity, key: 'planner.rule.minutesInvalid' });
    const kmOk = checkRuleField(radiusInput, kmError, { value: km, low: 0, lowOpen: false, high: limits.max_radius_km ?? Infinity, key: 'planner.rule.kmInvalid' });
    ruleKept.hidden = minutesOk && kmOk;
    const rule = state.scenario.rule ?? {};
    ruleKept.textContent = t('planner.rule.kept', { minutes: fmtDecimal(rule.max_minutes ?? 0, 0), km: fmtDecimal(rule.radius_km ?? 0, 1) });
    if (!minutesOk || !kmOk) return;
    state.scenario.mode = modeSelect.value;
    state.scenario.rule = {
      ...state.scenario.rule,
      max_minutes: minutes,
      radius_km: km,
      combine: combineSelect.value,
      radius_kind: radiusKindSelect.value,
    };
    setDirty(true);
    scheduleEvaluate();
  };
  for (const el of [modeSelect, minutesInput, radiusInput, combineSelect, radiusKindSelect]) el.addEventListener('change', onRuleChange);
  tokenInput.addEventListener('change', () => {
    api.setToken(tokenInput.value.trim());
    toast(t('planner.tokenSaved'));
    // Saved scenarios are listed only with the token.
    refreshList();
  });
  pointsFilter.addEventListener('input', renderPoints);
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
    h(
      'details',
      { class: 'rule-box', testid: 'rule-box' },
      h('summary', {}, t('planner.rule')),
      h(
        'div',
        { class: 'rule-grid' },
        h('div', { class: 'field' }, h('label', { for: 'planner-mode' }, t('mode.label')), modeSelect),
        h('div', { class: 'field' }, h('label', { for: 'rule-minutes' }, t('planner.rule.minutes')), minutesInput, minutesError),
        h('div', { class: 'field' }, h('label', { for: 'rule-combine' }, t('planner.rule.combine')), combineSelect),
        h('div', { class: 'field' }, h('label', { for: 'rule-km' }, t('planner.rule.km')), radiusInput, kmError),
        h('div', { class: 'field' }, h('label', { for: 'rule-radius-kind' }, t('planner.rule.radiusKind')), radiusKindSelect),
      ),
      ruleKept,
    ),
    h('section', { 'aria-labelledby': 'planner-kpis-title' }, h('h2', { id: 'planner-kpis-title' }, t('planner.kpis')), evalStatus, kpiHolder, changes.element, loadHolder),
    h(
      'section',
      { 'aria-labelledby': 'planner-tools-title' },
      h('h2', { id: 'planner-tools-title' }, t('planner.tools')),
      editTools,
      pointEditor,
      pointsTitle,
      pointsFilter,
      pointsList,
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
      editTools.hidden = readOnly;
      if (readOnly) setAdding(false);
      saveButton.textContent = readOnly ? t('planner.saveAsNew') : t('planner.save');
      deleteScenarioButton.hidden = readOnly;
      renderEditor();
      optimiser.clear();
      setDirty(false);
      changes.reset();
      // The first evaluation after loading is the scenario as saved.
      state.savedSeq = state.evaluateSeq + 1;
      exportCsv.href = api.exportUrl(id, 'csv');
      exportGeojson.href = api.exportUrl(id, 'geojson');
      fillRule();
      renderPoints();
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

  function fillRule() {
    const s = state.scenario;
    const rule = s.rule ?? {};
    modeSelect.value = s.mode ?? 'motorbike';
    const defaultRule = state.meta?.defaults?.rule ?? {};
    minutesInput.value = String(rule.max_minutes ?? defaultRule.max_minutes ?? '');
    radiusInput.value = String(rule.radius_km ?? defaultRule.radius_km ?? '');
    for (const el of [minutesError, kmError, ruleKept]) el.hidden = true;
    for (const el of [minutesInput, radiusInput]) el.setAttribute('aria-invalid', 'false');
    combineSelect.value = rule.combine === 'and' ? 'and' : 'or';
    radiusKindSelect.value = rule.radius_kind === 'network' ? 'network' : 'straight';
  }

  // ---- Editing ----------------------------------------------------------------------------
  function setDirty(dirty) {
    state.dirty = dirty;
    dirtyNote.hidden = !dirty;
    // A read-only scenario is never saved over; its edits, once there are any, can become new.
    saveButton.disabled = Boolean(state.readOnly) && !dirty;
    view.dataset.dirty = String(dirty);
  }

  function setAdding(adding) {
    state.adding = adding;
    addButton.setAttribute('aria-pressed', String(adding));
    addButton.lastChild.textContent = adding ? t('planner.addPointActive') : t('planner.addPoint');
    if (state.map) state.map.getCanvas().style.cursor = adding ? 'crosshair' : '';
  }

  function edited() {
    setDirty(true);
    renderPoints();
    renderEditor();
    drawPoints();
    scheduleEvaluate();
  }

  function addPointAt(lon, lat) {
    if (state.readOnly) return;
    state.newCount += 1;
    const point = {
      id: `p_new_${Date.now().toString(36)}_${state.newCount}`,
      name: t('planner.newPointName', { n: state.newCount }),
      kind: state.addKind,
      lon: round6(lon),
      lat: round6(lat),
      // The server reads opening_hours as a string; empty means not known.
      opening_hours: '',
      approximate: false,
      address: null,
    };
    state.points.push(point);
    state.selectedId = point.id;
    setAdding(false);
    edited();
  }

  function addPointAtCentre() {
    if (!state.map) return;
    const c = state.map.getCenter();
    addPointAt(c.lng, c.lat);
  }

  function deletePoint(id) {
    state.points = state.points.filter((p) => p.id !== id);
    if (state.selectedId === id) state.selectedId = null;
    edited();
  }

  function selectPoint(id) {
    state.selectedId = id;
    renderPoints();
    renderEditor();
    changes.render();
    if (state.map) {
      setSelectedPoint(state.map, id);
      setCatchment(state.map, id);
    }
  }

  function renderPoints() {
    pointsTitle.textContent = t('planner.points', { n: fmtInt(state.points.length) });
    pointsTitle.dataset.count = String(state.points.length);
    const q = foldText(pointsFilter.value);
    const shown = state.points.filter((p) => !q || foldText(p.name).includes(q));
    pointsList.replaceChildren(
      ...shown.map((p) =>
        h(
          'li',
          { testid: 'point-item', class: p.id === state.selectedId ? 'selected' : '', dataset: { pointId: p.id } },
          h('span', { class: 'kind-dot', style: `background:${KIND_COLOURS[p.kind] ?? '#555'}`, title: t(`kind.${p.kind}`) }),
          h('button', { type: 'button', class: 'pname', testid: 'point-select', onClick: () => focusPoint(p) }, p.name),
          state.readOnly ? null : h('button', { type: 'button', class: 'danger small', testid: 'point-delete', 'aria-label': t('planner.deletePoint', { name: p.name }), onClick: () => deletePoint(p.id) }, '✕'),
        ),
      ),
    );
  }

  /** Name, kind and opening hours of the selected point, edited in place. */
  function renderEditor() {
    const p = state.points.find((q) => q.id === state.selectedId);
    pointEditor.hidden = !p;
    if (!p) {
      pointEditor.replaceChildren();
      return;
    }
    const nameInput = h('input', { type: 'text', id: 'point-name', testid: 'point-name', value: p.name });
    const kindSelect = h('select', { id: 'point-kind', testid: 'point-kind' }, KINDS.map((k) => h('option', { value: k, selected: k === p.kind }, t(`kind.${k}`))));
    const hoursInput = h('input', { type: 'text', id: 'point-hours', testid: 'point-hours', value: p.opening_hours ?? '', placeholder: 'Mo-Fr 08:00-17:00' }); // i18n: not translated (opening_hours syntax)
    const kindCounters = state.meta?.defaults?.counters_by_kind ?? {};
    const countersInput = h('input', { type: 'number', min: 1, max: 1000, step: 1, id: 'point-counters', testid: 'point-counters', value: p.counters ?? '', placeholder: String(kindCounters[p.kind] ?? '') });
    const commit = () => {
      p.name = nameInput.value.trim() || p.name;
      p.kind = kindSelect.value;
      p.opening_hours = hoursInput.value.trim();
      const counters = Number.parseInt(countersInput.value, 10);
      if (Number.isInteger(counters) && counters >= 1) p.counters = counters;
      else delete p.counters;
      // Not edited(): rebuilding this form would take the keyboard focus away.
      setDirty(true);
      renderPoints();
      drawPoints();
      scheduleEvaluate();
    };
    for (const el of [nameInput, kindSelect, hoursInput, countersInput]) {
      el.addEventListener('change', commit);
      el.disabled = Boolean(state.readOnly);
    }
    pointEditor.replaceChildren(
      h('h3', {}, t('planner.selectedPoint')),
      h('div', { class: 'field' }, h('label', { for: 'point-name' }, t('planner.pointName')), nameInput),
      h('div', { class: 'field' }, h('label', { for: 'point-kind' }, t('planner.pointKind')), kindSelect),
      h('div', { class: 'field' }, h('label', { for: 'point-hours' }, t('planner.pointHours')), hoursInput),
      h('div', { class: 'field' }, h('label', { for: 'point-counters' }, t('planner.pointCounters')), countersInput),
      h('p', { class: 'hint' }, `${p.lon.toFixed(5)}, ${p.lat.toFixed(5)}`, p.approximate ? ` · ${t('citizen.approximate')}` : ''),
      pointLoadDetails(
        state.service?.points?.find((q) => q.id === p.id),
        state.service?.load?.max_wait_min ?? 15,
      ),
    );
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
    const asSaved = seq === state.savedSeq;
    const started = performance.now();
    const draft = draftOf(state.scenario, state.points);
    const current = () => !abort.signal.aborted && !state.disposed && seq === state.evaluateSeq;
    evalStatus.textContent = t('planner.evaluating');
    kpiHolder.setAttribute('aria-busy', 'true');
    const answered = api.evaluate(draft, { columns: true, signal: abort.signal }).then(async (result) => {
      if (!current()) return;
      kpiHolder.replaceChildren(kpiCards(result.summary, { points: state.points }));
      changes.evaluated({ summary: result.summary }, { asSaved });
      state.service = result.service ?? null;
      loadHolder.replaceChildren(...(state.service ? [loadSummary(state.service)] : []));
      // Overloaded and strained points marked as edits change the network.
      drawPoints();
      if (!pointEditor.contains(document.activeElement)) renderEditor();
      kpiHolder.dataset.uncovered = String(result.summary.population_uncovered);
      kpiHolder.dataset.seq = String(seq);
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
      p.lon = round6(e.lngLat.lng);
      p.lat = round6(e.lngLat.lat);
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
        addPointAt(e.lngLat.lng, e.lngLat.lat);
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

function round6(x) {
  return Math.round(x * 1e6) / 1e6;
}

// Planner panel: the draft's receiving points. The tools that add one (on the map or at its
// centre), the list filtered by name, and the editor of the selected point (name, kind, opening
// hours, counters, the mobile unit it is a stop of, its load). A mobile unit is one desk that
// stands at several stops, each a point of its own with its place and hours, all naming the
// unit; the list shows a unit's stops together under its name. The planner owns the map and
// the evaluation; this panel tells it what changed through the callbacks it is given.
import { h } from '../../dom.js';
import { fmtInt, t } from '../../i18n.js';
import { KINDS, KIND_COLOURS } from '../../layers/points.js';
import { pointLoadDetails } from '../../load.js';
import { foldText } from '../../text.js';

/**
 * Mounts the panel over the planner's shared `state` (points, selectedId, readOnly, adding,
 * addKind, newCount, meta, service, map).
 * - `edited()`: the set of points changed (added, removed): the planner redraws and evaluates;
 * - `changed()`: a field of the selected point changed: the same without rebuilding the editor,
 *   which would take the keyboard focus away;
 * - `focus(point)`: the planner selects the point and brings it into view;
 * - `addAtCentre()`: add a point at the centre of the map.
 */
export function mount(state, { edited, changed, focus, addAtCentre }) {
  const addButton = h('button', { type: 'button', class: 'secondary', testid: 'tool-add', 'aria-pressed': 'false', onClick: () => setAdding(!state.adding) }, '+ ', t('planner.addPoint'));
  const addKindSelect = h(
    'select',
    { id: 'planner-add-kind', testid: 'add-kind' },
    KINDS.map((k) => h('option', { value: k, selected: k === state.addKind }, t(`kind.${k}`))),
  );
  const addCentreButton = h('button', { type: 'button', class: 'secondary small', testid: 'tool-add-centre', onClick: addAtCentre }, t('planner.addAtCentre'));
  const pointEditor = h('div', { class: 'card point-editor', testid: 'point-editor', hidden: true });
  const pointsTitle = h('h3', { testid: 'points-title' });
  const pointsFilter = h('input', { type: 'search', testid: 'points-filter', placeholder: t('planner.pointsFilter'), 'aria-label': t('planner.pointsFilter') });
  const pointsList = h('ul', { class: 'points-list', testid: 'points-list' });
  // The tools that change points; hidden on a read-only scenario, whose edits cannot be saved.
  const editTools = h(
    'div',
    { testid: 'edit-tools' },
    h('div', { class: 'row' }, addButton, h('label', { for: 'planner-add-kind', class: 'visually-hidden' }, t('planner.addKind')), addKindSelect),
    h('p', { class: 'hint' }, t('planner.dragHint'), ' ', addCentreButton),
  );
  addKindSelect.addEventListener('change', () => {
    state.addKind = addKindSelect.value;
  });
  pointsFilter.addEventListener('input', renderList);

  function setAdding(adding) {
    state.adding = adding;
    addButton.setAttribute('aria-pressed', String(adding));
    addButton.lastChild.textContent = adding ? t('planner.addPointActive') : t('planner.addPoint');
    if (state.map) state.map.getCanvas().style.cursor = adding ? 'crosshair' : '';
  }

  /** Shows or hides the tools that change points (a read-only scenario has none). */
  function setReadOnly(readOnly) {
    editTools.hidden = readOnly;
    if (readOnly) setAdding(false);
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

  function deletePoint(id) {
    state.points = state.points.filter((p) => p.id !== id);
    if (state.selectedId === id) state.selectedId = null;
    edited();
  }

  function pointItem(p) {
    return h(
      'li',
      { testid: 'point-item', class: [p.id === state.selectedId ? 'selected' : '', unitOf(p) ? 'unit-stop' : ''].join(' ').trim(), dataset: { pointId: p.id } },
      h('span', { class: 'kind-dot', style: `background:${KIND_COLOURS[p.kind] ?? '#555'}`, title: t(`kind.${p.kind}`) }),
      h('button', { type: 'button', class: 'pname', testid: 'point-select', onClick: () => focus(p) }, p.name),
      unitOf(p) && p.opening_hours ? h('span', { class: 'hint unit-hours' }, p.opening_hours) : null,
      state.readOnly ? null : h('button', { type: 'button', class: 'danger small', testid: 'point-delete', 'aria-label': t('planner.deletePoint', { name: p.name }), onClick: () => deletePoint(p.id) }, '✕'),
    );
  }

  /** Fixed points in their order, then each mobile unit under its name with its stops. */
  function renderList() {
    pointsTitle.textContent = t('planner.points', { n: fmtInt(state.points.length) });
    pointsTitle.dataset.count = String(state.points.length);
    const q = foldText(pointsFilter.value);
    const shown = state.points.filter((p) => !q || foldText(p.name).includes(q) || foldText(unitOf(p)).includes(q));
    const units = new Map();
    for (const p of shown.filter(unitOf)) {
      if (!units.has(unitOf(p))) units.set(unitOf(p), []);
      units.get(unitOf(p)).push(p);
    }
    pointsList.replaceChildren(
      ...shown.filter((p) => !unitOf(p)).map(pointItem),
      ...[...units].flatMap(([unit, stops]) => [
        h('li', { class: 'unit-group', testid: 'unit-group', dataset: { unit, stops: String(stops.length) } }, t('planner.unit.group', { unit, n: fmtInt(stops.length) })),
        ...stops.map(pointItem),
      ]),
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
    // An existing unit from the list, or a new name: the point becomes one of its stops.
    const unitNames = [...new Set(state.points.map(unitOf).filter(Boolean))].sort();
    const unitInput = h('input', { type: 'text', id: 'point-unit', testid: 'point-unit', list: 'point-units', value: unitOf(p), placeholder: t('planner.unit.placeholder'), 'aria-describedby': 'point-unit-hint' });
    const unitList = h('datalist', { id: 'point-units' }, unitNames.map((u) => h('option', { value: u })));
    const commit = () => {
      p.name = nameInput.value.trim() || p.name;
      p.kind = kindSelect.value;
      p.opening_hours = hoursInput.value.trim();
      const counters = Number.parseInt(countersInput.value, 10);
      if (Number.isInteger(counters) && counters >= 1) p.counters = counters;
      else delete p.counters;
      const unit = unitInput.value.trim();
      if (unit) p.unit = unit;
      else delete p.unit;
      renderList();
      changed();
    };
    for (const el of [nameInput, kindSelect, hoursInput, countersInput, unitInput]) {
      el.addEventListener('change', commit);
      el.disabled = Boolean(state.readOnly);
    }
    pointEditor.replaceChildren(
      h('h3', {}, t('planner.selectedPoint')),
      h('div', { class: 'field' }, h('label', { for: 'point-name' }, t('planner.pointName')), nameInput),
      h('div', { class: 'field' }, h('label', { for: 'point-kind' }, t('planner.pointKind')), kindSelect),
      h('div', { class: 'field' }, h('label', { for: 'point-hours' }, t('planner.pointHours')), hoursInput),
      h('div', { class: 'field' }, h('label', { for: 'point-counters' }, t('planner.pointCounters')), countersInput),
      h(
        'div',
        { class: 'field' },
        h('label', { for: 'point-unit' }, t('planner.unit.label')),
        unitInput,
        unitList,
        h('span', { class: 'hint', id: 'point-unit-hint' }, t('planner.unit.hint')),
      ),
      h('p', { class: 'hint' }, `${p.lon.toFixed(5)}, ${p.lat.toFixed(5)}`, p.approximate ? ` · ${t('citizen.approximate')}` : ''),
      pointLoadDetails(
        state.service?.points?.find((q) => q.id === p.id),
        state.service?.load?.max_wait_min ?? 15,
      ),
    );
  }

  return {
    /** The panel's parts, in the order the planner's points section shows them. */
    elements: [editTools, pointEditor, pointsTitle, pointsFilter, pointsList],
    setAdding,
    setReadOnly,
    addPointAt,
    /** The list and the editor, after the points or the selection changed. */
    render() {
      renderList();
      renderEditor();
    },
    /** The editor again (a new load figure), unless the planner is typing in it. */
    refreshEditor() {
      if (!pointEditor.contains(document.activeElement)) renderEditor();
    },
  };
}

/** The name of the mobile unit `p` is a stop of, or '' for a point that stays in place. */
function unitOf(p) {
  return String(p.unit ?? '').trim();
}

/** Coordinates to six decimals (about 0.1 m), as points files keep them. */
export function round6(x) {
  return Math.round(x * 1e6) / 1e6;
}

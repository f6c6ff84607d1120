// Citizen view: choose a starting place (search, map tap, device location) and a travel mode,
// then see the nearest receiving points ranked by travel time with the route drawn. The citizen
// leaves now or at a later weekday and time ("Thứ Bảy 10:00": the coming Saturday), and may
// list the points open on arrival first; whether each is open then, and when it opens next,
// is the server's answer for that moment. The start, the travel mode and the leave-later and
// open-first choices live in the address (`#/citizen?lon=105.85250&lat=21.03000&mode=walk`), so
// an answer can be shared, reloaded, and survives a switch of language (which mounts the view
// again from the address).
import * as api from '../api.js';
import { WEEKDAYS, hanoiNow, momentLabel, nextMoment, opensAt } from '../week.js';
import { h, debounce, legendBox } from '../dom.js';
import { currentLang, fmtDistance, fmtMinutes, t } from '../i18n.js';
import { describeHours } from '../hours.js';
import { createMap, fitPositions, focusPlace } from '../map.js';
import { extentLegend } from '../layers/basemap.js';
import { addOrigin, setOrigin } from '../layers/origin.js';
import { addPoints, pointsLegend, setPoints } from '../layers/points.js';
import { addRoutes, setRoutes } from '../layers/routes.js';
import { hashFor, setMode } from '../state.js';

const MODES = ['motorbike', 'walk', 'car', 'bicycle'];
const MODE_KEY = 'motcua.travelMode';
const NEAREST_K = 3;
const SNAP_WARN_M = 300;
/** What the "leave later" picker shows first. */
const LATER_DEFAULT = { day: 'Sa', clock: '10:00' };
/** Decimals of a start in the address: 1e-5 degree is about a metre in Hanoi. */
const COORD_DECIMALS = 5;
const CLOCK_RE = /^([01]\d|2[0-3]):[0-5]\d$/;

/** A coordinate as the address writes it, so that a reloaded link asks the very same question. */
function roundCoord(x) {
  return Number(x.toFixed(COORD_DECIMALS));
}

/**
 * The citizen's choices read from the address's query parameters; anything missing or out of
 * range (a hand-edited link) falls back to the default instead of failing.
 */
export function choicesFromParams(params = {}) {
  const lon = Number(params.lon);
  const lat = Number(params.lat);
  const hasOrigin = params.lon !== undefined && params.lat !== undefined && Number.isFinite(lon) && Number.isFinite(lat) && Math.abs(lon) <= 180 && Math.abs(lat) <= 90;
  const place = typeof params.place === 'string' && params.place.trim() ? params.place.trim() : null;
  const day = WEEKDAYS.includes(params.day) ? params.day : null;
  const clock = CLOCK_RE.test(params.clock ?? '') ? params.clock : null;
  return {
    origin: hasOrigin ? { lon: roundCoord(lon), lat: roundCoord(lat), place } : null,
    mode: MODES.includes(params.mode) ? params.mode : null,
    later: Boolean(day && clock),
    day: day ?? LATER_DEFAULT.day,
    clock: clock ?? LATER_DEFAULT.clock,
    openFirst: params.open_first === '1',
  };
}

function storedMode() {
  try {
    const m = localStorage.getItem(MODE_KEY);
    return MODES.includes(m) ? m : 'motorbike';
  } catch {
    return 'motorbike';
  }
}

export function mount(root, routeMode = {}) {
  const initial = choicesFromParams(routeMode.params);
  const state = {
    origin: null, // {lon, lat, label, place}: place is the searched name the address keeps
    mode: initial.mode ?? storedMode(),
    results: [],
    selected: 0,
    map: null,
    searchAbort: null,
    nearestAbort: null,
    disposed: false,
    later: initial.later, // leave at the picked weekday and time instead of now
    openFirst: initial.openFirst, // list the points open on arrival first
  };

  const mapEl = h('div', { class: 'map', testid: 'map' });
  const searchInput = h('input', {
    id: 'citizen-search',
    type: 'search',
    autocomplete: 'off',
    placeholder: t('citizen.searchPlaceholder'),
    testid: 'search-input',
    'aria-controls': 'citizen-search-results',
  });
  const searchResults = h('ul', { id: 'citizen-search-results', class: 'search-results', testid: 'search-results', 'aria-live': 'polite' });
  const locateButton = h('button', { type: 'button', class: 'secondary', testid: 'use-location', onClick: useDeviceLocation }, t('citizen.useLocation'));
  const fromLine = h('p', { class: 'from-line', testid: 'origin-label' });
  const status = h('p', { class: 'status', testid: 'nearest-status', role: 'status', 'aria-live': 'polite' });
  const resultsList = h('ol', { class: 'nearest-list', testid: 'nearest-results' });

  const laterDay = h('select', { id: 'citizen-later-day', testid: 'later-day', 'aria-label': t('citizen.when.day') }, WEEKDAYS.map((d) => h('option', { value: d, selected: d === initial.day }, t(`week.day.${d}`))));
  const laterClock = h('input', { type: 'time', id: 'citizen-later-clock', testid: 'later-clock', value: initial.clock, 'aria-label': t('citizen.when.clock') });
  const laterPicker = h('div', { class: 'row later-picker', testid: 'later-picker', hidden: !state.later }, laterDay, laterClock);
  const leavingLine = h('p', { class: 'hint', testid: 'leaving-at', hidden: true });
  const whenChoice = (value, label) =>
    h(
      'label',
      { class: 'mode-option' },
      h('input', {
        type: 'radio',
        name: 'leave-when',
        value,
        testid: `when-${value}`,
        checked: (value === 'later') === state.later,
        onChange: () => {
          state.later = value === 'later';
          laterPicker.hidden = !state.later;
          syncAddress();
          if (state.origin) loadNearest();
        },
      }),
      h('span', {}, label),
    );
  const whenFieldset = h('fieldset', { class: 'mode-switch when-switch' }, h('legend', {}, t('citizen.when')), whenChoice('now', t('citizen.when.now')), whenChoice('later', t('citizen.when.later')), laterPicker);
  const openFirstInput = h('input', { type: 'checkbox', id: 'citizen-open-first', testid: 'open-first', checked: state.openFirst });
  const openFirstField = h('div', { class: 'check-row' }, openFirstInput, h('label', { for: 'citizen-open-first' }, t('citizen.openFirst')));
  openFirstInput.addEventListener('change', () => {
    state.openFirst = openFirstInput.checked;
    syncAddress();
    if (state.origin) loadNearest();
  });
  for (const el of [laterDay, laterClock]) {
    el.addEventListener('change', () => {
      if (!leaveAt()) return;
      syncAddress();
      if (state.origin) loadNearest();
    });
  }

  /** The address's query parameters for what is on screen. */
  function addressParams() {
    const params = {};
    if (state.origin) {
      params.lon = state.origin.lon.toFixed(COORD_DECIMALS);
      params.lat = state.origin.lat.toFixed(COORD_DECIMALS);
      if (state.origin.place) params.place = state.origin.place;
    }
    params.mode = state.mode;
    if (state.later && CLOCK_RE.test(laterClock.value)) {
      params.day = laterDay.value;
      params.clock = laterClock.value;
    }
    if (state.openFirst) params.open_first = '1';
    return params;
  }

  /** Write the choices into the address without a history entry per tap. */
  function syncAddress() {
    if (state.disposed) return;
    setMode({ view: 'citizen', params: addressParams() }, { replace: true, quiet: true });
  }

  /** When the citizen leaves, Hanoi time (`2026-12-19T10:00`); null while the time is half typed. */
  function leaveAt() {
    const now = hanoiNow();
    return state.later ? nextMoment(now, laterDay.value, laterClock.value) : now;
  }

  const modeFieldset = h(
    'fieldset',
    { class: 'mode-switch' },
    h('legend', {}, t('mode.label')),
    MODES.map((m) =>
      h(
        'label',
        { class: 'mode-option' },
        h('input', {
          type: 'radio',
          name: 'travel-mode',
          value: m,
          testid: `mode-${m}`,
          checked: m === state.mode,
          onChange: () => {
            state.mode = m;
            syncAddress();
            try {
              localStorage.setItem(MODE_KEY, m);
            } catch {
              // Only this page remembers the choice.
            }
            if (state.origin) loadNearest();
          },
        }),
        h('span', {}, t(`mode.${m}`)),
      ),
    ),
  );

  const searchForm = h(
    'form',
    {
      class: 'search-form',
      role: 'search',
      onSubmit: (e) => {
        e.preventDefault();
        runSearch(searchInput.value, { immediate: true });
      },
    },
    h('label', { for: 'citizen-search' }, t('citizen.searchLabel')),
    h('div', { class: 'search-row' }, searchInput, h('button', { type: 'submit', testid: 'search-submit' }, t('citizen.searchButton'))),
  );

  const panel = h(
    'aside',
    { class: 'panel', 'aria-labelledby': 'citizen-title' },
    h('h1', { id: 'citizen-title' }, t('citizen.title')),
    searchForm,
    searchResults,
    h('div', { class: 'locate-row' }, locateButton),
    h('p', { class: 'hint' }, t('citizen.tapHint')),
    modeFieldset,
    whenFieldset,
    openFirstField,
    fromLine,
    leavingLine,
    h('h2', {}, t('citizen.results')),
    status,
    resultsList,
  );

  const legendHolder = h('div', { class: 'map-legend' }, legendBox(t('map.legend'), pointsLegend(), extentLegend()));
  const view = h('section', { class: 'view view-citizen', testid: 'view-citizen' }, h('div', { class: 'map-pane' }, mapEl, legendHolder), panel);
  root.replaceChildren(view);

  const debouncedSearch = debounce((q) => runSearch(q, { immediate: true }), 250);
  searchInput.addEventListener('input', () => debouncedSearch(searchInput.value));
  // The box may hold a description of the start ("Point picked on the map"): typing replaces it.
  searchInput.addEventListener('focus', () => {
    if ([t('citizen.pickedOnMapField'), t('citizen.myLocationField')].includes(searchInput.value)) searchInput.select();
  });
  if (initial.origin) restore(initial);

  async function runSearch(q, { immediate }) {
    if (!immediate) return;
    debouncedSearch.cancel();
    const query = q.trim();
    state.searchAbort?.abort();
    if (query.length < 2) {
      searchResults.replaceChildren();
      return;
    }
    const abort = new AbortController();
    state.searchAbort = abort;
    try {
      const data = await api.search(query, { limit: 8, signal: abort.signal });
      if (abort.signal.aborted || state.disposed) return;
      const results = data?.results ?? [];
      if (!results.length) {
        searchResults.replaceChildren(h('li', { class: 'empty' }, t('citizen.searchNone', { q: query })));
        return;
      }
      searchResults.replaceChildren(
        ...results.map((r) =>
          h(
            'li',
            {},
            h(
              'button',
              { type: 'button', class: 'search-result', testid: 'search-result', onClick: () => pickPlace(r) },
              h('span', { class: 'result-name' }, r.name),
              h('span', { class: 'result-kind' }, placeKindLabel(r.kind)),
            ),
          ),
        ),
      );
    } catch (err) {
      if (err.name === 'AbortError') return;
      searchResults.replaceChildren(h('li', { class: 'error' }, errorText(err)));
    }
  }

  function pickPlace(place) {
    searchResults.replaceChildren();
    searchInput.value = place.name;
    if (state.map) focusPlace(state.map, place);
    setStart({ lon: place.lon, lat: place.lat, label: place.name, place: place.name });
  }

  function useDeviceLocation() {
    if (!('geolocation' in navigator)) {
      status.textContent = t('citizen.locationFailed', { reason: 'geolocation' });
      return;
    }
    status.textContent = t('citizen.locating');
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        const place = { lon: pos.coords.longitude, lat: pos.coords.latitude, label: t('citizen.myLocation') };
        if (state.map) focusPlace(state.map, place);
        searchInput.value = t('citizen.myLocationField');
        setStart(place);
      },
      (err) => {
        status.textContent = t('citizen.locationFailed', { reason: err.message });
      },
      { enableHighAccuracy: true, timeout: 10000 },
    );
  }

  /** A search typed before the start was chosen elsewhere would list places for the old query. */
  function dropSearch() {
    debouncedSearch.cancel();
    state.searchAbort?.abort();
    searchResults.replaceChildren();
  }

  /** A start picked on the map has no name: the search box says so instead of the old query. */
  function pickOnMap(lngLat) {
    dropSearch();
    searchInput.value = t('citizen.pickedOnMapField');
    setStart({ lon: lngLat.lng, lat: lngLat.lat, label: t('citizen.pickedOnMap') });
  }

  function setStart(origin) {
    // Rounded as the address writes it, so that the shared link gives the same answer.
    state.origin = { ...origin, lon: roundCoord(origin.lon), lat: roundCoord(origin.lat) };
    fromLine.textContent = t('citizen.from', { place: state.origin.label });
    if (state.map) setOrigin(state.map, [state.origin.lon, state.origin.lat]);
    syncAddress();
    loadNearest();
  }

  /** Show the choices of an address (opening a link, a reload, a language switch, a pasted link). */
  function restore(choices) {
    state.mode = choices.mode ?? state.mode;
    for (const input of modeFieldset.querySelectorAll('input')) input.checked = input.value === state.mode;
    state.later = choices.later;
    for (const input of whenFieldset.querySelectorAll('input[name="leave-when"]')) input.checked = (input.value === 'later') === state.later;
    laterDay.value = choices.day;
    laterClock.value = choices.clock;
    laterPicker.hidden = !state.later;
    state.openFirst = choices.openFirst;
    openFirstInput.checked = state.openFirst;
    if (!choices.origin) return;
    const { lon, lat, place } = choices.origin;
    dropSearch();
    searchInput.value = place ?? t('citizen.pickedOnMapField');
    setStart({ lon, lat, label: place ?? t('citizen.pickedOnMap'), place });
  }

  async function loadNearest() {
    const origin = state.origin;
    const at = leaveAt();
    if (!at) return;
    const openFirst = state.openFirst;
    state.nearestAbort?.abort();
    const abort = new AbortController();
    state.nearestAbort = abort;
    status.textContent = t('citizen.loading');
    view.dataset.loading = 'true';
    try {
      const data = await api.nearest({ lon: origin.lon, lat: origin.lat, mode: state.mode, k: NEAREST_K, at, openFirst }, { signal: abort.signal });
      if (abort.signal.aborted || state.disposed) return;
      state.answeredLater = state.later;
      leavingLine.hidden = !state.later;
      leavingLine.textContent = state.later ? t('citizen.leavingAt', { when: momentLabel(at) }) : '';
      view.dataset.at = at;
      view.dataset.openFirst = String(openFirst);
      state.results = data?.results ?? [];
      state.selected = 0;
      const snap = data?.origin?.snap_distance_m ?? data?.snap_distance_m;
      status.textContent = state.results.length
        ? snap && snap > SNAP_WARN_M
          ? t('citizen.snapFar', { d: fmtDistance(snap) })
          : ''
        : t('citizen.noResults');
      renderResults();
      drawRoutes({ fit: true });
      // On a phone the list is below the map: bring the first answer into view.
      resultsList.firstElementChild?.scrollIntoView({ block: 'nearest' });
    } catch (err) {
      if (err.name === 'AbortError') return;
      state.results = [];
      renderResults();
      drawRoutes({ fit: false });
      status.textContent = errorText(err);
    } finally {
      if (state.nearestAbort === abort) view.dataset.loading = 'false';
    }
  }

  function renderResults() {
    resultsList.replaceChildren(
      ...state.results.map((r, i) => {
        const p = r.point;
        // Leaving later, "open" means open when the citizen gets there, not at this minute.
        const later = state.answeredLater;
        const badge =
          r.open_now === true
            ? h('span', { class: 'badge open', testid: 'open-badge', dataset: { open: 'true' } }, later ? t('citizen.openOnArrival') : t('citizen.openNow'))
            : r.open_now === false
              ? h('span', { class: 'badge closed', testid: 'open-badge', dataset: { open: 'false' } }, r.next_open ? opensAt(r.next_open) : later ? t('citizen.closedOnArrival') : t('citizen.closedNow'))
              : h('span', { class: 'badge unknown', testid: 'open-badge' }, t('citizen.openUnknown'));
        return h(
          'li',
          { class: 'nearest-item', testid: 'nearest-result', dataset: { travelS: String(r.travel_s), pointId: p.id } },
          h(
            'button',
            {
              type: 'button',
              class: 'nearest-select',
              testid: 'nearest-select',
              'aria-pressed': String(i === state.selected),
              onClick: () => {
                state.selected = i;
                renderResults();
                drawRoutes({ fit: true });
              },
            },
            h('span', { class: 'rank', 'aria-label': t('citizen.rank', { n: i + 1 }) }, String(i + 1)),
            h(
              'span',
              { class: 'nearest-body' },
              h('span', { class: 'nearest-name' }, p.name),
              h('span', { class: 'nearest-kind' }, t(`kind.${p.kind}`), p.approximate ? ` · ${t('citizen.approximate')}` : ''),
              h('span', { class: 'nearest-time', testid: 'nearest-time' }, t('citizen.travel', { time: fmtMinutes(r.travel_s), dist: fmtDistance(r.distance_m) })),
              h('span', { class: 'nearest-meta' }, p.address ? t('citizen.address', { address: p.address }) : t('citizen.addressUnknown')),
              h('span', { class: 'nearest-meta' }, p.opening_hours ? t('citizen.hours', { hours: describeHours(p.opening_hours, currentLang()) }) : t('citizen.hoursUnknown')),
            ),
            badge,
          ),
        );
      }),
    );
  }

  function drawRoutes({ fit }) {
    if (!state.map) return;
    const drawn = setRoutes(state.map, state.results, state.selected);
    mapEl.dataset.routes = String(drawn);
    const chosen = state.results[state.selected];
    if (fit && chosen) {
      const coords = chosen.route?.coordinates ?? [];
      const positions = [[state.origin.lon, state.origin.lat], [chosen.point.lon, chosen.point.lat], ...coords];
      fitPositions(state.map, positions, { padding: 40 });
    }
  }

  (async () => {
    const map = await createMap(mapEl, { name: 'main' });
    if (state.disposed) {
      map.remove();
      return;
    }
    state.map = map;
    addRoutes(map);
    addPoints(map);
    addOrigin(map);
    try {
      const points = await api.getPoints();
      setPoints(
        map,
        (points?.features ?? []).map((f) => ({ ...f.properties, lon: f.geometry.coordinates[0], lat: f.geometry.coordinates[1] })),
      );
    } catch {
      // The nearest list still works; the overview of all points is only context.
    }
    map.on('click', (e) => pickOnMap(e.lngLat));
    map.getCanvas().style.cursor = 'crosshair';
    if (state.origin) {
      setOrigin(map, [state.origin.lon, state.origin.lat]);
      drawRoutes({ fit: true });
    }
  })();

  return {
    /** A link pasted or edited in the address bar while the view is open. */
    onModeChange(next) {
      // The view's own link in the navigation: keep the answer on screen, and in the address.
      if (!next.params) {
        syncAddress();
        return;
      }
      if (hashFor({ view: 'citizen', params: next.params }) === hashFor({ view: 'citizen', params: addressParams() })) return;
      restore(choicesFromParams(next.params));
    },
    unmount() {
      state.disposed = true;
      state.searchAbort?.abort();
      state.nearestAbort?.abort();
      debouncedSearch.cancel();
      state.map?.remove();
    },
  };
}

function placeKindLabel(kind) {
  const key = `place.${kind}`;
  const label = t(key);
  return label === key ? kind : label;
}

export function errorText(err) {
  if (err && err.status === 0) return t('common.networkError', { message: err.message });
  return t('common.error', { message: err?.message ?? String(err) });
}

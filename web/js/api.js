// The one module that talks to the motcua HTTP API (contract: API v1). Every other module calls
// these functions and gets plain data back, or an ApiError carrying the server's own message.

const BASE = '/api/v1';
const TOKEN_KEY = 'motcua.token';

/** An error answered by the server (`{"error":{code,message}}`) or a network failure (status 0). */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

export function getToken() {
  try {
    return localStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return '';
  }
}

export function setToken(token) {
  try {
    if (token) localStorage.setItem(TOKEN_KEY, token);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    // Not remembered across pages; requests in this page still read it back as empty.
  }
}

async function request(method, path, { body, auth = false, signal } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (auth) {
    const token = getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
  }
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network', err.message);
  }
  if (response.status === 204) return null;
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    const error = data && data.error ? data.error : {};
    throw new ApiError(response.status, error.code ?? 'internal', error.message ?? `${response.status} ${response.statusText}`);
  }
  return data;
}

function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const s = search.toString();
  return s ? `?${s}` : '';
}

// Area-wide reads that do not change while the server runs are fetched once per page.
const once = new Map();
function cached(path) {
  if (!once.has(path)) {
    const pending = request('GET', path).catch((err) => {
      once.delete(path);
      throw err;
    });
    once.set(path, pending);
  }
  return once.get(path);
}

export const health = () => request('GET', '/health');
export const getMeta = () => cached(`${BASE}/meta`);
export const getPoints = () => cached(`${BASE}/points`);
/** The basemap roads: `major` (the first map's frame) or `detail` (minor roads and paths). */
export const getBasemapRoads = (part) => cached(`${BASE}/basemap/roads?part=${part}`);
export const getBasemapWards = () => cached(`${BASE}/basemap/wards`);
export const getBasemapExtent = () => cached(`${BASE}/basemap/extent`);
/** The cells' hexagons, population and ward, once: evaluations with `columns` colour them. */
export const getCellGrid = () => cached(`${BASE}/basemap/cells`);

/** Nearest receiving points from (lon, lat), ranked by travel time, each with its route;
 *  `at` (Hanoi time, `2026-12-07T19:00`) is when the citizen leaves: open on arrival and the
 *  next opening are the server's answer for that moment. */
export function nearest({ lon, lat, mode = 'motorbike', k = 3, scenario, at, openFirst }, { signal } = {}) {
  return request('GET', `${BASE}/nearest${query({ lon, lat, mode, k, scenario, at, open_first: openFirst ? 'true' : '' })}`, { signal });
}

/** Places matching `q` (diacritics and case ignored by the server). */
export function search(q, { limit = 10, signal } = {}) {
  return request('GET', `${BASE}/search${query({ q, limit })}`, { signal });
}

/** Most pages of saved scenarios read for one list (each holds up to the server's page size). */
const MAX_SCENARIO_PAGES = 20;

/**
 * Every scenario the server lists, page by page (`next` of each page is the cursor of the
 * following one); saved scenarios are listed only with the write token.
 */
export async function listScenarios() {
  const scenarios = [];
  let cursor;
  for (let page = 0; page < MAX_SCENARIO_PAGES; page += 1) {
    const data = await request('GET', `${BASE}/scenarios${query({ cursor })}`, { auth: true });
    scenarios.push(...(data?.scenarios ?? []));
    cursor = data?.next;
    if (!cursor) break;
  }
  return { scenarios };
}
export const getScenario = (id) => request('GET', `${BASE}/scenarios/${encodeURIComponent(id)}`);
/** The reorganisation's phases on the shipped point sets, under the scenario's rule and mode. */
export const scenarioPhases = (id) => request('GET', `${BASE}/scenarios/${encodeURIComponent(id)}/phases`);

/** Create a scenario; points default to a copy of the baseline when omitted. */
export function createScenario({ name, mode, rule, points }) {
  return request('POST', `${BASE}/scenarios`, { body: { name, mode, rule, points }, auth: true });
}

/** Replace a scenario; `version` must be the one read, otherwise the server answers 409. */
export function updateScenario(id, { name, mode, rule, points, version }) {
  return request('PUT', `${BASE}/scenarios/${encodeURIComponent(id)}`, {
    body: { name, mode, rule, points, version },
    auth: true,
  });
}

export function deleteScenario(id) {
  return request('DELETE', `${BASE}/scenarios/${encodeURIComponent(id)}`, { auth: true });
}

/**
 * `cells`: the hexagons as GeoJSON (large); `columns`: each cell's status, time and catchment
 * in the order of `getCellGrid()` (`cell_columns`), a fraction of the size.
 */
export function scenarioCoverage(id, { cells = false, columns = false, signal } = {}) {
  return request('GET', `${BASE}/scenarios/${encodeURIComponent(id)}/coverage${query({ cells: cells ? 'true' : '', columns: columns ? 'true' : '' })}`, { signal });
}

/** Coverage of an unsaved draft `{mode, rule, points}`; read-only, no token needed. */
export function evaluate(draft, { cells = false, columns = false, signal } = {}) {
  return request('POST', `${BASE}/evaluate${query({ cells: cells ? 'true' : '', columns: columns ? 'true' : '' })}`, { body: draft, signal });
}

/**
 * The offices OpenStreetMap maps in the server's OSM file for `{tags, replace_within_m}` (left
 * out: the defaults /meta lists), as a draft with the count per tag; read-only, no token needed.
 */
export function osmOffices(body) {
  return request('POST', `${BASE}/osm-offices`, { body });
}

/** Covered share at each of the 168 hours of a week (per ward too) for scenario `id`. */
export function scenarioWeek(id, { weekOf } = {}) {
  return request('GET', `${BASE}/scenarios/${encodeURIComponent(id)}/week${query({ week_of: weekOf ?? '' })}`);
}

export function isochrones(id, minutes = [10, 20, 30]) {
  return request('GET', `${BASE}/scenarios/${encodeURIComponent(id)}/isochrones${query({ minutes: minutes.join(',') })}`);
}

/** Download address of a saved scenario's points and per-ward results. */
export function exportUrl(id, format) {
  return `${BASE}/scenarios/${encodeURIComponent(id)}/export${query({ format })}`;
}

/** Start an optimiser run; answers `{run_id}`. Fields left undefined take the defaults /meta lists. */
/** Starts an optimisation run; `at` or `week` judge the plan at a time or over the week, new
 *  points open `new_point_hours`; fields left undefined take the server's defaults. */
export function startOptimise({ scenario = null, draft = null, model, add, consolidate = false, keep, at, week, new_point_hours, capacity_from_counters }) {
  return request('POST', `${BASE}/optimise`, { body: { scenario, draft, model, add, consolidate, keep, at, week, new_point_hours, capacity_from_counters }, auth: true });
}

export const optimiseStatus = (runId) => request('GET', `${BASE}/optimise/${encodeURIComponent(runId)}`);
export const cancelOptimise = (runId) => request('DELETE', `${BASE}/optimise/${encodeURIComponent(runId)}`, { auth: true });

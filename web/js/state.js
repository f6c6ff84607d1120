// App state as one mode value, derived from the address hash so that reloading or sharing a
// link lands on the same view:
//   #/citizen                      -> {view: 'citizen'}
//   #/citizen?lon=…&lat=…&mode=walk -> {view: 'citizen', params: {lon, lat, mode}}
//   #/planner[/<scenario id>]       -> {view: 'planner', scenarioId}
//   #/leadership[/<scenario id>]    -> {view: 'leadership', scenarioId}
// Views own their own transient state; only what must survive a reload lives here.

export const VIEWS = ['citizen', 'planner', 'leadership'];

export function parseHash(hash) {
  const body = hash.replace(/^#\/?/, '');
  const q = body.indexOf('?');
  const path = q < 0 ? body : body.slice(0, q);
  const parts = path.split('/').filter(Boolean).map(safeDecode);
  const view = VIEWS.includes(parts[0]) ? parts[0] : 'citizen';
  const mode = { view };
  if (view !== 'citizen' && parts[1]) mode.scenarioId = parts[1];
  // A view's own choices (the citizen's start and travel mode) ride along as query parameters.
  const params = q < 0 ? {} : Object.fromEntries(new URLSearchParams(body.slice(q + 1)));
  if (Object.keys(params).length) mode.params = params;
  return mode;
}

/** A hand-edited link with a stray `%` still opens the view instead of throwing. */
function safeDecode(part) {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

export function hashFor(mode) {
  let hash = `#/${mode.view}`;
  if (mode.scenarioId) hash += `/${encodeURIComponent(mode.scenarioId)}`;
  const query = new URLSearchParams(mode.params ?? {}).toString();
  if (query) hash += `?${query}`;
  return hash;
}

let mode = parseHash(location.hash);
const listeners = new Set();

export function currentMode() {
  return mode;
}

/**
 * Change the mode; `replace` keeps the browser history short for in-view changes. `quiet` only
 * records it (address bar included) without telling the listeners: for a view that already
 * shows what it writes, such as the citizen's start after a map tap.
 */
export function setMode(next, { replace = false, quiet = false } = {}) {
  const hash = hashFor(next);
  mode = next;
  if (location.hash !== hash) {
    if (replace) history.replaceState(null, '', hash);
    else history.pushState(null, '', hash);
  }
  if (quiet) return;
  for (const listener of listeners) listener(mode);
}

export function onModeChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

window.addEventListener('hashchange', () => {
  const next = parseHash(location.hash);
  mode = next;
  for (const listener of listeners) listener(mode);
});

// App state as one mode value, derived from the address hash so that reloading or sharing a
// link lands on the same view:
//   #/citizen                      -> {view: 'citizen'}
//   #/planner[/<scenario id>]       -> {view: 'planner', scenarioId}
//   #/leadership[/<scenario id>]    -> {view: 'leadership', scenarioId}
// Views own their own transient state; only what must survive a reload lives here.

export const VIEWS = ['citizen', 'planner', 'leadership'];

export function parseHash(hash) {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const view = VIEWS.includes(parts[0]) ? parts[0] : 'citizen';
  const mode = { view };
  if (view !== 'citizen' && parts[1]) mode.scenarioId = parts[1];
  return mode;
}

export function hashFor(mode) {
  let hash = `#/${mode.view}`;
  if (mode.scenarioId) hash += `/${encodeURIComponent(mode.scenarioId)}`;
  return hash;
}

let mode = parseHash(location.hash);
const listeners = new Set();

export function currentMode() {
  return mode;
}

/** Change the mode; `replace` keeps the browser history short for in-view changes. */
export function setMode(next, { replace = false } = {}) {
  const hash = hashFor(next);
  mode = next;
  if (location.hash !== hash) {
    if (replace) history.replaceState(null, '', hash);
    else history.pushState(null, '', hash);
  }
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

// Small DOM helpers: the app builds its markup with these instead of a framework.

/**
 * Create an element. `attrs` keys: `class`, `text`, `testid` (-> data-testid), `on<Event>`
 * handlers, `dataset` object, booleans (set when true), everything else as attributes.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key === 'testid') el.dataset.testid = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2).toLowerCase(), value);
    else if (key === 'value') el.value = value;
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

let toastTimer = null;

/** A short polite message at the bottom of the screen. */
export function toast(message, { kind = 'info', ms = 3500 } = {}) {
  const el = document.querySelector('.toast');
  if (!el) return;
  el.textContent = message;
  el.dataset.kind = kind;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    el.hidden = true;
  }, ms);
}

/** Call `fn` once `ms` milliseconds have passed without another call. */
export function debounce(fn, ms) {
  let timer = null;
  const wrapped = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  wrapped.cancel = () => clearTimeout(timer);
  return wrapped;
}

/** A collapsible map legend holding the given legend elements; open unless the screen is small. */
export function legendBox(title, ...legends) {
  const box = h('details', { class: 'legend-box', testid: 'legend' }, h('summary', {}, title), ...legends);
  box.open = !window.matchMedia('(max-width: 760px)').matches;
  return box;
}

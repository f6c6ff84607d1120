// Entry point: header, language switch, area banner and hash routing between the three views.
import * as api from './api.js';
import { applyStatic, currentLang, setLang, t } from './i18n.js';
import { currentMode, onModeChange, setMode } from './state.js';
import * as citizen from './views/citizen.js';
import * as planner from './views/planner.js';
import * as leadership from './views/leadership.js';

const VIEW_MODULES = { citizen, planner, leadership };

const root = document.querySelector('[data-testid="view-root"]');
const banner = document.querySelector('[data-testid="area-banner"]');
const langSelect = document.querySelector('[data-testid="lang-select"]');

let mounted = null; // {view, scenarioId, handle}

function renderChrome() {
  document.documentElement.lang = currentLang();
  applyStatic(document);
  document.querySelector('[data-testid="skip-link"]').textContent = t('app.skip');
  langSelect.value = currentLang();
  const mode = currentMode();
  for (const link of document.querySelectorAll('.view-nav a')) {
    if (link.dataset.view === mode.view) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  document.title = `motcua · ${t(`nav.${mode.view}`)}`;
  renderBanner();
}

async function renderBanner() {
  banner.textContent = t('area.loading');
  try {
    const meta = await api.getMeta();
    const area = meta.area ?? {};
    const title = (currentLang() === 'vi' && area.title_vi) || area.title || area.name;
    banner.textContent = t('area.banner', { title, vintage: area.roads_vintage ?? '?' });
    banner.dataset.state = 'ok';
  } catch {
    banner.textContent = t('area.unavailable');
    banner.dataset.state = 'error';
  }
}

/** Whether the person agrees to drop the edits of the view on screen, if it has any. */
function mayLeave() {
  return !mounted?.handle.hasUnsavedChanges?.() || window.confirm(t('planner.discardConfirm'));
}

function render({ force = false } = {}) {
  const mode = currentMode();
  if (!force && mounted && mounted.view !== mode.view && !mounted.leaving && !mayLeave()) {
    // Back to the view with the edits (the address bar too).
    setMode({ ...mounted.mode }, { replace: true });
    return;
  }
  renderChrome();
  // The planner and leadership views switch scenarios themselves; only a change of view, or
  // of language, rebuilds the page.
  if (!force && mounted && mounted.view === mode.view) {
    mounted.mode = mode;
    if (mounted.handle.onModeChange) mounted.handle.onModeChange(mode);
    return;
  }
  mounted?.handle.unmount();
  const handle = VIEW_MODULES[mode.view].mount(root, mode);
  mounted = { view: mode.view, mode, handle };
}

langSelect.addEventListener('change', () => {
  // The view is rebuilt in the new language: unsaved edits would be lost.
  if (!mayLeave()) {
    langSelect.value = currentLang();
    return;
  }
  setLang(langSelect.value);
  render({ force: true });
});

// Leaving by the navigation asks first when there are unsaved edits.
for (const link of document.querySelectorAll('.view-nav a')) {
  link.addEventListener('click', (e) => {
    if (!mounted || link.dataset.view === mounted.view) return;
    if (mayLeave()) mounted.leaving = true;
    else e.preventDefault();
  });
}

onModeChange(() => render());
render();

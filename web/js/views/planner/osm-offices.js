// Planner panel: "Load offices from OpenStreetMap". The server reads the offices its OSM file
// maps for a tag list (prefilled, with the replace distance, from /api/v1/meta); the answer
// opens as an unsaved scenario the planner evaluates and saves as a new one. The panel says how
// many places each tag found and that the positions are OpenStreetMap's (ODbL).
import * as api from '../../api.js';
import { h } from '../../dom.js';
import { fmtInt, t } from '../../i18n.js';
import { errorText } from '../citizen.js';

/** The id the draft carries on screen; the server knows no scenario by it. */
export const OSM_DRAFT_ID = 'osm-offices';

/**
 * Mounts the panel over the planner's shared `state`; `open(scenario)` shows a scenario that
 * exists only on screen (read-only, so saving makes a new one).
 */
export function mount(state, { open }) {
  const tagsInput = h('input', { type: 'text', id: 'offices-tags', testid: 'offices-tags', spellcheck: 'false', autocomplete: 'off' });
  const replaceBox = h('input', { type: 'checkbox', id: 'offices-replace', testid: 'offices-replace' });
  const withinInput = h('input', { type: 'number', id: 'offices-within', testid: 'offices-within', min: '1', step: 'any' });
  const loadButton = h('button', { type: 'submit', testid: 'offices-load' }, t('offices.load'));
  const status = h('p', { class: 'status', testid: 'offices-status', role: 'status', 'aria-live': 'polite' });
  const found = h('div', { testid: 'offices-found' });

  const form = h(
    'form',
    {
      onSubmit: (e) => {
        e.preventDefault();
        load();
      },
    },
    h('div', { class: 'field' }, h('label', { for: 'offices-tags' }, t('offices.tags')), tagsInput, h('span', { class: 'hint' }, t('offices.tagsHint'))),
    h('div', { class: 'field' }, h('label', {}, replaceBox, ' ', t('offices.replace')), h('label', { for: 'offices-within' }, t('offices.within')), withinInput),
    h('div', { class: 'row' }, loadButton),
  );
  const element = h('details', { class: 'rule-box', testid: 'offices-panel' }, h('summary', {}, t('offices.title')), form, status, found);

  api.getMeta().then((meta) => {
    const defaults = meta?.defaults?.osm_offices ?? {};
    const limits = meta?.limits ?? {};
    if (!tagsInput.value && defaults.tags) tagsInput.value = defaults.tags;
    if (!withinInput.value && defaults.replace_within_m != null) withinInput.value = String(defaults.replace_within_m);
    if (limits.max_osm_tags_chars != null) tagsInput.maxLength = limits.max_osm_tags_chars;
    if (limits.max_replace_within_m != null) withinInput.max = String(limits.max_replace_within_m);
  }).catch(() => {
    // The banner says the area is unavailable; the form stays empty.
  });

  async function load() {
    if (state.dirty && !window.confirm(t('planner.discardConfirm'))) return;
    loadButton.disabled = true;
    status.textContent = t('offices.loading');
    found.replaceChildren();
    try {
      const body = { tags: tagsInput.value };
      if (replaceBox.checked) body.replace_within_m = Number(withinInput.value);
      const result = await api.osmOffices(body);
      if (state.disposed) return;
      status.textContent = '';
      found.replaceChildren(summary(result));
      await open({ id: OSM_DRAFT_ID, name: t('offices.draftName'), mode: result.mode, rule: result.rule, points: result.points, read_only: true, version: null });
    } catch (err) {
      if (!state.disposed) status.textContent = errorText(err);
    } finally {
      loadButton.disabled = false;
    }
  }

  /** How many places each tag found, what moved, and whose positions these are. */
  function summary(result) {
    const counts = result.found_per_tag ?? [];
    const total = counts.reduce((n, c) => n + c.count, 0);
    return h(
      'div',
      { testid: 'offices-summary', dataset: { total: String(total), points: String(result.points?.length ?? 0) } },
      h('p', {}, t('offices.found', { n: fmtInt(total) })),
      h('ul', { class: 'offices-counts' }, counts.map((c) => h('li', { testid: 'offices-count', dataset: { tag: c.tag, count: String(c.count) } }, t('offices.perTag', { tag: c.tag, n: fmtInt(c.count) })))),
      result.replace_within_m != null ? h('p', { testid: 'offices-replaced' }, t('offices.replaced', { n: fmtInt(result.replaced?.length ?? 0), m: fmtInt(result.replace_within_m) })) : null,
      h('p', { class: 'hint' }, t('offices.opened')),
      h('p', { class: 'hint', testid: 'offices-attribution' }, t('offices.attribution', { source: result.source })),
    );
  }

  return { element };
}

// Planner panel: run the optimiser on the draft, follow its progress, show the suggestions and
// let the planner accept them into the draft.
import * as api from '../../api.js';
import { h, toast } from '../../dom.js';
import { currentLang, fmtInt, fmtShare, t } from '../../i18n.js';
import { setSuggestions } from '../../layers/suggestions.js';
import { draftOf } from '../../scenarios.js';

const OPTIMISE_POLL_MS = 400;

/**
 * Mounts the panel over the planner's shared `state` (scenario, points, map, disposed);
 * `edited()` tells the planner the draft changed.
 */
export function mount(state, { edited }) {
  let current = null; // the run in progress: {runId, timer}
  let plan = null; // the answer waiting for acceptance: {added, removed}
  const modelSelect = h('select', { id: 'opt-model', testid: 'opt-model' });
  const addKInput = h('input', { type: 'number', id: 'opt-add', testid: 'opt-add', min: '0' });
  const consolidateInput = h('input', { type: 'checkbox', id: 'opt-consolidate', testid: 'opt-consolidate' });
  const keepInput = h('input', { type: 'number', id: 'opt-keep', testid: 'opt-keep', min: '1', disabled: true });
  // When the plan is judged: every point open (as an evaluation without a time), the rush hour
  // the server names, or every hour of the week (person-hours), new points at the hours given.
  const whenSelect = h(
    'select',
    { id: 'opt-when', testid: 'opt-when' },
    ['any', 'peak', 'week'].map((w) => h('option', { value: w }, t(`planner.when.${w}`))),
  );
  const hoursInput = h('input', { type: 'text', id: 'opt-hours', testid: 'opt-hours', spellcheck: 'false' });
  const countersInput = h('input', { type: 'checkbox', id: 'opt-counters', testid: 'opt-counters' });
  let peakAt = null;
  const runButton = h('button', { type: 'button', testid: 'opt-run', onClick: runOptimiser }, t('planner.run'));
  const cancelButton = h('button', { type: 'button', class: 'secondary', testid: 'opt-cancel', hidden: true, onClick: cancelRun }, t('planner.cancel'));
  const progress = h('progress', { max: '1', value: '0', testid: 'opt-progress', hidden: true });
  const runStatus = h('p', { class: 'status', testid: 'opt-status', role: 'status', 'aria-live': 'polite' });
  const suggestionsHolder = h('div', { testid: 'opt-suggestions' });

  /** The models, defaults and limits the server publishes fill the form. */
  function applyMeta(meta) {
    const models = (meta.models ?? []).map((m) => m.name);
    modelSelect.replaceChildren(...models.map((m) => h('option', { value: m }, t(`planner.model.${m}`))));
    const placement = meta.defaults?.placement ?? {};
    if (placement.model) modelSelect.value = placement.model;
    if (placement.add != null && !addKInput.value) addKInput.value = String(placement.add);
    if (placement.new_point_hours && !hoursInput.value) hoursInput.value = placement.new_point_hours;
    peakAt = meta.defaults?.peak_at ?? null;
    const limits = meta.limits ?? {};
    if (limits.max_add != null) addKInput.max = String(limits.max_add);
  }
  consolidateInput.addEventListener('change', () => {
    keepInput.disabled = !consolidateInput.checked;
    if (consolidateInput.checked && !keepInput.value) keepInput.value = String(Math.max(1, state.points.length - 1));
  });

  async function runOptimiser() {
    if (!state.scenario || current) return;
    // A run keeps a core of the server busy for minutes: the server asks for the write token.
    if (!api.getToken()) {
      runStatus.textContent = t('planner.tokenMissingRun');
      return;
    }
    // The server checks the count against its limits and answers a sentence when it is out.
    const parsed = parseInt(addKInput.value, 10);
    const add = Number.isFinite(parsed) ? parsed : undefined;
    const consolidate = consolidateInput.checked;
    const keep = consolidate ? parseInt(keepInput.value, 10) || undefined : undefined;
    const when = whenSelect.value;
    runButton.disabled = true;
    cancelButton.hidden = false;
    progress.hidden = false;
    progress.value = 0;
    runStatus.textContent = t('planner.running', { pct: fmtShare(0) });
    suggestionsHolder.replaceChildren();
    try {
      const { run_id: runId } = await api.startOptimise({
        scenario: null,
        draft: draftOf(state.scenario, state.points),
        model: modelSelect.value || undefined,
        add,
        consolidate,
        keep,
        at: when === 'peak' && peakAt ? peakAt : undefined,
        week: when === 'week' || undefined,
        new_point_hours: hoursInput.value.trim() || undefined,
        capacity_from_counters: countersInput.checked || undefined,
      });
      current = { runId, timer: null };
      pollRun();
    } catch (err) {
      finishRun();
      runStatus.textContent = t('planner.runFailed', { message: err.message });
    }
  }

  async function pollRun() {
    const run = current;
    if (!run || state.disposed) return;
    try {
      const status = await api.optimiseStatus(run.runId);
      if (current !== run) return;
      progress.value = status.progress ?? 0;
      if (status.status === 'running') {
        runStatus.textContent = `${t('planner.running', { pct: fmtShare(status.progress ?? 0) })}${status.message ? ` — ${status.message}` : ''}`;
        run.timer = setTimeout(pollRun, OPTIMISE_POLL_MS);
        return;
      }
      finishRun();
      if (status.status === 'done' && status.result) showSuggestions(status.result);
      else if (status.status === 'cancelled') runStatus.textContent = t('planner.runCancelled');
      else runStatus.textContent = t('planner.runFailed', { message: status.message ?? status.status });
    } catch (err) {
      finishRun();
      runStatus.textContent = t('planner.runFailed', { message: err.message });
    }
  }

  function finishRun() {
    if (current?.timer) clearTimeout(current.timer);
    current = null;
    runButton.disabled = false;
    cancelButton.hidden = true;
    progress.hidden = true;
    runStatus.textContent = '';
  }

  async function cancelRun() {
    const run = current;
    if (!run) return;
    finishRun();
    runStatus.textContent = t('planner.runCancelled');
    try {
      await api.cancelOptimise(run.runId);
    } catch {
      // The run ends on its own; nothing else to do.
    }
  }

  /**
   * Ids the plan drops. The server lists them in `removed` for a consolidation; without that
   * list, a consolidation answer that repeats existing ids is read as the set to keep.
   */
  function removedIds(result, consolidate) {
    if (Array.isArray(result.removed)) return result.removed;
    const listed = new Set((result.points ?? []).map((p) => p.id));
    if (!consolidate || !state.points.some((p) => listed.has(p.id))) return [];
    return state.points.filter((p) => !listed.has(p.id)).map((p) => p.id);
  }

  function showSuggestions(result) {
    const known = new Set(state.points.map((p) => p.id));
    const added = (result.points ?? []).filter((p) => !known.has(p.id));
    const removed = removedIds(result, consolidateInput.checked);
    const picked = new Set(added.map((p) => p.id));
    plan = { added, removed, picked };
    if (state.map) {
      setSuggestions(state.map, added);
      frameOn([...added, ...state.points.filter((p) => removed.includes(p.id))]);
    }
    const removedNames = removed.map((id) => state.points.find((p) => p.id === id)?.name ?? id);
    const acceptButton = h('button', { type: 'button', testid: 'opt-accept', onClick: acceptSuggestions });
    const labelAccept = () => {
      acceptButton.textContent = added.length ? t('planner.acceptPicked', { n: fmtInt(picked.size), of: fmtInt(added.length) }) : t('planner.accept');
      acceptButton.disabled = added.length > 0 && picked.size === 0 && removed.length === 0;
    };
    labelAccept();
    // Each point's gain counts the people only it newly covers; people newly reached by two of
    // the new points count in the total only. Say how many, so the figures add up.
    const gainSum = added.reduce((s, p) => s + (p.adds_population ?? 0), 0);
    const shared = (result.covered_after ?? 0) - (result.covered_before ?? 0) - gainSum;
    // Over a week the figures are person-hours, at a moment people at that moment: say which.
    const weekly = result.measure === 'person_hours';
    const summaryKey = weekly ? 'planner.suggestionsWeek' : result.at ? 'planner.suggestionsAt' : 'planner.suggestions';
    suggestionsHolder.replaceChildren(
      h('p', { testid: 'opt-summary' }, t(summaryKey, { n: fmtInt(added.length), before: fmtInt(result.covered_before), after: fmtInt(result.covered_after), at: result.at ?? '' })),
      h(
        'ul',
        { class: 'suggestions', testid: 'opt-suggestion-list' },
        added.map((p) =>
          h(
            'li',
            { testid: 'opt-suggestion' },
            h(
              'label',
              {},
              h('input', {
                type: 'checkbox',
                checked: true,
                testid: 'opt-suggestion-pick',
                onChange: (e) => {
                  if (e.target.checked) picked.add(p.id);
                  else picked.delete(p.id);
                  labelAccept();
                },
              }),
              ' ',
              h('strong', {}, p.name ?? p.id),
            ),
            ` · ${t(`kind.${p.kind}`)}`,
            p.adds_population !== undefined && p.adds_population !== null ? ` · ${t(weekly ? 'planner.suggestionAddsWeek' : 'planner.suggestionAdds', { n: fmtInt(p.adds_population) })}` : '',
            p.explanation ? h('span', { class: 'why', testid: 'opt-explanation' }, (currentLang() === 'vi' && p.explanation_vi) || p.explanation) : null,
          ),
        ),
      ),
      ...(added.length > 1 && shared >= 1 ? [h('p', { class: 'hint', testid: 'opt-shared-gain' }, t('planner.sharedGain', { n: fmtInt(shared) }))] : []),
      ...(!added.length && !removed.length ? [h('p', { testid: 'opt-nothing' }, t('planner.nothingToAdd'))] : []),
      ...(removed.length ? [h('p', { testid: 'opt-removed' }, t('planner.suggestionRemoves', { n: fmtInt(removed.length), names: removedNames.join(', ') }))] : []),
      ...(added.length || removed.length ? [acceptButton] : []),
    );
  }

  /** Frames the map on the points a plan adds or closes, so the planner sees them at once. */
  function frameOn(points) {
    if (!points.length) return;
    const lons = points.map((p) => p.lon);
    const lats = points.map((p) => p.lat);
    const bounds = [
      [Math.min(...lons), Math.min(...lats)],
      [Math.max(...lons), Math.max(...lats)],
    ];
    state.map.fitBounds(bounds, { padding: 80, maxZoom: 13, duration: 0 });
  }

  function acceptSuggestions() {
    const { added: all, removed, picked } = plan ?? { added: [], removed: [], picked: new Set() };
    const added = all.filter((p) => picked.has(p.id));
    const drop = new Set(removed);
    state.points = state.points.filter((p) => !drop.has(p.id));
    state.points.push(
      ...added.map((p) => ({
        id: p.id,
        name: p.name ?? p.id,
        kind: p.kind ?? 'branch',
        lon: p.lon,
        lat: p.lat,
        opening_hours: p.opening_hours ?? '',
        approximate: Boolean(p.approximate),
        address: p.address ?? null,
      })),
    );
    plan = null;
    if (state.map) setSuggestions(state.map, []);
    suggestionsHolder.replaceChildren();
    toast(t('planner.accepted', { n: fmtInt(added.length) }));
    edited();
  }

  const element = h(
    'section',
    { 'aria-labelledby': 'planner-opt-title' },
    h('h2', { id: 'planner-opt-title' }, t('planner.optimise')),
    h('div', { class: 'field' }, h('label', { for: 'opt-model' }, t('planner.model')), modelSelect),
    h('div', { class: 'row' }, h('div', { class: 'field' }, h('label', { for: 'opt-add' }, t('planner.addK')), addKInput), h('div', { class: 'field' }, h('label', { for: 'opt-keep' }, t('planner.keep')), keepInput)),
    h('div', { class: 'row' }, h('label', {}, consolidateInput, ' ', t('planner.consolidate'))),
    h('div', { class: 'row' }, h('div', { class: 'field' }, h('label', { for: 'opt-when' }, t('planner.when')), whenSelect), h('div', { class: 'field' }, h('label', { for: 'opt-hours' }, t('planner.newPointHours')), hoursInput)),
    h('div', { class: 'row' }, h('label', {}, countersInput, ' ', t('planner.capacityFromCounters'))),
    h('div', { class: 'row' }, runButton, cancelButton),
    progress,
    runStatus,
    suggestionsHolder,
  );

  return {
    element,
    applyMeta,
    /** Forgets a suggestion not yet accepted (another scenario was loaded). */
    clear() {
      plan = null;
      if (state.map) setSuggestions(state.map, []);
      suggestionsHolder.replaceChildren();
    },
    unmount() {
      if (current?.timer) clearTimeout(current.timer);
    },
  };
}

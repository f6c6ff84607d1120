// Planner panel: what the edits changed. The figures of the draft against the scenario's last
// save and against the current points (the baseline, under the draft's own rule and mode), and
// for the selected point the people it serves, how many of them only the edits cover, and a
// warning when a new point covers no one new. Every comparison is made at the moment the
// draft is evaluated for (`state.at`), or without a time.
import * as api from '../../api.js';
import { h } from '../../dom.js';
import { fmtInt, fmtSignedInt, fmtSignedMinutes, fmtSignedShare, t } from '../../i18n.js';
import { BASELINE_ID, draftOf } from '../../scenarios.js';

/** Mounts the panel over the planner's shared `state` (scenario, points, selectedId, service, at). */
export function mount(state) {
  const element = h('div', { class: 'edit-changes', testid: 'edit-changes' });
  let saved = null; // {summary, cells, at}: the evaluation of the scenario as last saved
  let latest = null; // {summary, cells}: the evaluation of the draft
  let baseline = null; // {key, summary}: the baseline's points under the draft's rule and time
  let baselinePoints = null;
  let savedIds = new Set();

  /** `points` evaluated under `scenario`'s rule and mode at `at` (null: no time). */
  async function summaryOf(scenario, points, at) {
    const draft = draftOf(scenario, points);
    if (at) draft.at = at;
    return (await api.evaluate(draft)).summary;
  }

  /** The baseline's points evaluated under `scenario`'s rule and mode, once per rule and time. */
  function baselineSummary(scenario) {
    const at = state.at ?? null;
    const key = JSON.stringify([scenario.mode, scenario.rule, at]);
    if (baseline?.key !== key) {
      const pending = (async () => {
        baselinePoints ??= (await api.getScenario(BASELINE_ID)).points ?? [];
        return summaryOf(scenario, baselinePoints, at);
      })();
      baseline = { key, pending, summary: null };
      pending.then(
        (summary) => {
          if (baseline?.pending === pending) baseline.summary = summary;
        },
        () => {
          if (baseline?.pending === pending) baseline = null;
        },
      );
    }
    return baseline.pending;
  }

  function deltaLine(testid, label, now, then) {
    if (!now || !then) return null;
    const covered = now.population_covered - then.population_covered;
    const uncovered = now.population_uncovered - then.population_uncovered;
    const share = (now.covered_share ?? 0) - (then.covered_share ?? 0);
    const meanS = now.mean_travel_s !== null && then.mean_travel_s !== null ? now.mean_travel_s - then.mean_travel_s : null;
    return h(
      'p',
      { class: 'change-line', testid, dataset: { covered: String(Math.round(covered)), uncovered: String(Math.round(uncovered)) } },
      h('strong', {}, label),
      ' ',
      t('planner.change.figures', {
        covered: fmtSignedInt(covered),
        share: fmtSignedShare(share),
        uncovered: fmtSignedInt(uncovered),
        mean: fmtSignedMinutes(meanS),
      }),
    );
  }

  /** People `pointId` serves, and those of them the last save left uncovered or unknown. */
  function reachOf(pointId) {
    const residents = state.service?.points?.find((p) => p.id === pointId)?.residents;
    let newly = 0;
    const now = latest?.cells?.features ?? [];
    const before = saved?.cells?.features ?? [];
    now.forEach((f, i) => {
      if (f.properties.catchment_point_id !== pointId || f.properties.status !== 'covered') return;
      if (before[i]?.properties.status !== 'covered') newly += f.properties.population ?? 0;
    });
    return { residents: residents ?? 0, newly };
  }

  function render() {
    const lines = [];
    if (latest && saved && state.dirty) lines.push(deltaLine('change-saved', t('planner.change.saved'), latest.summary, saved.summary));
    if (latest && baseline?.summary && state.scenarioId !== BASELINE_ID) lines.push(deltaLine('change-baseline', t('planner.change.baseline'), latest.summary, baseline.summary));
    const p = state.points.find((q) => q.id === state.selectedId);
    if (p && latest?.cells && saved?.cells && state.service) {
      const { residents, newly } = reachOf(p.id);
      lines.push(
        h(
          'p',
          { class: 'change-line', testid: 'point-reach', dataset: { serves: String(Math.round(residents)), newly: String(Math.round(newly)) } },
          t('planner.change.pointServes', { name: p.name, n: fmtInt(residents), newly: fmtInt(newly) }),
        ),
      );
      if (!savedIds.has(p.id) && newly < 1) lines.push(h('p', { class: 'banner-warn', testid: 'point-adds-none', role: 'status' }, t('planner.change.addsNone')));
    }
    element.replaceChildren(...lines.filter(Boolean));
  }

  return {
    element,
    render,
    /**
     * A fresh evaluation of the draft at `state.at`; `asSaved`: the draft is the scenario as
     * saved. With unsaved edits and another time than the last save's figures were made at, the
     * saved points are evaluated again at that time.
     */
    async evaluated({ summary, cells }, { asSaved = false } = {}) {
      const at = state.at ?? null;
      latest = { summary: summary ?? latest?.summary, cells: cells ?? latest?.cells };
      if (asSaved || !saved) {
        saved = { ...latest, at };
        savedIds = new Set(state.points.map((q) => q.id));
      } else if (saved.at !== at && state.scenario) {
        const reference = { summary: null, cells: null, at };
        saved = reference;
        summaryOf(state.scenario, state.scenario.points ?? [], at).then(
          (s) => {
            if (saved !== reference || state.disposed) return;
            reference.summary = s;
            render();
          },
          () => {
            // Without it the panel shows the change against the baseline only.
          },
        );
      }
      render();
      if (state.scenarioId !== BASELINE_ID && state.scenario) {
        try {
          await baselineSummary(state.scenario);
          if (!state.disposed) render();
        } catch {
          // Without the baseline line the panel still shows the change against the last save.
        }
      }
    },
    /** The draft was saved: what is on screen is now the last save. */
    saved() {
      if (latest) saved = { ...latest, at: state.at ?? null };
      savedIds = new Set(state.points.map((q) => q.id));
      render();
    },
    /** Another scenario was loaded: forget the old one's figures. */
    reset() {
      saved = null;
      latest = null;
      savedIds = new Set(state.points.map((q) => q.id));
      render();
    },
  };
}


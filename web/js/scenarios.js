// Helpers shared by views that handle scenarios: the scenario picker options and drafts.
import * as api from './api.js';
import { h } from './dom.js';
import { currentLang, t } from './i18n.js';

export const BASELINE_ID = 'baseline';

/** Scenario summaries, baseline first; falls back to baseline alone if the list fails. */
export async function scenarioList() {
  try {
    const [data, meta] = await Promise.all([api.listScenarios(), api.getMeta().catch(() => ({}))]);
    const list = data?.scenarios ?? [];
    // The shipped point sets come with their titles in both languages.
    for (const set of meta.point_sets ?? []) {
      const item = list.find((s) => s.id === set.scenario_id);
      if (item) Object.assign(item, { title: set.title, title_vi: set.title_vi, point_set: true });
    }
    list.sort((a, b) => (a.id === BASELINE_ID ? -1 : b.id === BASELINE_ID ? 1 : String(b.updated_at ?? '').localeCompare(String(a.updated_at ?? ''))));
    if (!list.some((s) => s.id === BASELINE_ID)) list.unshift({ id: BASELINE_ID, name: 'baseline' });
    return list;
  } catch {
    return [{ id: BASELINE_ID, name: 'baseline' }];
  }
}

export function scenarioLabel(s) {
  if (s.id === BASELINE_ID) return t('planner.baseline');
  if (s.point_set) return t('planner.pointSet', { title: (currentLang() === 'vi' && s.title_vi) || s.title });
  return s.name;
}

export function fillScenarioSelect(select, list, selectedId) {
  select.replaceChildren(...list.map((s) => h('option', { value: s.id, selected: s.id === selectedId }, scenarioLabel(s))));
  select.value = selectedId;
}

/** The draft body POST /evaluate takes, from a scenario (or edited copy). */
export function draftOf(scenario, points = scenario.points) {
  return { mode: scenario.mode, rule: scenario.rule, points };
}

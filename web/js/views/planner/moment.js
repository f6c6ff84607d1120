// Planner panel: when the draft is evaluated, and what that moment changed. "As planned" asks
// no time (every point counts, free-flow speeds); "rush hour" is the moment the server names
// (`defaults.peak_at` in /api/v1/meta); or a weekday and a time of the reference week. With a
// time, a point counts only when open on arrival and the trip runs at that hour's speed band;
// the answer's `moment` says the band and its factor, the points closed then, those counted at
// each resident's arrival (they open or close within the trip) and those of unknown hours.
import { h } from '../../dom.js';
import { fmtDecimal, fmtInt, t } from '../../i18n.js';
import { WEEKDAYS, bandLabel, momentLabel } from '../../week.js';

const CLOCK = /^([01]\d|2[0-3]):[0-5]\d$/;
/** What the picker shows first when the planner chooses a time of their own. */
const DEFAULT_PICK = { day: 'Sa', clock: '10:00' };

/**
 * Mounts the panel over the planner's shared `state`; it keeps `state.at` (null, or the `at`
 * the evaluation sends: `Mo 08:00`) and calls `changed()` when it changes.
 */
export function mount(state, { changed }) {
  state.at = null;
  let peakAt = null;
  const choice = h(
    'select',
    { id: 'eval-time', testid: 'eval-time' },
    h('option', { value: 'none' }, t('planner.time.none')),
    h('option', { value: 'peak', disabled: true }, t('planner.time.peak', { when: '…' })),
    h('option', { value: 'pick' }, t('planner.time.pick')),
  );
  const daySelect = h('select', { id: 'eval-day', testid: 'eval-day', 'aria-label': t('planner.time.day') }, WEEKDAYS.map((d) => h('option', { value: d, selected: d === DEFAULT_PICK.day }, t(`week.day.${d}`))));
  const clockInput = h('input', { type: 'time', id: 'eval-clock', testid: 'eval-clock', step: '900', value: DEFAULT_PICK.clock, 'aria-label': t('planner.time.clock') });
  const picker = h('div', { class: 'row', testid: 'eval-picker', hidden: true }, daySelect, clockInput);
  const momentHolder = h('div', { class: 'moment', testid: 'eval-moment', hidden: true, 'aria-live': 'polite' });

  /** The `at` the form names, or null ("as planned", or a time not yet complete). */
  function chosenAt() {
    if (choice.value === 'peak') return peakAt;
    if (choice.value === 'pick') return CLOCK.test(clockInput.value) ? `${daySelect.value} ${clockInput.value}` : null;
    return null;
  }

  function onChange() {
    picker.hidden = choice.value !== 'pick';
    const at = chosenAt();
    if (choice.value === 'pick' && at === null) return; // a half-typed time keeps the last one
    if (at === state.at) return;
    state.at = at;
    changed();
  }
  for (const el of [choice, daySelect, clockInput]) el.addEventListener('change', onChange);

  /** One group of points the moment names: a count, and the names on opening. */
  function pointGroup(testid, key, ids) {
    if (!ids?.length) return null;
    const names = ids.map((id) => state.points.find((p) => p.id === id)?.name ?? id);
    return h(
      'details',
      { class: 'moment-points', testid, dataset: { count: String(ids.length) } },
      h('summary', {}, t(key, { n: fmtInt(ids.length) })),
      h('ul', {}, names.map((name) => h('li', {}, name))),
    );
  }

  return {
    element: h(
      'div',
      { class: 'field eval-time' },
      h('label', { for: 'eval-time' }, t('planner.time.label')),
      choice,
      picker,
      momentHolder,
    ),
    /** The rush hour the server publishes becomes the second choice. */
    applyMeta(meta) {
      peakAt = meta.defaults?.peak_at ?? null;
      const option = choice.querySelector('option[value="peak"]');
      option.disabled = !peakAt;
      option.textContent = t('planner.time.peak', { when: peakAt ? momentLabel(peakAt) : '…' });
    },
    /** The answer's `moment` beside the figures (none: an evaluation without a time). */
    show(moment) {
      momentHolder.hidden = !moment;
      if (!moment) {
        momentHolder.replaceChildren();
        delete momentHolder.dataset.at;
        return;
      }
      momentHolder.dataset.at = moment.at;
      momentHolder.dataset.closed = String(moment.closed_points?.length ?? 0);
      momentHolder.dataset.factor = String(moment.band?.factor ?? 1);
      const parts = [
        h(
          'p',
          { class: 'moment-line', testid: 'moment-band' },
          t('planner.moment.band', {
            when: momentLabel(moment.at),
            band: bandLabel(moment.band?.name ?? ''),
            factor: fmtDecimal(moment.band?.factor ?? 1, 2),
          }),
        ),
        pointGroup('moment-closed', 'planner.moment.closed', moment.closed_points),
        pointGroup('moment-changing', 'planner.moment.changing', moment.changing_points),
        pointGroup('moment-unknown', 'planner.moment.unknown', moment.unknown_hours_points),
      ];
      if (!moment.closed_points?.length && !moment.changing_points?.length && !moment.unknown_hours_points?.length) parts.push(h('p', { class: 'hint' }, t('planner.moment.allOpen')));
      momentHolder.replaceChildren(...parts.filter(Boolean));
    },
  };
}

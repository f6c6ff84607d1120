// Planner panel: the draft's coverage rule (travel mode, minutes, radius, OR/AND, straight or
// network radius). A field outside the limits `/api/v1/meta` publishes is marked and explained,
// and the figures keep the last valid rule.
import { h } from '../../dom.js';
import { fmtDecimal, t } from '../../i18n.js';

const MODES = ['motorbike', 'car', 'bicycle', 'walk'];

/**
 * Mounts the panel over the planner's shared `state` (scenario, meta); `changed()` tells the
 * planner that `state.scenario`'s mode or rule now holds a new valid rule.
 */
export function mount(state, { changed }) {
  const modeSelect = h('select', { id: 'planner-mode', testid: 'scenario-mode' }, MODES.map((m) => h('option', { value: m }, t(`mode.${m}`))));
  const minutesInput = h('input', { type: 'number', id: 'rule-minutes', testid: 'rule-minutes', min: '1', step: '1', 'aria-describedby': 'rule-minutes-error' });
  const radiusInput = h('input', { type: 'number', id: 'rule-km', testid: 'rule-km', min: '0', step: '0.5', 'aria-describedby': 'rule-km-error' });
  const minutesError = h('p', { class: 'status error', id: 'rule-minutes-error', testid: 'rule-minutes-error', role: 'alert', hidden: true });
  const kmError = h('p', { class: 'status error', id: 'rule-km-error', testid: 'rule-km-error', role: 'alert', hidden: true });
  const ruleKept = h('p', { class: 'hint', testid: 'rule-kept', hidden: true });
  const combineSelect = h('select', { id: 'rule-combine', testid: 'rule-combine' }, h('option', { value: 'or' }, t('kpi.combine.or')), h('option', { value: 'and' }, t('kpi.combine.and')));
  const radiusKindSelect = h(
    'select',
    { id: 'rule-radius-kind', testid: 'rule-radius-kind' },
    h('option', { value: 'straight' }, t('planner.radius.straight')),
    h('option', { value: 'network' }, t('planner.radius.network')),
  );

  /** Marks `input` valid or not against its bounds and says why; true when valid. */
  const checkField = (input, errorEl, { value, low, high, lowOpen, key }) => {
    const ok = input.value.trim() !== '' && Number.isFinite(value) && (lowOpen ? value > low : value >= low) && value <= high;
    input.setAttribute('aria-invalid', ok ? 'false' : 'true');
    errorEl.hidden = ok;
    if (!ok) errorEl.textContent = t(key, { high: fmtDecimal(high, 0) });
    return ok;
  };

  function onChange() {
    if (!state.scenario) return;
    const limits = state.meta?.limits ?? {};
    const minutes = Number(minutesInput.value);
    const km = Number(radiusInput.value);
    const minutesOk = checkField(minutesInput, minutesError, { value: minutes, low: 0, lowOpen: true, high: limits.max_minutes ?? Infinity, key: 'planner.rule.minutesInvalid' });
    const kmOk = checkField(radiusInput, kmError, { value: km, low: 0, lowOpen: false, high: limits.max_radius_km ?? Infinity, key: 'planner.rule.kmInvalid' });
    ruleKept.hidden = minutesOk && kmOk;
    const rule = state.scenario.rule ?? {};
    ruleKept.textContent = t('planner.rule.kept', { minutes: fmtDecimal(rule.max_minutes ?? 0, 0), km: fmtDecimal(rule.radius_km ?? 0, 1) });
    if (!minutesOk || !kmOk) return;
    state.scenario.mode = modeSelect.value;
    state.scenario.rule = {
      ...state.scenario.rule,
      max_minutes: minutes,
      radius_km: km,
      combine: combineSelect.value,
      radius_kind: radiusKindSelect.value,
    };
    changed();
  }
  for (const el of [modeSelect, minutesInput, radiusInput, combineSelect, radiusKindSelect]) el.addEventListener('change', onChange);

  const element = h(
    'details',
    { class: 'rule-box', testid: 'rule-box' },
    h('summary', {}, t('planner.rule')),
    h(
      'div',
      { class: 'rule-grid' },
      h('div', { class: 'field' }, h('label', { for: 'planner-mode' }, t('mode.label')), modeSelect),
      h('div', { class: 'field' }, h('label', { for: 'rule-minutes' }, t('planner.rule.minutes')), minutesInput, minutesError),
      h('div', { class: 'field' }, h('label', { for: 'rule-combine' }, t('planner.rule.combine')), combineSelect),
      h('div', { class: 'field' }, h('label', { for: 'rule-km' }, t('planner.rule.km')), radiusInput, kmError),
      h('div', { class: 'field' }, h('label', { for: 'rule-radius-kind' }, t('planner.rule.radiusKind')), radiusKindSelect),
    ),
    ruleKept,
  );

  return {
    element,
    /** The limits the server publishes bound the inputs. */
    applyMeta(meta) {
      const limits = meta.limits ?? {};
      if (limits.max_minutes != null) minutesInput.max = String(limits.max_minutes);
      if (limits.max_radius_km != null) radiusInput.max = String(limits.max_radius_km);
    },
    /** The form from `state.scenario` (its rule, else the published defaults), errors cleared. */
    fill() {
      const s = state.scenario;
      const rule = s.rule ?? {};
      modeSelect.value = s.mode ?? 'motorbike';
      const defaultRule = state.meta?.defaults?.rule ?? {};
      minutesInput.value = String(rule.max_minutes ?? defaultRule.max_minutes ?? '');
      radiusInput.value = String(rule.radius_km ?? defaultRule.radius_km ?? '');
      for (const el of [minutesError, kmError, ruleKept]) el.hidden = true;
      for (const el of [minutesInput, radiusInput]) el.setAttribute('aria-invalid', 'false');
      combineSelect.value = rule.combine === 'and' ? 'and' : 'or';
      radiusKindSelect.value = rule.radius_kind === 'network' ? 'network' : 'straight';
    },
  };
}

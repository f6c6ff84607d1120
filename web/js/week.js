// The week at a glance for the leadership dashboard: an hour × weekday heat map of the share of
// residents covered by an open point (the server's weekly sweep, GET …/scenarios/{id}/week) and
// the worst hours. Cells are coloured from red (nobody) to green (everyone); each says its
// figure on hover and to screen readers.
import * as api from './api.js';
import { h } from './dom.js';
import { currentLang, fmtShare, t } from './i18n.js';

const DAYS = ['Mo', 'Tu', 'We', 'Th', 'Fr', 'Sa', 'Su'];

/** Red → amber → green for a share 0..1. */
function colour(share) {
  const s = Math.max(0, Math.min(1, share));
  const hue = Math.round(120 * s);
  return `hsl(${hue} 70% ${s > 0.95 ? 38 : 45}%)`;
}

/** This device's clock as Hanoi time (UTC+7, no daylight saving), `2026-12-07T19:00`: the
 *  moment a citizen's "open now" is asked for. */
export function hanoiNow(nowMs = Date.now()) {
  return new Date(nowMs + 7 * 3600 * 1000).toISOString().slice(0, 16);
}

/** The label of an hour of the week: "Thứ Hai 08:00" / "Monday 08:00". */
export function hourLabel(hourOfWeek) {
  const day = DAYS[Math.floor(hourOfWeek / 24)];
  const hour = String(hourOfWeek % 24).padStart(2, '0');
  return `${t(`week.day.${day}`)} ${hour}:00`;
}

/** "Mở cửa lúc 8:00 thứ Hai" / "Opens at 8:00 on Monday" for the server's `next_open`
 *  (`2026-12-14T08:00`, Hanoi time): the day and hour as the server computed them. */
export function opensAt(nextOpen) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(String(nextOpen));
  if (!m) return String(nextOpen);
  // Weekday of a calendar date, independent of the browser's time zone.
  const weekday = (new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])).getUTCDay() + 6) % 7;
  let day = t(`week.day.${DAYS[weekday]}`);
  if (currentLang() === 'vi') day = day.charAt(0).toLowerCase() + day.slice(1);
  return t('citizen.opensAt', { time: `${Number(m[4])}:${m[5]}`, day });
}

/** "Thứ Hai 08:00" / "Monday 08:00" for a moment as the API writes it: a Hanoi date and time
 *  (`2026-12-07T08:00`) or a weekday and time of the reference week (`Mo 08:00`). */
export function momentLabel(at) {
  const text = String(at ?? '');
  const dated = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(text);
  if (dated) {
    const weekday = (new Date(Date.UTC(+dated[1], +dated[2] - 1, +dated[3])).getUTCDay() + 6) % 7;
    return `${t(`week.day.${DAYS[weekday]}`)} ${dated[4]}:${dated[5]}`;
  }
  const weekly = /^(Mo|Tu|We|Th|Fr|Sa|Su) (\d{2}):(\d{2})$/.exec(text);
  return weekly ? `${t(`week.day.${weekly[1]}`)} ${weekly[2]}:${weekly[3]}` : text;
}

/** The name of a speed band (`morning_peak`) in the page's language, else as the profile says. */
export function bandLabel(name) {
  const key = `week.band.${name}`;
  const label = t(key);
  return label === key ? String(name) : label;
}

/** The weekdays in the API's notation, Monday first. */
export const WEEKDAYS = DAYS;

/**
 * The first moment at or after `now` (Hanoi time, `2026-12-12T13:00`) that falls on weekday
 * `day` (`Sa`) at `clock` (`10:00`), as the API writes a moment: `2026-12-19T10:00`. A citizen
 * planning "Saturday 10:00" means the coming Saturday, holidays and all.
 */
export function nextMoment(now, day, clock) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(String(now));
  const c = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(String(clock));
  const target = DAYS.indexOf(day);
  if (!m || !c || target < 0) return null;
  const start = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
  const midnight = Date.UTC(+m[1], +m[2] - 1, +m[3]);
  const weekday = (new Date(midnight).getUTCDay() + 6) % 7;
  let when = midnight + ((target - weekday + 7) % 7) * 86400000 + (+c[1] * 60 + +c[2]) * 60000;
  if (when < start) when += 7 * 86400000;
  return new Date(when).toISOString().slice(0, 16);
}

/** The heat map and the worst hours of a sweep. */
export function weekHeatMap(sweep) {
  const head = h('tr', {}, h('th', { scope: 'col' }, ''), ...DAYS.map((d) => h('th', { scope: 'col' }, t(`week.dayShort.${d}`))));
  const rows = [];
  for (let hour = 0; hour < 24; hour += 1) {
    rows.push(
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, `${String(hour).padStart(2, '0')}:00`),
        ...DAYS.map((_, d) => {
          const cell = sweep.hours[d * 24 + hour];
          const label = t('week.cell', { when: hourLabel(cell.hour_of_week), share: fmtShare(cell.covered_share) });
          return h('td', {
            class: 'week-cell',
            title: label,
            'aria-label': label,
            testid: 'week-cell',
            dataset: { hour: String(cell.hour_of_week), share: String(cell.covered_share) },
            style: `background:${colour(cell.covered_share)}`,
          });
        }),
      ),
    );
  }
  const table = h('table', { class: 'week-map', testid: 'week-map' }, h('thead', {}, head), h('tbody', {}, ...rows));
  const worst = h(
    'ol',
    { class: 'week-worst', testid: 'week-worst' },
    ...sweep.worst_hours.slice(0, 5).map((i) => {
      const cell = sweep.hours[i];
      return h('li', {}, t('week.worstItem', { when: hourLabel(i), share: fmtShare(cell.covered_share), band: t(`week.band.${cell.band}`) }));
    }),
  );
  return h('div', { class: 'week' }, h('p', { class: 'hint' }, t('week.hint')), h('div', { class: 'table-wrap' }, table), h('h3', {}, t('week.worst')), worst);
}

/** Fills `holder` with the weekly sweep of scenario `id`; `isCurrent()` guards late answers. */
export async function mountWeek(holder, id, isCurrent = () => true) {
  holder.replaceChildren(h('p', { class: 'status' }, t('common.loading')));
  try {
    const sweep = await api.scenarioWeek(id);
    if (!isCurrent()) return;
    holder.replaceChildren(weekHeatMap(sweep));
  } catch (err) {
    if (!isCurrent()) return;
    holder.replaceChildren(h('p', { class: 'status error' }, err?.message ?? String(err)));
  }
}

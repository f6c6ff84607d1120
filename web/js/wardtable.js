// The per-ward table: sortable by any column (click a header), searchable by name with
// Vietnamese diacritics ignored, and rolled up by former district (before the 2025 merger) at
// a switch, from the `districts` the evaluation returns beside its `wards`.
import { h } from './dom.js';
import { fmtInt, fmtMinutes, fmtShare, t } from './i18n.js';
import { foldText } from './text.js';

export const WARD_COLUMNS = ['name', 'population', 'covered', 'uncovered', 'unknown', 'covered_share', 'mean_travel_s'];

/** The two levels the table shows: today's wards, or the districts they were part of. */
export const TABLE_LEVELS = ['ward', 'district'];

/** The server leaves out (null) a mean time nobody has; a share is of the region's people. */
function valueOf(col, region) {
  return region[col] ?? null;
}

function cellText(col, region) {
  const v = valueOf(col, region);
  if (col === 'name') return region.cut_by_extent ? `${v} ${t('leader.cutByExtent')}` : v;
  if (col === 'covered_share') return fmtShare(v);
  if (col === 'mean_travel_s') return fmtMinutes(v);
  return fmtInt(v);
}

/** The name column's heading at each level. */
function columnLabel(col, level) {
  return col === 'name' && level === 'district' ? t('table.col.district') : t(`leader.col.${col}`);
}

/**
 * Build the table; rows keep the server's order (worst first) until a header is clicked.
 * `districts` (optional) enables the roll-up switch; `onSelect(name)` makes ward names buttons
 * that show the ward on the map; `onLevel(level)` hears the switch.
 */
export function wardTable(wards, { districts = null, testid = 'ward-table', onSelect = null, onLevel = null } = {}) {
  const state = { sortCol: null, ascending: true, query: '', level: 'ward' };
  const rowsOf = (level) => (level === 'district' ? districts ?? [] : wards);
  const search = h('input', { type: 'search', id: `${testid}-search`, testid: 'ward-search', placeholder: t('leader.wardSearch') });
  const searchLabel = h('label', { for: `${testid}-search` }, t('leader.wardSearch'));
  const count = h('p', { class: 'hint', testid: 'ward-count', 'aria-live': 'polite' });
  // When a search finds no ward but former districts of that name: offer the district view.
  const otherLevel = h('button', { type: 'button', class: 'link', testid: 'ward-search-districts', hidden: true, onClick: () => setLevel('district') });
  const levelButtons = Object.fromEntries(
    TABLE_LEVELS.map((level) => [
      level,
      h('button', { type: 'button', class: 'secondary small', testid: `table-level-${level}`, 'aria-pressed': String(level === 'ward'), onClick: () => setLevel(level) }, t(`table.by.${level}`)),
    ]),
  );
  const levelSwitch = districts?.length ? h('div', { class: 'row level-switch', role: 'group', 'aria-label': t('table.levelLabel') }, Object.values(levelButtons)) : null;
  const headerButtons = [];
  const headers = WARD_COLUMNS.map((col) => {
    const th = h('th', { scope: 'col', 'aria-sort': 'none' });
    const button = h('button', { type: 'button', class: 'sort', testid: `sort-${col}`, onClick: () => sortBy(col) });
    headerButtons.push(button);
    th.append(button, h('span', { class: 'col-name' }));
    return th;
  });
  const tbody = h('tbody', {});
  const table = h('table', { class: 'data', testid }, h('thead', {}, h('tr', {}, headers)), tbody);

  function sortBy(col) {
    if (state.sortCol === col) state.ascending = !state.ascending;
    else {
      state.sortCol = col;
      state.ascending = col === 'name';
    }
    render();
  }

  function setLevel(level) {
    if (!TABLE_LEVELS.includes(level) || level === state.level) return;
    state.level = level;
    for (const [l, button] of Object.entries(levelButtons)) button.setAttribute('aria-pressed', String(l === level));
    table.dataset.level = level;
    onLevel?.(level);
    render();
  }

  function matching(regions, q) {
    return regions.filter((r) => !q || foldText(r.name).includes(q));
  }

  function render() {
    const level = state.level;
    const all = rowsOf(level);
    const q = foldText(state.query);
    let rows = matching(all, q);
    if (state.sortCol) {
      const col = state.sortCol;
      const dir = state.ascending ? 1 : -1;
      rows = [...rows].sort((a, b) => {
        const x = valueOf(col, a);
        const y = valueOf(col, b);
        if (x === null || x === undefined) return 1;
        if (y === null || y === undefined) return -1;
        if (col === 'name') return dir * String(x).localeCompare(String(y), 'vi');
        return dir * (x - y);
      });
    }
    headers.forEach((th, i) => {
      const col = WARD_COLUMNS[i];
      th.setAttribute('aria-sort', col === state.sortCol ? (state.ascending ? 'ascending' : 'descending') : 'none');
      headerButtons[i].textContent = columnLabel(col, level);
      th.lastChild.textContent = columnLabel(col, level);
      headerButtons[i].title = t('leader.sortBy', { col: columnLabel(col, level) });
    });
    const focusable = onSelect && level === 'ward';
    searchLabel.textContent = t(level === 'district' ? 'table.search.district' : 'leader.wardSearch');
    search.placeholder = searchLabel.textContent;
    tbody.replaceChildren(
      ...rows.map((r) =>
        h(
          'tr',
          { testid: `${level}-row`, dataset: { [level]: r.name } },
          WARD_COLUMNS.map((col, i) =>
            i === 0
              ? h(
                  'th',
                  { scope: 'row' },
                  focusable
                    ? h('button', { type: 'button', class: 'link', testid: 'ward-focus', title: t('leader.showOnMap'), onClick: () => onSelect(r.name) }, cellText(col, r))
                    : cellText(col, r),
                )
              : h('td', { class: 'figure' }, cellText(col, r)),
          ),
        ),
      ),
    );
    count.textContent = t(level === 'district' ? 'table.districtsShown' : 'leader.rowsShown', { n: fmtInt(rows.length), total: fmtInt(all.length) });
    const elsewhere = level === 'ward' && q && !rows.length ? matching(districts ?? [], q).length : 0;
    otherLevel.hidden = !elsewhere;
    otherLevel.textContent = elsewhere ? t('table.tryDistricts', { n: fmtInt(elsewhere) }) : '';
  }

  search.addEventListener('input', () => {
    state.query = search.value;
    render();
  });
  table.dataset.level = state.level;
  render();
  return {
    controls: h('div', { class: 'field no-print' }, levelSwitch, searchLabel, search, count, otherLevel),
    table: h('div', { class: 'table-wrap' }, table),
    setLevel,
  };
}

// The per-ward table: sortable by any column (click a header) and searchable by name, with
// Vietnamese diacritics ignored in the search.
import { h } from './dom.js';
import { fmtInt, fmtMinutes, fmtShare, t } from './i18n.js';
import { foldText } from './text.js';

export const WARD_COLUMNS = ['name', 'population', 'covered', 'uncovered', 'unknown', 'covered_share', 'mean_travel_s'];

/** The server leaves out (null) a mean time nobody has; a share is of the ward's people. */
function valueOf(col, ward) {
  return ward[col] ?? null;
}

function cellText(col, ward) {
  const v = valueOf(col, ward);
  if (col === 'name') return ward.cut_by_extent ? `${v} ${t('leader.cutByExtent')}` : v;
  if (col === 'covered_share') return fmtShare(v);
  if (col === 'mean_travel_s') return fmtMinutes(v);
  return fmtInt(v);
}

/** Build the table; `wards` keep the server's order (worst first) until a header is clicked. */
export function wardTable(wards, { testid = 'ward-table', onSelect = null } = {}) {
  const state = { sortCol: null, ascending: true, query: '' };
  const search = h('input', { type: 'search', id: `${testid}-search`, testid: 'ward-search', placeholder: t('leader.wardSearch') });
  const count = h('p', { class: 'hint', testid: 'ward-count', 'aria-live': 'polite' });
  const headers = WARD_COLUMNS.map((col) => {
    const th = h('th', { scope: 'col', 'aria-sort': 'none' });
    th.append(
      h('button', { type: 'button', testid: `sort-${col}`, title: t('leader.sortBy', { col: t(`leader.col.${col}`) }), onClick: () => sortBy(col) }, t(`leader.col.${col}`)),
    );
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

  function render() {
    const q = foldText(state.query);
    let rows = wards.filter((w) => !q || foldText(w.name).includes(q));
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
    });
    tbody.replaceChildren(
      ...rows.map((w) =>
        h(
          'tr',
          { testid: 'ward-row', dataset: { ward: w.name } },
          WARD_COLUMNS.map((col, i) =>
            i === 0
              ? h(
                  'th',
                  { scope: 'row' },
                  onSelect
                    ? h('button', { type: 'button', class: 'link', testid: 'ward-focus', title: t('leader.showOnMap'), onClick: () => onSelect(w.name) }, cellText(col, w))
                    : cellText(col, w),
                )
              : h('td', {}, cellText(col, w)),
          ),
        ),
      ),
    );
    count.textContent = t('leader.rowsShown', { n: fmtInt(rows.length), total: fmtInt(wards.length) });
  }

  search.addEventListener('input', () => {
    state.query = search.value;
    render();
  });
  render();
  return {
    controls: h('div', { class: 'field no-print' }, h('label', { for: `${testid}-search` }, t('leader.wardSearch')), search, count),
    table: h('div', { class: 'table-wrap' }, table),
  };
}

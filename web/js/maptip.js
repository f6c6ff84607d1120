// Hover tooltips on the coverage map: the cell under the pointer (its residents, travel time
// to the nearest point and its verdict) and the ward it lies in (name, share served), in the
// page's language. The map draws no text labels (no font files), so this is where names show.
import { maplibregl } from './map.js';
import { h } from './dom.js';
import { fmtInt, fmtMinutes, fmtShare, t } from './i18n.js';
import { wardNameAt } from './layers/basemap.js';

const STATUSES = ['covered', 'uncovered', 'unknown'];

/**
 * Shows a tooltip over `map` while the pointer rests on a cell (layer `cellsLayer`) or a ward.
 * `wardStats(name)` gives the ward's row of the evaluation (or null). Returns a function that
 * removes the tooltip and its listeners.
 */
export function attachMapTooltips(map, { wardStats, cellsLayer = 'cells-fill' }) {
  const popup = new maplibregl.Popup({ closeButton: false, closeOnClick: false, className: 'map-tip', maxWidth: '280px', offset: 14 });
  let frame = 0;
  let last = null;

  function content(point) {
    const layers = map.getLayer(cellsLayer) ? [cellsLayer] : [];
    const cell = layers.length ? map.queryRenderedFeatures(point, { layers })[0] : null;
    const wardName = cell?.properties?.ward ?? wardNameAt(map, point);
    if (!cell && !wardName) return null;
    const lines = [];
    if (wardName) {
      const stats = wardStats(wardName);
      lines.push(
        h('div', { class: 'map-tip-ward', testid: 'tip-ward' }, h('strong', {}, wardName)),
        stats ? h('div', { testid: 'tip-ward-share' }, t('tip.wardShare', { share: fmtShare(stats.covered_share) })) : null,
      );
    }
    if (cell) {
      const p = cell.properties;
      const status = STATUSES.includes(p.status) ? p.status : 'unknown';
      const travel = p.travel_s === null || p.travel_s === undefined || p.travel_s === 'null' ? null : Number(p.travel_s);
      lines.push(
        h('div', { class: 'map-tip-cell', testid: 'tip-population' }, t('tip.population', { n: fmtInt(Number(p.population)) })),
        h('div', { testid: 'tip-travel' }, travel === null ? t('tip.noTravel') : t('tip.travel', { time: fmtMinutes(travel) })),
        h('div', { testid: 'tip-status', dataset: { status } }, t(`tip.status.${status}`)),
      );
    }
    return h('div', { testid: 'map-tooltip', dataset: { cell: cell?.properties?.h3 ?? '', ward: wardName ?? '' } }, lines);
  }

  function show(e) {
    last = e;
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      const el = last && content(last.point);
      if (!el) {
        popup.remove();
        return;
      }
      popup.setLngLat(last.lngLat).setDOMContent(el);
      if (!popup.isOpen()) popup.addTo(map);
    });
  }

  function hide() {
    last = null;
    if (frame) cancelAnimationFrame(frame);
    frame = 0;
    popup.remove();
  }

  map.on('mousemove', show);
  map.on('mouseout', hide);
  map.on('movestart', hide);
  return () => {
    map.off('mousemove', show);
    map.off('mouseout', hide);
    map.off('movestart', hide);
    hide();
  };
}
